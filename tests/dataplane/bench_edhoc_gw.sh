#!/bin/bash
# The workers' protected-request rate with and without EDHOC handshakes on the control lcore, in
# one run (issue 12): oscore-gw in respond mode in a network namespace (net_af_packet); closed-loop
# protected load (oscore-loadgen live, window 32, 64 contexts) for SECONDS alone, then for SECONDS
# while the project's initiator (edhoc_client --for) runs back-to-back handshakes for each of
# methods 0 and 3 with suites 0 and 2, then the handshakes alone for SECONDS (per case, back to
# back, after a 1 s warm-up). Prints per phase the answered
# requests per wall second and per CPU-second of the worker lcore (from /proc: on a machine with
# fewer cores than threads the wall rate mostly measures the scheduler), the handshakes completed
# per second, and the ratios to the load-alone phase.
#   bench_edhoc_gw.sh OSCORE_GW EDHOC_CLIENT OSCORE_LOADGEN [SECONDS]
set -u
GW=$1 EDHOC=$2 LOADGEN=$3 SECS=${4:-5}
P=edhocbench-$$
W=$(mktemp -d "${TMPDIR:-/tmp}/oscgw-edhocbench.XXXXXX")
. "$(dirname "$0")/netns_gw.sh"
netns_up 10.84.0
"$(dirname "$0")/edhoc_keys.py" gw 0x31 >"$W/gw.keys" && "$(dirname "$0")/edhoc_keys.py" dev 0x21 >"$W/dev.keys"
check "credentials" $?
/usr/bin/python3 - "$W" <<'PY'
import json, sys
w = sys.argv[1]
k = {n: json.load(open("%s/%s.keys" % (w, n))) for n in ("gw", "dev")}
ctx = [{"master_secret": "%032x" % (0x5eed0000 + i), "sender_id": "5%d" % (i % 10),
        "recipient_id": "c0%02x" % i} for i in range(64)]
json.dump(ctx, open(w + "/contexts.json", "w"))  # the same for oscore-loadgen
json.dump({"port": "net_af_packet0", "ipv4": "10.84.0.1", "mbufs": 4095, "summary_interval": 0,
           "contexts": ctx, "max_contexts": 16384, "loadtest_replay": True,
           "edhoc": {"credentials": k["gw"]["own"], "trusted": k["dev"]["pub"],
                     "suites": [0, 2], "methods": [0, 3], "max_sessions": 1024,
                     "message_1_rate": 0, "message_1_source_rate": 0}},
          open(w + "/gw.json", "w"))
json.dump({"credentials": k["dev"]["own"], "trusted": k["gw"]["pub"], "suites": [0, 2]},
          open(w + "/dev.json", "w"))
PY
check "configuration" $?
start_gw bench
check "oscore-gw starts" $?; [ "$fails" -eq 0 ] || exit 1
TID=
for t in /proc/"$GW_PID"/task/*; do grep -q worker "$t/comm" && TID=${t##*/}; done
[ -n "$TID" ]
check "the worker lcore's thread found" $?; [ "$fails" -eq 0 ] || exit 1
ticks() { awk '{print $14 + $15}' "/proc/$GW_PID/task/$TID/stat"; }
hz=$(getconf CLK_TCK)

# phase NAME [METHOD SUITE]: load for SECS (with handshakes when METHOD SUITE are given);
# prints "NAME wall_rate cpu_rate handshakes_per_s" into $W/results
phase() {
	local name=$1 t0 t1 hs=0 lg answered hpid=
	t0=$(ticks)
	if [ $# -eq 3 ]; then
		in_dev "$EDHOC" --for "$SECS" --conf "$W/dev.json" --method "$2" --suite "$3" \
			10.84.0.1:5683 2>"$W/hs.$name.log" &
		hpid=$!
	fi
	in_dev "$LOADGEN" live --contexts "$W/contexts.json" --target 10.84.0.1:5683 --rate 0 \
		--window 32 --duration "$SECS" --allow-failures --quiet >"$W/lg.$name.log" 2>&1
	[ -n "$hpid" ] && wait "$hpid"
	t1=$(ticks)
	answered=$(sed -n 's/.*: answered \([0-9]*\),.*/\1/p' "$W/lg.$name.log")
	lg=$(sed -n 's/.*sent [0-9]* in \([0-9.]*\) s.*/\1/p' "$W/lg.$name.log")
	[ -n "$hpid" ] && hs=$(sed -n 's/.*completed in .* (\([0-9.]*\)\/s)/\1/p' "$W/hs.$name.log")
	awk -v n="$name" -v a="${answered:-0}" -v s="${lg:-1}" -v c=$((t1 - t0)) -v hz="$hz" -v h="${hs:-0}" \
		'BEGIN { printf "%s %.0f %.0f %s\n", n, a / s, c ? a / (c / hz) : 0, h }' >>"$W/results"
}
SECS_SAVED=$SECS SECS=1
phase warmup
SECS=$SECS_SAVED
# per case, back to back: the load alone, the load with handshakes, the handshakes alone
for ms in "0 0" "0 2" "3 0" "3 2"; do
	set -- $ms
	phase "load.m$1s$2"
	phase "both.m$1s$2" "$1" "$2"
	in_dev "$EDHOC" --for "$SECS" --conf "$W/dev.json" --method "$1" --suite "$2" 10.84.0.1:5683 \
		2>"$W/alone.m$1s$2.log"
	echo "alone.m$1s$2 0 0 $(sed -n 's/.*completed in .* (\([0-9.]*\)\/s)/\1/p' "$W/alone.m$1s$2.log")" >>"$W/results"
done
kill -TERM "$GW_PID"; wait "$GW_PID"; GW_PID=
grep -E "^ +(edhoc_completed|ctl_ring_full|ctl_requests)" "$W/gw.bench.log"
echo "EDHOC in oscore-gw: worker rate with handshakes on the control lcore (${SECS} s each, $(nproc) CPUs)"
awk '
/^load\./ { w0 = $2; c0 = $3 }
/^both\./ { w1 = $2; c1 = $3; h1 = $4 }
/^alone\./ { m = substr($1, 7)
	printf "  %s: worker requests/s %d alone, %d with handshakes (ratio %.2f); per worker CPU-s %d, %d (ratio %.2f)\n",
		m, w0, w1, w0 ? w1 / w0 : 0, c0, c1, c0 ? c1 / c0 : 0
	printf "  %s: handshakes/s %s alone, %s with the load (ratio %.2f)\n", m, $4, h1, $4 ? h1 / $4 : 0 }
' "$W/results"
[ -s "$W/results" ] && ! grep -Eq "^(load|both)[^ ]* 0 " "$W/results"
check "load answered" $?
[ "$fails" -eq 0 ] && [ -z "${KEEP:-}" ] || { for f in "$W"/*.log; do echo "== $f"; cat "$f"; done; exit 1; }
