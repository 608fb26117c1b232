#!/bin/bash
# Benchmark (not a test, issue 9): the workers' rate while ACE tokens arrive. oscore-gw (one
# worker, net_af_packet in namespaces set up by tests/dataplane/netns_gw.sh) serves
# oscore-loadgen live (16 devices, a window of 64 requests, as fast as answers come; fresh
# devices in each phase) for S seconds alone, then S seconds while tests/dataplane/ace_peer.py
# POSTs R distinct tokens per second to /authz-info (each verified, its context derived,
# installed and its scope published on the control lcore), then S seconds alone again. Prints
# the three rates and the ratio of the middle one to the mean of the others (same run), and how
# many tokens made a context. Needs root (namespaces), python3-cbor2/-cryptography.
#   bench/ace_load_bench.sh OSCORE_GW OSCORE_LOADGEN [RATE (1000)] [SECONDS (5)] [enc|sign] [STATE_DB: 0|1]
set -u
GW=$1 LG=$2 RATE=${3:-1000} S=${4:-5} AS=${5:-enc} DB=${6:-0}
PEER="/usr/bin/python3 $(dirname "$0")/../tests/dataplane/ace_peer.py"
P=oscbench-ace-$$
W=$(mktemp -d "${TMPDIR:-/tmp}/oscgw-acebench.XXXXXX")
. "$(dirname "$0")/../tests/dataplane/netns_gw.sh" # namespaces, cleanup, in_dev
netns_up 10.75.0 >/dev/null
[ "$fails" -eq 0 ] || exit 1

K1=231f4c4d4d3051fdc2ec0a3851d5b383
read -r X Y < <($PEER genkey "$W/as2.pem")
key=$K1 kid=as1
[ "$AS" = sign ] && key=$W/as2.pem kid=x
# 16 devices per phase, fresh ones for each (oscore-loadgen starts each at Partial IV 0)
python3 - "$W" <<'PY'
import json, sys
c = [{"master_secret": "%032x" % (0x0102 + i), "sender_id": "01",
      "recipient_id": "%02x" % (0x10 + i)} for i in range(48)]
json.dump(c, open(sys.argv[1] + "/contexts.json", "w"))
for k, name in enumerate(("alone", "tokens", "after")):
    json.dump(c[16 * k:16 * k + 16], open(sys.argv[1] + "/" + name + ".json", "w"))
PY
state=""
[ "$DB" = 1 ] && state='"state_db": "state.db",'
N=$(awk "BEGIN { print int($RATE * ($S + 1)) }")
cat >"$W/gw.json" <<JSON
{ "port": "net_af_packet0", "ipv4": "10.75.0.1", "mbufs": 8191, "summary_interval": 0, $state
  "max_contexts": $((2 * N + 64)), "contexts_file": "contexts.json",
  "id_namespaces": {"direct": [{"prefix": "", "min_len": 1, "max_len": 1}],
                    "ace": [{"prefix": "", "min_len": 3, "max_len": 3}]},
  "ace": {"audience": "coap://gw.example", "max_tokens": $((N + 64)),
          "issuers": [{"name": "as1", "iss": "coap://as.example", "kid_text": "as1",
                       "alg": "AES-CCM-16-64-128", "key": "$K1"},
                      {"name": "as2", "alg": "ES256", "x": "$X", "y": "$Y"}],
          "scopes": {"rTempC": [["/s/temp", 1]]}} }
JSON
ip netns exec "$NS_GW" "$GW" --no-huge --no-pci --no-shconf --file-prefix "$P" -m 1024 -l 0-1 \
	--log-level=warning --vdev net_af_packet0,iface=gdev -- --config "$W/gw.json" \
	>"$W/gw.log" 2>&1 &
GW_PID=$!
for _ in $(seq 300); do grep -q "queue(s)" "$W/gw.log" && break; sleep 0.1; done
grep -q "queue(s)" "$W/gw.log" || { cat "$W/gw.log"; exit 1; }

load() { in_dev "$LG" live --contexts "$W/$1.json" --target 10.75.0.1:5683 --window 64 \
	--duration "$S" --timeout 500 --allow-failures --quiet; }
rate_of() { sed -n 's/.*sent [0-9]* in \([0-9.]*\) s.*answered \([0-9]*\),.*/\2 \1/p' "$1" |
	awk '{ if ($2 > 0) printf "%.0f", $1 / $2; else print 0 }'; }
load alone >"$W/alone.log" 2>&1
# the flood builds its tokens first, then sends for one second more than the load runs
in_dev $PEER flood 10.75.0.1 5683 --rate "$RATE" --seconds "$((S + 1))" --as "$AS" --key "$key" \
	--kid "$kid" >"$W/flood.log" 2>&1 &
F_PID=$!
for _ in $(seq 600); do grep -q "flood: ready" "$W/flood.log" && break; sleep 0.1; done
sleep 0.3
load tokens >"$W/tokens.log" 2>&1
wait "$F_PID"
load after >"$W/after.log" 2>&1
kill -TERM "$GW_PID"; wait "$GW_PID"; GW_PID=
a=$(rate_of "$W/alone.log") b=$(rate_of "$W/tokens.log") c=$(rate_of "$W/after.log")
echo "ace_load_bench: 1 worker, $AS tokens at $RATE/s, state_db $([ "$DB" = 1 ] && echo on || echo off)"
for f in alone tokens after; do printf "%-6s " $f; head -1 "$W/$f.log"; done
grep -v ready "$W/flood.log"
grep -E "ctl_handoff|ctl_ring_full|rate_limited" "$W/gw.log"
# the phases without tokens before and after: their mean is the reference (a shared box drifts)
awk -v a="$a" -v b="$b" -v c="$c" 'BEGIN { m = (a + c) / 2;
	printf "workers: %s and %s answers/s alone (before, after), %s answers/s with tokens arriving: %.2f x\n",
	       a, c, b, m ? b / m : 0 }'
