#!/bin/bash
# Requests/s through oscore-gw with 1 and then 2 workers on the same setup, forward mode (a real
# coap-server-notls upstream) and respond mode: namespaces and a veth pair as the live tests
# (netns_gw.sh), net_af_packet with qpairs = workers (kernel fanout spreads flows), and
# oscore-loadgen live playing DEVICES devices from 16 UDP source ports. Prints each rate, the
# steered share, and the 2:1 ratios from the same run. SRC_PORT: upstream_source_port (which
# upstream flows the kernel puts on the other worker's queue, and so how many answers are steered
# in software, depends on it and on the kernel's hash seed: compare two values for the steer's cost). A benchmark, not a test: on a machine with
# fewer cores than gateway lcores + load generator + upstream, the ratio says how the workers share
# what CPU there is, not how they scale.
#   bench_workers.sh OSCORE_GW OSCORE_LOADGEN [SECONDS [DEVICES]]
set -u
GW=$1 LG=$2 SECS=${3:-5} N_DEV=${4:-64}
P=oscbench-workers-$$
W=$(mktemp -d "${TMPDIR:-/tmp}/oscgw-benchw.XXXXXX")
. "$(dirname "$0")/netns_gw.sh"
netns_up 10.81.0
upstream_up 10.81.0.3 || { echo "SKIP: needs coap-server-notls"; exit 77; }
sleep 0.3 # the resource loadgen asks for (GET /temp): created by a PUT (coap-server-notls -d)
in_dev coap-client-notls -m put -e 21.5 coap://10.81.0.3/temp >/dev/null 2>&1 ||
	{ echo "FAIL: cannot create /temp on the upstream"; exit 1; }
cpus="(0-$(($(nproc) - 1)))"

python3 - "$N_DEV" >"$W/contexts.json" <<'PY'
import json, sys
print(json.dumps([{"master_secret": "%032x" % (0x2000 + i), "sender_id": "01",
                   "recipient_id": "%04x" % (0x1000 + i)} for i in range(int(sys.argv[1]))]))
PY

declare -A RATE
run() { # run MODE WORKERS
	local mode=$1 n=$2 keys='' lc="0@$cpus" i
	[ "$mode" = forward ] && keys="\"mode\": \"forward\", \"upstream\": \"10.81.0.3:5683\",
		\"upstream_source_port\": ${SRC_PORT:-5683},"
	for i in $(seq "$n"); do lc="$lc,$i@$cpus"; done
	cat >"$W/gw.json" <<JSON
{ "port": "net_af_packet0", "ipv4": "10.81.0.1", $keys "mbufs": 8191, "summary_interval": 0,
  "contexts_file": "$W/contexts.json" }
JSON
	GW_LCORES="--lcores $lc" GW_VDEV_ARGS=",qpairs=$n" start_gw "$mode$n" \
		--stats-json "$W/stats.$mode$n.json" || return 1
	in_dev "$LG" live --contexts "$W/contexts.json" --target 10.81.0.1:5683 --sockets 16 \
		--duration "$SECS" --window 64 --timeout 2000 --allow-failures --quiet \
		>"$W/lg.$mode$n.log" 2>&1
	kill -TERM "$GW_PID"; wait "$GW_PID"; GW_PID=
	RATE[$mode$n]=$(sed -n 's/.*answered \([0-9]*\),.*/\1/p' "$W/lg.$mode$n.log")
	RATE[$mode$n]=$(( ${RATE[$mode$n]:-0} / SECS ))
	printf '%-8s %u worker(s): %6u verified answers/s   ' "$mode" "$n" "${RATE[$mode$n]}"
	head -1 "$W/lg.$mode$n.log" | sed 's/.*: answered/answered/'
	python3 - "$W/stats.$mode$n.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
c = s["counters"]
def per(k): return [x.get(k, 0) for x in s["workers"]]
print("         per worker: rx %s, answered %s, steered out %s, in %s" % (per("rx_packets"),
      per("answer_protected"), per("steer_out"), per("steer_in")))
PY
}

echo "oscore-gw workers benchmark: $N_DEV devices over 16 source ports, $SECS s each, $(nproc) CPU(s), load average $(cut -d' ' -f1-3 /proc/loadavg)"
for mode in ${MODES:-forward respond}; do
	for n in ${WORKERS:-1 2}; do run "$mode" "$n" || exit 1; done
	[ -n "${RATE[${mode}1]:-}" ] && [ -n "${RATE[${mode}2]:-}" ] || continue
	python3 -c "import sys; a, b = int(sys.argv[1]), int(sys.argv[2]); print('%-8s 2:1 workers = %.2f' % (sys.argv[3], b / a if a else 0))" \
		"${RATE[${mode}1]}" "${RATE[${mode}2]}" "$mode"
done
