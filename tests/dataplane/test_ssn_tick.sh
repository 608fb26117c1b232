#!/bin/bash
# RFC 8613 App. B.1.1 write-ahead under a long control-plane operation (issue 8 item 5): with
# "state_db", "response_piv": "own" and a small K_SSN, a device streams requests, each answered
# with a fresh Partial IV of the gateway's, while oscore-gwctl bulk-adds N contexts (one long
# /oscore/ctx/load on the control lcore). The SSN ceilings must keep being written ahead during
# the add: no answer may fall back to 5.03 for an SSN that is not durable. Before the fix the
# tick ran in the control loop, which the add held up: after K_SSN answers every answer was 5.03.
#   test_ssn_tick.sh OSCORE_GW OSC_CLIENT OSCORE_GWCTL [N]
set -u
GW=$1 CLIENT=$2 CTL=$3 N=${4:-3000}
K=1024
P=oscssn-ctlplane-$$
W=$(mktemp -d "${TMPDIR:-/tmp}/oscgw-ssn.XXXXXX")
C_PID=
cleanup_extra() { [ -n "$C_PID" ] && kill "$C_PID" 2>/dev/null && wait "$C_PID" 2>/dev/null; }
. "$(dirname "$0")/netns_gw.sh"
netns_up 10.79.0

cat >"$W/gw.json" <<JSON
{ "port": "net_af_packet0", "ipv4": "10.79.0.1", "mbufs": 2047, "summary_interval": 0,
  "state_db": "state.db", "k_ssn": $K, "response_piv": "own", "max_contexts": $((N + 2)),
  "contexts": [
    { "master_secret": "0102030405060708090a0b0c0d0e0f10", "sender_id": "01", "recipient_id": "0a" } ] }
JSON
# N contexts with 3-byte Recipient IDs (never the device's "0a")
python3 - "$W/big.json" "$N" <<'PY'
import hashlib, sys
path, n = sys.argv[1], int(sys.argv[2])
with open(path, "w") as f:
    f.write("[")
    for i in range(n):
        s = hashlib.sha256(b"ssn_tick" + i.to_bytes(4, "big")).hexdigest()[:32]
        f.write('%s{"master_secret":"%s","sender_id":"01","recipient_id":"%06x"}'
                % ("," if i else "", s, i + 0x100000))
    f.write("]")
PY

start_gw 1
check "oscore-gw starts" $?
# not through in_dev: $! must be the client's pid; timeout bounds it if this script dies first
timeout 300 ip netns exec "$NS_DEV" "$CLIENT" --contexts "$W/gw.json" --timeout 2 \
	--count 100000000 10.79.0.1:5683 /x >"$W/dev.log" 2>&1 &
C_PID=$!
answers() { grep -c "^answer " "$W/dev.log"; }
for _ in $(seq 100); do [ "$(answers)" -gt 10 ] && break; sleep 0.1; done
a1=$(answers)
check "the device is answered before the add ($a1 answers)" $((a1 <= 10))
"$CTL" --prefix "$GW_PREFIX" add --bulk "$W/big.json" >"$W/add.log" 2>&1
check "bulk add of $N contexts" $?
a2=$(answers)
kill "$C_PID"; wait "$C_PID" 2>/dev/null; C_PID=
during=$((a2 - a1))
echo "answers during the add: $during (K_SSN $K)"
# without this the test would prove nothing: more than K_SSN answers needed a write-ahead
check "the device was answered well past K_SSN during the add" $((during <= 2 * K))
n503=$(grep -c "^answer .*: 5.03" "$W/dev.log")
check "no 5.03 (SSN not durable) among $a2 answers" "$n503"
check "every answer verified with its own Partial IV" \
	$(grep "^answer " "$W/dev.log" | grep -v " 2.05 " | grep -q . ; echo $((! $?)))
kill -TERM "$GW_PID"; wait "$GW_PID"; GW_PID=
grep -E "ssn_not_durable|b12_ssn_limit" "$W/gw.1.log"
if [ "$fails" -ne 0 ]; then
	for f in "$W"/*.log; do echo "== $f"; tail -n 20 "$f"; done
	exit 1
fi
echo "test_ssn_tick: all checks passed"
