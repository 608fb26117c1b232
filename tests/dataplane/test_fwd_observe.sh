#!/bin/bash
# Forward mode as an RFC 7641 §5 intermediary (issue 10 items 3 and 4), live: namespaces, two
# net_af_packet ports, coap-server-notls upstream, osc_client devices (netns_fwd.sh).
#   Run 1: two devices (two contexts) observe /time: one upstream registration, both get every
#   notification, each under its own context with its own rising Partial IVs; the first cancels
#   and the second keeps getting them; the second (the last) cancels: the registration ends
#   upstream (no notification reaches the gateway afterwards).
#   Run 2: three devices observe /time; A rejects a notification with a RST and gets nothing more,
#   C closes its socket (its host answers the next notification with ICMP port unreachable),
#   B keeps getting every notification: only A's and C's observations ended.
#   Run 3: observe_con_interval_s 1: a notification goes CON at least every second; D does not
#   acknowledge them and, after max_retransmit retransmissions, its observation ends (a newer
#   notification takes the pending one's place with its retransmission state, RFC 7641 §4.5.2);
#   E acknowledges them and keeps observing.
#   test_fwd_observe.sh OSCORE_GW OSC_CLIENT
set -u
GW=$1
CLIENT=$2
P=oscgw-fwdobs-$$
W=$(mktemp -d "${TMPDIR:-/tmp}/oscgw-fwdobs.XXXXXX")
A_PID= B_PID= C_PID=
cleanup_extra() { for p in $A_PID $B_PID $C_PID; do kill "$p" 2>/dev/null; done; }
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

# wait_answer NAME N: until device NAME printed its answer N (bounded)
wait_answer() {
	for _ in $(seq 100); do grep -q "^answer $2: 2.05" "$W/client.$1.log" && return 0; sleep 0.1; done
	return 1
}

# Run 2: a RST and an ICMP port unreachable each end one device's observation only.
start_upstream
start_gw gone
check "oscore-gw (forward) started" $?
dev b --index 1 --observe 6 --cancel --timeout 15 10.77.0.1:5683 /time
B_PID=$!
wait_answer b 0
dev a --index 0 --observe 1 --reset --watch 3 --timeout 15 10.77.0.1:5683 /time
A_PID=$!
dev c --index 2 --observe 1 --timeout 15 10.77.0.1:5683 /time
C_PID=$!
wait "$C_PID"; c_rc=$?; C_PID=
wait "$A_PID"; a_rc=$?; A_PID=
wait "$B_PID"; b_rc=$?; B_PID=
for d in a b c; do sed "s/^/    $d: /" "$W/client.$d.log"; done
[ "$a_rc" -eq 0 ] && grep -q "^reset notification" "$W/client.a.log" &&
	grep -q "^watch: 0 datagram(s)" "$W/client.a.log"
check "device A reset a notification and got none in the next 3 s" $?
check "device C got a notification, then closed its socket" "$c_rc"
[ "$b_rc" -eq 0 ] && grep -q 'answer 6: 2.05 NON' "$W/client.b.log"
check "device B got every notification to the end, and cancelled" $?
stop_gw gone >/dev/null
check "oscore-gw exited 0" $?
stats_check gone 'c["fwd_observe_rst"] == 1 and c["fwd_observe_unreachable"] == 1
	and c["icmp_unreach"] >= 1 and c["fwd_observe_registered"] == 1
	and c["fwd_observe_joined"] == 2 and c["fwd_observe_deregistered"] == 1
	and c["fwd_ctx_gone"] == 0 and sum(e.values()) == 0'
check "counters: 1 observation ended by RST, 1 by ICMP unreachable, B's by its cancellation" $?

# Run 3: CON notifications every second; D never acknowledges one, E does.
start_upstream
write_config "10.77.0.3:5683" '"observe_con_interval_s": 1, "ack_timeout_ms": 200,
  "ack_random_factor": 1.0, "max_retransmit": 2,'
start_gw con
check "oscore-gw (forward, CON every 1 s, ACK_TIMEOUT 200 ms, MAX_RETRANSMIT 2) started" $?
dev e --index 1 --observe 6 --cancel --timeout 15 10.77.0.1:5683 /time
B_PID=$!
wait_answer e 0
dev d --index 0 --observe 1 --no-ack --watch 5 --timeout 15 10.77.0.1:5683 /time
A_PID=$!
wait "$A_PID"; d_rc=$?; A_PID=
wait "$B_PID"; e_rc=$?; B_PID=
for d in d e; do sed "s/^/    $d: /" "$W/client.$d.log"; done
[ "$d_rc" -eq 0 ] && grep -q "^duplicate CON" "$W/client.d.log"
check "device D: CON notifications, retransmitted while it does not ACK them" $?
[ "$e_rc" -eq 0 ] && grep -q 'answer 6: 2.05 [CN]O' "$W/client.e.log" &&
	grep -q 'answer [1-6]: 2.05 CON' "$W/client.e.log"
check "device E: every notification to the end, CON ones among them (acknowledged)" $?
stop_gw con >/dev/null
check "oscore-gw exited 0" $?
stats_check con 'c["fwd_observe_con_lost"] == 1 and c["fwd_observe_con_retransmit"] >= 2
	and c["fwd_observe_con_acked"] >= 2 and c["fwd_observe_rst"] == 0
	and c["fwd_observe_unreachable"] == 0 and c["fwd_up_acks_sent"] >= 1 and sum(e.values()) == 0'
check "counters: D's observation ended after 2 unacknowledged retransmissions, E's CONs ACKed, upstream CON notifications ACKed" $?

no_sanitizer_reports
check "no sanitizer report or DPDK heap error from any gateway run" $?

if [ "$fails" -ne 0 ]; then
	echo "test_fwd_observe: $fails check(s) failed"
	exit 1
fi
echo "test_fwd_observe: all checks passed"
