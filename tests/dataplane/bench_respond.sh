#!/bin/sh
# Throughput of one worker in respond mode: a generated capture of N good requests looped by
# net_pcap (infinite_rx=1) into oscore-gw with "loadtest_replay" (every loop repeats the Partial
# IVs), answers out to net_null; runs for SECONDS and prints the gateway's counters and rate.
#   bench_respond.sh OSCORE_GW GEN_CAPTURE [N [SECONDS]]
set -eu
GW=$1
GEN=$2
N=${3:-20000}
SECS=${4:-10}
W=$(mktemp -d "${TMPDIR:-/tmp}/oscgw-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT
"$GEN" "$W" --bench "$N" >/dev/null
# mempool: net_pcap infinite_rx keeps a copy of every frame, plus rx/tx rings and bursts in flight
python3 - "$W/gw.json" "$N" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
n = int(sys.argv[2])
mb = 1
while mb - 1 < n + 8192:
    mb *= 2
c.update({"mbufs": mb - 1, "tx_port": "net_null0", "loadtest_replay": True,
          "summary_interval": 2, "burst": 32})
json.dump(c, open(sys.argv[1], "w"))
PY
set -x
"$GW" --no-huge --no-pci --no-shconf --file-prefix "oscgw-bench$$" -m 1024 --log-level=warning \
	-l 0-1 --vdev "net_pcap0,rx_pcap=$W/in.pcap,infinite_rx=1" --vdev net_null0 \
	-- --config "$W/gw.json" --duration "$SECS"
