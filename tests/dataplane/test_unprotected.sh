#!/bin/bash
# Unprotected CoAP to oscore-gw (issue 8, item 7): libcoap's coap-client-notls asks for a protected
# resource without OSCORE. A CON request gets a piggybacked 4.01 Unauthorized at once, so the
# client neither retransmits (RFC 7252 §4.2: the gateway used to stay silent, and the client
# retransmitted until its timeout) nor waits; a NON request gets a NON 4.01. The gateway counts
# both, and no retransmission reached it (no deduplication hit).
#   test_unprotected.sh OSCORE_GW
set -u
GW=$1
P=oscunp-h8-$$
W=$(mktemp -d "${TMPDIR:-/tmp}/oscgw-unprot.XXXXXX")
. "$(dirname "$0")/netns_gw.sh"
netns_up 10.75.0

cat >"$W/gw.json" <<JSON
{ "port": "net_af_packet0", "ipv4": "10.75.0.1", "ipv4_prefix": 24, "mbufs": 2047,
  "summary_interval": 0,
  "contexts": [
    { "master_secret": "0102030405060708090a0b0c0d0e0f10", "sender_id": "01", "recipient_id": "0a" } ] }
JSON

start_gw 1
check "oscore-gw starts" $?
# -B 30: without an answer the client would retransmit (ACK_TIMEOUT 2 s) and give up after 30 s
in_dev coap-client-notls -m get -B 30 coap://10.75.0.1/temp >"$W/con.log" 2>&1
grep -q "4.01" "$W/con.log"
check "CON GET /temp without OSCORE: 4.01 Unauthorized" $?
in_dev coap-client-notls -N -m get -B 30 coap://10.75.0.1/temp >"$W/non.log" 2>&1
grep -q "4.01" "$W/non.log"
check "NON GET /temp without OSCORE: 4.01 Unauthorized" $?
kill -TERM "$GW_PID"; wait "$GW_PID"; GW_PID=
grep -E "answer_unauthorized|dedup_hit|answer_rst|drop_silent|osc_err" "$W/gw.1.log"
grep -Eq "answer_unauthorized +2$" "$W/gw.1.log"
check "counted: 2 unauthorized answers" $?
! grep -Eq "dedup_hit|drop_silent" "$W/gw.1.log"
check "no retransmission reached the gateway, nothing dropped silently" $?
if [ "$fails" -ne 0 ]; then
	for f in "$W"/*.log; do echo "== $f"; cat "$f"; done
	exit 1
fi
echo "test_unprotected: all checks passed"
