#!/bin/bash
# Forward mode towards the upstream (issue 10 item 9), live: namespaces, two net_af_packet ports,
# coap-server-notls behind udp_lossy.py (a relay in the upstream's namespace), osc_client devices.
#   Run 1: the relay drops the gateway's first datagram: the CON request is sent again after
#   ACK_TIMEOUT (RFC 7252 §4.2) with its Message ID and answered; the answer's Max-Age reaches
#   the device. A separate response (/async: empty ACK, then the answer, §5.2.2; libcoap 4.3.1
#   sends it NON, so the ACK of a CON answer is checked in test_fwd_observe, whose upstream sends
#   CON notifications) reaches the device, and the empty ACK stops the retransmissions.
#   Run 2: the relay resets every CON: the device gets a protected 5.04 at once, long before the
#   gateway's upstream timeout.
#   Run 3 (issue 10 item 10): "upstreams" routes /r2/... to a second coap-server-notls
#   (10.77.0.4), everything else to the default: a PUT creates /r2/x there, a GET reads it back,
#   a GET of /x goes to the default upstream, which does not have it (4.04); --check-config
#   prints the routes.
#   test_fwd_upstream.sh OSCORE_GW OSC_CLIENT
set -u
GW=$1
CLIENT=$2
P=oscgw-fwdup-$$
W=$(mktemp -d "${TMPDIR:-/tmp}/oscgw-fwdup.XXXXXX")
RELAY_PID= SRV2_PID=
cleanup_extra() { for p in $RELAY_PID $SRV2_PID; do kill "$p" 2>/dev/null; done; }
. "$(dirname "$0")/netns_fwd.sh"
RELAY=$(dirname "$0")/udp_lossy.py

# relay_up ARGS...: coap-server-notls on the upstream's loopback, the relay on 10.77.0.3:5683
relay_up() {
	[ -n "$RELAY_PID" ] && kill "$RELAY_PID" 2>/dev/null && wait "$RELAY_PID" 2>/dev/null
	ip netns exec "$NS_UP" python3 "$RELAY" 10.77.0.3:5683 127.0.0.1:5684 "$@" \
		>"$W/relay.log" 2>&1 &
	RELAY_PID=$!
	for _ in $(seq 50); do grep -q "^ready" "$W/relay.log" && return 0; sleep 0.1; done
	return 1
}

topology
check "namespaces $NS_DEV, $NS_GW, $NS_UP and veth pairs" $?
ip netns exec "$NS_UP" coap-server-notls -A 127.0.0.1 -p 5684 -v 0 >"$W/server.log" 2>&1 &
SRV_PID=$!

# Run 1: one lost CON request, recovered; a separate response.
relay_up --drop 1
check "relay dropping the first datagram listens" $?
write_config "10.77.0.3:5683" '"upstream_timeout_ms": 5000, "ack_timeout_ms": 300,
  "ack_random_factor": 1.0, "max_retransmit": 4,'
start_gw loss
check "oscore-gw (forward, ACK_TIMEOUT 300 ms) started" $?
client loss --index 0 --timeout 4 10.77.0.1:5683 /time &&
	grep -q 'answer 0: 2.05 ACK piv=-1 observe=0 payload=[A-Z]' "$W/client.loss.log"
check "the first request was lost upstream; its retransmission was answered: protected 2.05" $?
sed 's/^/    relay: /' "$W/relay.log"
first=$(sed -n 's/^dropped mid //p' "$W/relay.log")
[ -n "$first" ] && grep -qx "relayed mid $first" "$W/relay.log"
check "the retransmission kept the Message ID of the lost copy (RFC 7252 §4.2)" $?
grep -q '^answer 0: max-age=[0-9]' "$W/client.loss.log"
check "the upstream's Max-Age reached the device (inside the protected answer)" $?
client async --index 1 --timeout 4 10.77.0.1:5683 "/async?1" &&
	grep -q 'answer 0: 2.05 ACK' "$W/client.async.log"
check "separate response (empty ACK, then the CON answer): protected 2.05 to the device" $?
sed 's/^/    relay: /' "$W/relay.log"
stop_gw loss >/dev/null
check "oscore-gw exited 0" $?
stats_check loss 'c["fwd_up_retransmit"] == 1 and c["fwd_timeouts"] == 0
	and c["fwd_up_empty_ack"] == 1 and c["fwd_answers"] == 2
	and sum(e.values()) == 0'
check "counters: 1 retransmission (none after the empty ACK), both answered" $?

# Run 2: the upstream resets the request.
relay_up --rst
check "relay resetting every CON listens" $?
write_config "10.77.0.3:5683" '"upstream_timeout_ms": 20000, "ack_timeout_ms": 10000,'
start_gw rst
check "oscore-gw (forward, upstream timeout 20 s) started" $?
# the timeouts are 10 and 20 s: a 5.04 within the client's 5 s can only come from the RST
client rst --index 0 --timeout 5 --expect 5.04 10.77.0.1:5683 /time &&
	grep -q 'answer 0: 5.04 ACK' "$W/client.rst.log"
check "upstream RST: protected 5.04 to the device at once" $?
stop_gw rst >/dev/null
check "oscore-gw exited 0" $?
stats_check rst 'c["fwd_up_rst"] == 1 and c["fwd_timeouts"] == 1 and c["fwd_up_retransmit"] == 0
	and sum(e.values()) == 0'
check "counters: the RST ended the exchange with a 5.04, no retransmission" $?

# Run 3: two upstreams, routed by the inner Uri-Path.
relay_up
check "relay passing everything listens" $?
in_up ip addr add 10.77.0.4/24 dev vup
ip netns exec "$NS_UP" coap-server-notls -A 10.77.0.4 -p 5683 -d 4 -v 0 >"$W/server2.log" 2>&1 &
SRV2_PID=$!
write_config "10.77.0.3:5683" '"upstreams": [ { "uri_path": "/r2", "upstream": "10.77.0.4:5683" } ],'
"$GW" --check-config "$W/gw.json" >"$W/check.routes.log" 2>&1 &&
	grep -q 'route 0: Uri-Path /r2... -> 10.77.0.4:5683' "$W/check.routes.log"
check "--check-config prints the route" $?
start_gw routes
check "oscore-gw (forward, two upstreams) started" $?
client put2 --index 0 --method PUT --payload two 10.77.0.1:5683 /r2/x &&
	grep -q 'answer 0: 2.01' "$W/client.put2.log"
check "PUT /r2/x went to the second upstream: 2.01 Created" $?
client get2 --index 1 10.77.0.1:5683 /r2/x &&
	grep -q 'answer 0: 2.05 ACK piv=-1 observe=0 payload=two' "$W/client.get2.log"
check "GET /r2/x reads it back from there" $?
client get1 --index 2 --expect 4.04 10.77.0.1:5683 /x
check "GET /x went to the default upstream, which has no /x: 4.04" $?
stop_gw routes >/dev/null
check "oscore-gw exited 0" $?
stats_check routes 'c["fwd_routed"] == 2 and c["fwd_requests"] == 3 and c["fwd_answers"] == 3
	and c["fwd_up_unknown_token"] == 0 and sum(e.values()) == 0'
check "counters: 2 requests routed, 1 to the default" $?
printf '{ "mode": "forward", "port": "0", "ipv4": "10.77.0.1", "upstream": "10.77.0.3:5683",
  "upstreams": [ { "uri_path": "r2", "upstream": "10.77.0.4:5683" } ], "contexts": [] }\n' \
	>"$W/bad.json"
"$GW" --check-config "$W/bad.json" 2>&1 | grep -q "bad.json: upstreams: \[0\].uri_path: expected"
check "a bad route is refused naming the file and the field" $?

no_sanitizer_reports
check "no sanitizer report or DPDK heap error from any gateway run" $?

if [ "$fails" -ne 0 ]; then
	echo "test_fwd_upstream: $fails check(s) failed"
	exit 1
fi
echo "test_fwd_upstream: all checks passed"
