#!/bin/bash
# Several workers fed by the port's spreading (issue 10 items 7 and 8): oscore-gw on net_af_packet
# with qpairs=2 (DPDK 22.11 has no RSS there; the kernel spreads its two sockets by
# PACKET_FANOUT_HASH of the flow) and two worker lcores, 32 devices (32 contexts, each its own UDP
# source port) sending CON requests at once, each request retransmitted byte for byte after its
# answer (RFC 7252 §4.5).
#   - forward mode, a real coap-server-notls upstream, twice (upstream source ports 40000-40001,
#     then 40001-40002): every device gets the upstream's payload, protected under its own
#     context; both workers served devices; each worker protected exactly the answers to the
#     exchanges it forwarded (answers reached the exchange's owner, named by the worker's own
#     upstream source port); port 40001 belongs to worker 1, then to worker 0, and its flow lands
#     on one queue both times, so one run must hand answers over in software (steer_out > 0);
#     every retransmission was answered from its worker's deduplication cache and forwarded once,
#     never refused as a replay (a device's flow stays on one worker);
#   - respond mode: the same, answered by the gateway itself.
#   test_rss_workers.sh OSCORE_GW OSC_CLIENT
set -u
GW=$1 CLIENT=$2
P=oscrss-fwd-workers-$$
W=$(mktemp -d "${TMPDIR:-/tmp}/oscgw-rss.XXXXXX")
. "$(dirname "$0")/netns_gw.sh"
N_DEV=32 COUNT=2
cpus="(0-$(($(nproc) - 1)))"
GW_LCORES="--lcores 0@$cpus,1@$cpus,2@$cpus" GW_VDEV_ARGS=",qpairs=2"
netns_up 10.79.0

# gw.json: MODE_KEYS, then N_DEV contexts, recipient IDs 10..2f (the devices' kids).
write_config() {
	python3 - "$1" "$N_DEV" >"$W/gw.json" <<'PY'
import json, sys
cfg = {"port": "net_af_packet0", "ipv4": "10.79.0.1", "mbufs": 4095, "summary_interval": 0,
       "contexts": [{"master_secret": "%032x" % (0x1000 + i), "sender_id": "01",
                     "recipient_id": "%02x" % (0x10 + i)} for i in range(int(sys.argv[2]))]}
cfg.update(json.loads(sys.argv[1]))
print(json.dumps(cfg, indent=1))
PY
}

# All devices at once, each its own socket (source port); 0 if every one verified every answer.
devices() { # devices RUN PATH
	local pids=() i rc=0
	for i in $(seq 0 $((N_DEV - 1))); do
		in_dev timeout 40 "$CLIENT" --contexts "$W/gw.json" --index "$i" --count "$COUNT" \
			--retransmit --timeout 10 10.79.0.1:5683 "$2" >"$W/dev.$1.$i.log" 2>&1 &
		pids+=($!)
	done
	for i in "${!pids[@]}"; do
		if ! wait "${pids[$i]}"; then
			echo "    device $i failed:"; sed 's/^/      /' "$W/dev.$1.$i.log"; rc=1
		fi
	done
	return $rc
}

# stats RUN 'python expression over c (summed counters), e (osc_err), w (per-worker counters)'
stats() {
	python3 - "$W/stats.$1.json" "$2" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
c, e, w = s["counters"], s["osc_err"], [dict(x) for x in s["workers"]]
for x in w:
    x.setdefault("fwd_requests", 0); x.setdefault("fwd_answers", 0)
    x.setdefault("answer_protected", 0); x.setdefault("dedup_hit", 0)
ok = eval("(" + sys.argv[2] + ")")
print("    per worker:", [{k: v for k, v in x.items() if k in ("rx_packets", "fwd_requests",
      "fwd_answers", "answer_protected", "dedup_hit", "steer_out", "steer_in")} for x in w])
if not ok:
    print("    counters:", {k: v for k, v in c.items() if v}, "osc_err:", {k: v for k, v in e.items() if v})
sys.exit(0 if ok else 1)
PY
}

stop() { kill -TERM "$GW_PID"; wait "$GW_PID"; local rc=$?; GW_PID=; return $rc; }

# One forward run, upstream source ports $2 and $2 + 1; prints its steer_out.
forward_run() { # forward_run RUN SRC_PORT
	local run=$1
	write_config "{\"mode\": \"forward\", \"upstream\": \"10.79.0.3:5683\", \"upstream_source_port\": $2}"
	start_gw "$run" --stats-json "$W/stats.$run.json"
	check "$run: oscore-gw starts in forward mode" $?
	grep -q "2 queue(s)" "$W/gw.$run.log" &&
		grep -q "port 0 (net_af_packet): 2 queue pair(s), RSS none (.*PACKET_FANOUT_HASH" "$W/gw.$run.log"
	check "$run: two workers; the start line says net_af_packet has no RSS but kernel fanout" $?
	devices "$run" /.well-known/core
	check "$run: $N_DEV devices at once, $COUNT requests each, every answer verified" $?
	n=$(cat "$W"/dev."$run".*.log | grep -c 'answer 0: 2.05 ACK piv=-1 .*payload=.*</time>')
	r=$(cat "$W"/dev."$run".*.log | grep -c 'retransmission: the same [0-9]* answer bytes')
	[ "$n" -eq $TOTAL ] && [ "$r" -eq $TOTAL ]
	check "$run: $TOTAL protected 2.05 with the upstream's payload ($n), each retransmission answered with the same bytes ($r)" $?
	stop
	check "$run: oscore-gw exits 0" $?
	stats "$run" "c['fwd_requests'] == $TOTAL and c['fwd_answers'] == $TOTAL and
		c['dedup_hit'] == $TOTAL and e['replay'] == 0 and c['fwd_timeouts'] == 0"
	check "$run: each request forwarded once, each retransmission answered from the cache, no replay refusal" $?
	stats "$run" "len(w) == 2 and all(x['fwd_requests'] > 0 for x in w)"
	check "$run: devices' requests reached both workers" $?
	stats "$run" "all(x['fwd_answers'] == x['fwd_requests'] and x['dedup_hit'] == x['fwd_requests']
		for x in w) and c['steer_in'] == c['steer_out'] + c['steer_neigh_copies'] and
		c['steer_ring_full'] == 0 and c['fwd_up_unknown_token'] == 0"
	check "$run: every upstream answer was protected by the worker that owns its exchange" $?
}

TOTAL=$((N_DEV * COUNT))
if upstream_up 10.79.0.3; then
	# Port 40001 is worker 1's in the first run and worker 0's in the second, and the kernel
	# puts its flow on the same queue both times: one of the runs must steer it in software.
	forward_run fwd-a 40000
	forward_run fwd-b 40001
	steered=$(cat "$W/stats.fwd-a.json" "$W/stats.fwd-b.json" |
		python3 -c 'import json,sys; print(sum(json.loads(l)["counters"]["steer_out"] for l in sys.stdin))')
	echo "    upstream answers steered in software over both runs: $steered"
	[ "$steered" -gt 0 ]
	check "forward: answers arriving on the other worker's queue were handed over (steer_out $steered)" $?
	kill "$UP_PID"; wait "$UP_PID" 2>/dev/null; UP_PID=
else
	echo "SKIP: forward mode (no coap-server-notls)"
fi

write_config '{}'
start_gw respond --stats-json "$W/stats.respond.json"
check "respond: oscore-gw starts" $?
grep -q "2 queue(s)" "$W/gw.respond.log"
check "respond: two workers" $?
devices respond /x
check "respond: $N_DEV devices at once, every answer verified" $?
stop
check "respond: oscore-gw exits 0" $?
stats respond "c['answer_protected'] == $TOTAL and c['dedup_hit'] == $TOTAL and e['replay'] == 0
	and len(w) == 2 and all(x['answer_protected'] > 0 for x in w)
	and all(x['dedup_hit'] == x['answer_protected'] for x in w)"
check "respond: both workers answered; every retransmission from the cache of the worker that answered it" $?

if [ "$fails" -ne 0 ]; then
	for f in "$W"/gw.*.log; do echo "== $f"; cat "$f"; done
	exit 1
fi
echo "test_rss_workers: all checks passed"
