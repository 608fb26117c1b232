#!/bin/bash
# Forward mode as an RFC 7641 §5 intermediary (issue 10 items 3 and 4), live: namespaces, two
# net_af_packet ports, coap-server-notls upstream, osc_client devices (netns_fwd.sh).
#   Run 1: two devices (two contexts) observe /time: one upstream registration, both get every
#   notification, each under its own context with its own rising Partial IVs; the first cancels
#   and the second keeps getting them; the second (the last) cancels: the registration ends
#   upstream (no notification reaches the gateway afterwards).
#   test_fwd_observe.sh OSCORE_GW OSC_CLIENT
set -u
GW=$1
CLIENT=$2
P=oscgw-fwdobs-$$
W=$(mktemp -d "${TMPDIR:-/tmp}/oscgw-fwdobs.XXXXXX")
A_PID= B_PID=
cleanup_extra() { for p in $A_PID $B_PID; do kill "$p" 2>/dev/null; done; }
. "$(dirname "$0")/netns_fwd.sh"

# dev NAME ARGS...: a device in the background (its pid in $!), output in $W/client.NAME.log
dev() {
	local name=$1

	shift
	ip netns exec "$NS_DEV" timeout 40 "$CLIENT" --contexts "$W/gw.json" "$@" \
		>"$W/client.$name.log" 2>&1 &
}

topology
check "namespaces $NS_DEV, $NS_GW, $NS_UP and veth pairs" $?
start_upstream

# Run 1: two observers of one resource, one upstream registration.
write_config "10.77.0.3:5683" ""
start_gw share
check "oscore-gw (forward) started" $?
dev a --index 0 --observe 2 --cancel --timeout 15 10.77.0.1:5683 /time
A_PID=$!
for _ in $(seq 50); do grep -q "^answer 0: 2.05" "$W/client.a.log" && break; sleep 0.1; done
dev b --index 1 --observe 5 --cancel --timeout 15 10.77.0.1:5683 /time
B_PID=$!
wait "$A_PID"; a_rc=$?; A_PID=
# b's notifications after a's cancellation: a's answer to it came before b's last ones
check "device A: registered, 2 notifications, cancelled (answered without Observe)" \
	$([ "$a_rc" -eq 0 ] && grep -A1 cancelling "$W/client.a.log" |
		grep -q 'answer 0: 2.05 ACK piv=-1 observe=0'; echo $?)
wait "$B_PID"; b_rc=$?; B_PID=
sed 's/^/    a: /' "$W/client.a.log"; sed 's/^/    b: /' "$W/client.b.log"
check "device B: registered, 5 notifications with rising Partial IVs, cancelled" \
	$([ "$b_rc" -eq 0 ] && grep -q 'answer 5: 2.05 NON piv=[0-9]* observe=1' "$W/client.b.log" &&
		grep -A1 cancelling "$W/client.b.log" | grep -q 'answer 0: 2.05 ACK piv=-1 observe=0'
		echo $?)
# /time's payload is the upstream's clock ("Dec 03 15:52:31"): B's notifications sent after the
# answer to A's cancellation
a_cancel=$(grep -A1 cancelling "$W/client.a.log" | sed -n 's/.*payload=.* \([0-9:]*\)$/\1/p')
awk -v t="$a_cancel" '/cancelling/ { exit } /^answer [1-9]: 2.05 NON/ && $NF > t { n++ }
	END { exit !(t != "" && n >= 2) }' "$W/client.b.log"
check "device B kept getting notifications after device A's cancellation" $?
sleep 2.5 # a notification the last cancellation missed would reach the gateway as unknown
stop_gw share >/dev/null
check "oscore-gw exited 0" $?
stats_check share 'c["fwd_observe_registered"] == 1 and c["fwd_observe_joined"] == 1
	and c["fwd_observe_cancelled"] == 2 and c["fwd_observe_deregistered"] == 1
	and c["fwd_observe_unshared"] == 0 and c["fwd_up_unknown_token"] == 0
	and c["fwd_notifications"] >= 7 and c["fwd_ctx_gone"] == 0 and c["fwd_answer_unfit"] == 0
	and c["drop_no_mbuf"] == 0 and sum(e.values()) == 0'
check "counters: 1 upstream registration, 1 join, 2 cancellations, deregistered upstream" $?

if [ "$fails" -ne 0 ]; then
	echo "test_fwd_observe: $fails check(s) failed"
	exit 1
fi
echo "test_fwd_observe: all checks passed"
