#!/bin/sh
# Two workers on the same contexts (issue 3, "Done when" 3): one net_pcap port with two rx queues
# (in0.pcap, in1.pcap), each polled by its own worker lcore, carrying the same contexts' requests
# with duplicates across the files (the same frame reaches both workers) and within them (replays
# with a new Message ID). Whatever the interleaving, no Partial IV may be answered twice: the
# protected answers must number exactly the unique requests, each token answered protected once,
# and every duplicate must be refused as a replay (exact counters).
#   test_two_workers.sh OSCORE_GW GEN_CAPTURE
set -u
GW=$1
GEN=$2
W=$(mktemp -d "${TMPDIR:-/tmp}/oscgw-two.XXXXXX")
trap 'rm -rf "$W"' EXIT
fails=0

check() {
	if [ "$2" -eq 0 ]; then echo "PASS: $1"; else echo "FAIL: $1"; fails=$((fails + 1)); fi
}

"$GEN" "$W" --two-workers
check "gen_capture wrote both captures" $?

# Three lcores, the main (control) one and two workers, floating over whatever CPUs there are: on
# a machine with fewer cores they share them, which only slows the run down.
cpus="(0-$(($(nproc) - 1)))"
timeout 120 "$GW" --no-huge --no-pci --no-shconf --file-prefix "oscgw-two$$" -m 512 \
	--log-level=warning --lcores "0@$cpus,1@$cpus,2@$cpus" \
	--vdev "net_pcap0,rx_pcap=$W/in0.pcap,rx_pcap=$W/in1.pcap,tx_pcap=$W/out0.pcap,tx_pcap=$W/out1.pcap" \
	-- --config "$W/gw.json" --idle-exit 2 --stats-json "$W/stats.json" >"$W/gw.log" 2>&1
rc=$?
cat "$W/gw.log"
check "oscore-gw ran and exited 0 on idle" $rc
grep -q "2 queue(s)" "$W/gw.log"
check "two queues, so two workers" $?

python3 - "$W/expected.json" "$W/stats.json" <<'PY'
import json, sys
exp, got = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
bad = 0
for group in ("counters", "osc_err"):
    for name, value in got[group].items():
        want = exp[group].get(name, 0)
        bad += value != want
        if want or value:
            print("%s: %s.%s = %d (expected %d)" % ("PASS" if value == want else "FAIL", group, name, value, want))
sys.exit(1 if bad else 0)
PY
check "every counter equals the expected value" $?

# Protected answers carry OSCORE and the request's token; a token answered protected twice would be
# a Partial IV accepted twice.
mergecap -w "$W/out.pcap" "$W/out0.pcap" "$W/out1.pcap"
tshark -r "$W/out.pcap" -Y 'oscore && coap.code >= 64' -T fields -e coap.token 2>/dev/null \
	| sort >"$W/tokens"
want=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["tshark_protected"])' "$W/expected.json")
total=$(wc -l <"$W/tokens")
unique=$(sort -u "$W/tokens" | wc -l)
echo "protected answers: $total, distinct tokens: $unique, unique requests: $want"
[ "$total" -eq "$want" ] && [ "$unique" -eq "$want" ]
check "each unique request answered protected exactly once" $?

if [ "$fails" -ne 0 ]; then
	echo "test_two_workers: $fails check(s) failed; work dir kept: $W"
	trap - EXIT
	exit 1
fi
echo "test_two_workers: all checks passed"
