#!/bin/bash
# Benchmark (not a test): N contexts (default 1M) added through the control path
# (oscore-gwctl add --bulk, i.e. /oscore/ctx/load) into a running oscore-gw with max_contexts N + 1
# while a device keeps sending requests. Prints contexts/s and the device's answer rate before
# and during the add, and their ratio (same run). Issue 5 target: >= 100k contexts/s without
# stalling the workers. Needs root (namespaces), python3.
#   bench/ctx_add_bench.sh OSCORE_GW OSC_CLIENT OSCORE_GWCTL [N] [STATE_DB: 0|1]
set -u
GW=$1 CLIENT=$2 CTL=$3 N=${4:-1000000} DB=${5:-0}
P=oscbench-$$
NS_DEV=$P-dev NS_GW=$P-gw
W=$(mktemp -d "${TMPDIR:-/tmp}/oscgw-bench.XXXXXX")
GW_PID= C_PID=

if [ "$(id -u)" -ne 0 ]; then echo "SKIP: needs root"; exit 77; fi
cleanup() {
	[ -n "$C_PID" ] && kill "$C_PID" 2>/dev/null && wait "$C_PID" 2>/dev/null
	[ -n "$GW_PID" ] && kill -KILL "$GW_PID" 2>/dev/null && wait "$GW_PID" 2>/dev/null
	for ns in "$NS_DEV" "$NS_GW"; do ip netns del "$ns" 2>/dev/null; done
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
in_dev() { ip netns exec "$NS_DEV" "$@"; }

ip netns add "$NS_DEV" && ip netns add "$NS_GW" &&
ip link add vdev netns "$NS_DEV" type veth peer name gdev netns "$NS_GW" &&
in_dev ethtool -K vdev tx off >/dev/null && # complete UDP checksums (tests/dataplane/netns_gw.sh)
ip netns exec "$NS_GW" sysctl -qw net.ipv6.conf.gdev.disable_ipv6=1 &&
ip netns exec "$NS_GW" ip link set gdev up &&
in_dev ip addr add 10.76.0.2/24 dev vdev && in_dev ip link set vdev up || exit 1

state=""
[ "$DB" = 1 ] && state='"state_db": "state.db",'
cat >"$W/gw.json" <<JSON
{ "port": "net_af_packet0", "ipv4": "10.76.0.1", "mbufs": 2047, "summary_interval": 0,
  "max_contexts": $((N + 1)), $state
  "contexts": [
    { "master_secret": "0102030405060708090a0b0c0d0e0f10", "sender_id": "01", "recipient_id": "0a" } ] }
JSON
# N contexts with 3-byte Recipient IDs (never the device's 1-byte "0a"), secrets from a seed
python3 - "$W/big.json" "$N" <<'PY'
import hashlib, sys
path, n = sys.argv[1], int(sys.argv[2])
seed = hashlib.sha256(b"ctx_add_bench").digest()
with open(path, "w") as f:
    f.write("[")
    for i in range(n):
        s = hashlib.sha256(seed + i.to_bytes(4, "big")).hexdigest()[:32]
        f.write('%s{"master_secret":"%s","sender_id":"01","recipient_id":"%06x"}'
                % ("," if i else "", s, i + 0x100000))
    f.write("]")
PY

ip netns exec "$NS_GW" "$GW" --no-huge --no-pci --no-shconf --file-prefix "$P" -m 3072 -l 0-1 \
	--log-level=warning --vdev net_af_packet0,iface=gdev -- --config "$W/gw.json" \
	>"$W/gw.log" 2>&1 &
GW_PID=$!
for _ in $(seq 300); do grep -q "queue(s)" "$W/gw.log" && break; sleep 0.1; done
grep -q "queue(s)" "$W/gw.log" || { cat "$W/gw.log"; exit 1; }

# not through in_dev: $! must be the client's pid (ip netns exec execs it), not a subshell's
ip netns exec "$NS_DEV" "$CLIENT" --contexts "$W/gw.json" --timeout 0.5 --count 1000000000 \
	10.76.0.1:5683 /x >"$W/dev.log" 2>&1 &
C_PID=$!
answers() { grep -c "^answer .*: 2.05" "$W/dev.log"; }
now() { date +%s.%N; }
sleep 1
a0=$(answers) t0=$(now)
sleep 3
# CPU seconds of the main lcore (the control loop runs the add): on a shared box it may get far
# less than a core, so contexts per CPU second is printed as well
cpu() { awk '{ print ($14 + $15) / '"$(getconf CLK_TCK)"' }' "/proc/$GW_PID/task/$GW_PID/stat"; }
# schedstat: ns on a CPU, ns runnable but waiting for one (a shared box shows up here)
wait_ns() { awk '{ print $2 }' "/proc/$GW_PID/task/$GW_PID/schedstat"; }
a1=$(answers) t1=$(now) c1=$(cpu) q1=$(wait_ns)
"$CTL" --prefix "$P" add --bulk "$W/big.json" >"$W/add.log" 2>&1
rc=$?
a2=$(answers) t2=$(now) c2=$(cpu) q2=$(wait_ns)
"$CTL" --prefix "$P" list >"$W/list.log" 2>&1
python3 - "$a0" "$t0" "$a1" "$t1" "$a2" "$t2" "$N" "$W/add.log" "$rc" "$DB" "$c1" "$c2" "$q1" "$q2" <<'PY'
import json, re, sys
runq = (float(sys.argv[14]) - float(sys.argv[13])) / 1e9
cpu = float(sys.argv[12]) - float(sys.argv[11])
a0, t0, a1, t1, a2, t2 = (float(x) for x in sys.argv[1:7])
n, log, rc, db = int(sys.argv[7]), open(sys.argv[8]).read(), int(sys.argv[9]), sys.argv[10]
m = re.search(r"\{.*\}", log, re.S)
ans = json.loads(m.group(0)) if m else {}
added = ans.get("added", 0)
secs = ans.get("microseconds", 0) / 1e6 or (t2 - t1)
before, during = (a1 - a0) / (t1 - t0), (a2 - a1) / (t2 - t1)
print("ctx_add_bench: state_db %s, gwctl rc %d, answer %s" % ("on" if db == "1" else "off", rc, log.strip()[:200]))
print("contexts added: %d of %d in %.2f s (gateway's timing): %.0f contexts/s (target >= 100000)"
      % (added, n, secs, added / secs if secs else 0))
print("end to end (gwctl call, the gateway's JSON parse included): %.0f contexts/s"
      % (added / (t2 - t1)))
print("main lcore CPU during the add: %.2f s of %.2f s wall (%.0f%% of a core): %.0f contexts per CPU second"
      % (cpu, t2 - t1, 100 * cpu / (t2 - t1), added / cpu if cpu else 0))
print("main lcore runnable but waiting for a CPU during the add: %.2f s (the box's other load)"
      % runq)
print("device answers: %.0f/s before the add, %.0f/s during it (%.2f x), wall %.2f s"
      % (before, during, during / before if before else 0, t2 - t1))
PY
grep -o '"count":[0-9]*' "$W/list.log" | head -1
