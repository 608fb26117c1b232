#!/bin/bash
# Group OSCORE through the gateway (issue 13), one worker and the control lcore, in one run of
# this script (so the ratios compare like with like): net_pcap loops a capture (infinite_rx,
# "loadtest_replay") into oscore-gw in respond mode, answers out to net_null, for SECONDS each:
#   fast   1:1 requests only (gen_capture --bench): the fast path alone
#   group  group-mode requests only: AEAD on the worker, signature and answer on the control lcore
#   pair   pairwise-mode requests only: AEAD on the worker, commit and answer on the control lcore
#   mixed  1:1 and group-mode requests interleaved: the fast path while group traffic runs
# and prints the rates per second of run time (answer_protected: 1:1 answers by the worker;
# group_verified: group answers by the control lcore) and the ratio mixed/fast of the 1:1 rate.
#   group_gw_bench.sh BUILD_DIR [N [SECONDS]]
set -eu
B=$1 N=${2:-20000} SECS=${3:-5}
W=$(mktemp -d "${TMPDIR:-/tmp}/oscgw-gbench.XXXXXX")
trap '[ -n "${KEEP:-}" ] || rm -rf "$W"' EXIT
"$B/tests/dataplane/gen_capture" "$W" --bench "$N" >/dev/null
"$B/bench/group_capture" "$W/group.pcap" "$N" group
"$B/bench/group_capture" "$W/pair.pcap" "$N" pairwise
mergecap -w "$W/mixed.pcap" "$W/in.pcap" "$W/group.pcap" # interleaved by timestamp
cp "$W/in.pcap" "$W/fast.pcap"
. "$(dirname "$0")/../tests/dataplane/group_b0.sh"
python3 - "$W/gw.json" "$N" "$(group_b0)" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
n = int(sys.argv[2])
mb = 1
while mb - 1 < 2 * n + 8192:
    mb *= 2
c.update({"mbufs": mb - 1, "tx_port": "net_null0", "loadtest_replay": True,
          "summary_interval": 0, "burst": 32, "replay_window": 192})
c["groups"] = [json.loads(sys.argv[3])]
json.dump(c, open(sys.argv[1], "w"))
PY
run() { # run NAME: the capture NAME.pcap through the gateway; counters in NAME.json
	"$B/dataplane/oscore-gw" --no-huge --no-pci --no-shconf --file-prefix "oscgw-gbench$$" \
		-m 1024 --log-level=warning -l 0-1 \
		--vdev "net_pcap0,rx_pcap=$W/$1.pcap,infinite_rx=1" --vdev net_null0 \
		-- --config "$W/gw.json" --duration "$SECS" --stats-json "$W/$1.json" >"$W/$1.log" 2>&1
}
for r in fast group pair mixed; do run $r; done
python3 - "$W" "$SECS" <<'PY'
import json, sys
w, secs = sys.argv[1], float(sys.argv[2])
import re
def c(name):
    t = json.load(open("%s/%s.json" % (w, name)))["counters"]
    # the run's own length, from the gateway's exit line ("... over 5.012 s")
    m = re.search(r"over ([0-9.]+) s", open("%s/%s.log" % (w, name)).read())
    s = float(m.group(1)) if m else secs
    return lambda k: t.get(k, 0) / s
fast, group, pair, mixed = (c(n) for n in ("fast", "group", "pair", "mixed"))
print("through oscore-gw, 1 worker + the control lcore, about %.0f s each, per second:" % secs)
print("  1:1 fast path alone          %10.0f answers      (worker)" % fast("answer_protected"))
print("  group mode alone             %10.0f answers      (control lcore: signature + answer),"
      " %.0f refused for a full hand-off pool" % (group("group_verified"), group("ctl_ring_full")))
print("  pairwise mode alone          %10.0f answers      (control lcore: commit + answer),"
      " %.0f refused for a full hand-off pool" % (pair("group_verified"), pair("ctl_ring_full")))
print("  mixed: 1:1                   %10.0f answers, group mode %.0f answers, %.0f frames"
      " received (half of them group mode)" %
      (mixed("answer_protected"), mixed("group_verified"), mixed("rx_packets")))
f = fast("answer_protected")
print("  ratio 1:1 rate mixed / alone %10.2f" % (mixed("answer_protected") / f if f else 0))
print("  ratio group mode / pairwise  %10.2f (the control lcore's signature cost)" %
      (group("group_verified") / pair("group_verified") if pair("group_verified") else 0))
PY
