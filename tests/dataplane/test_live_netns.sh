#!/bin/bash
# Live forward mode (issue 3, "Done when" 2): three network namespaces joined by two veth pairs,
#   device (osc_client) --veth-- gateway (oscore-gw on net_af_packet, two ports) --veth-- upstream
#   (coap-server-notls),
# all on 10.77.0.0/24 and fd77::/64 (the gateway is .1 / ::1 on both links). Checks that OSCORE
# requests over IPv4 and IPv6 come back protected with the upstream's payload, that an Observe
# registration on /time delivers protected notifications with the gateway's own increasing
# Partial IVs, that the counters match, that an IPv6 upstream is resolved by neighbour
# solicitation, and that an upstream that does not answer yields a protected 5.04. Issue 10: a
# retransmitted CON whose answer is 1 KB gets the same bytes again (RFC 7252 §4.5); a context
# removed while its request waits on a slow upstream and while it observes, then replaced by a
# context in the same slot, gets nothing sent under the new keys.
#   test_live_netns.sh OSCORE_GW OSC_CLIENT OSCORE_GWCTL
set -u
GW=$1
CLIENT=$2
CTL=$3
P=oscgw-fwd-$$
W=$(mktemp -d "${TMPDIR:-/tmp}/oscgw-live.XXXXXX")
SLOW_PID= OBS_PID=
cleanup_extra() { for p in $SLOW_PID $OBS_PID; do kill "$p" 2>/dev/null; done; }
. "$(dirname "$0")/netns_fwd.sh"

topology
check "namespaces $NS_DEV, $NS_GW, $NS_UP and veth pairs" $?
start_upstream

# Run 1: IPv4 upstream, learned by ARP; devices over IPv4 and IPv6.
write_config "10.77.0.3:5683" ""
start_gw v4
check "oscore-gw (forward, IPv4 upstream, two net_af_packet ports) started" $?
client wk4 --index 0 --count 3 10.77.0.1:5683 /.well-known/core &&
	grep -c 'answer 0: 2.05 ACK piv=-1 .*payload=.*</time>' "$W/client.wk4.log" | grep -qx 3
check "3 requests over IPv4: protected 2.05, piggybacked, payload from the upstream" $?
client wk6 --index 1 --count 2 "[fd77::1]:5683" /.well-known/core &&
	grep -c 'answer 0: 2.05 ACK .*payload=.*</time>' "$W/client.wk6.log" | grep -qx 2
check "2 requests over IPv6: protected 2.05 with the upstream's payload" $?
client obs --index 2 --observe 2 --cancel --timeout 15 10.77.0.1:5683 /time &&
	grep -q 'answer 2: 2.05 NON piv=[0-9]* observe=1' "$W/client.obs.log" &&
	grep -A1 cancelling "$W/client.obs.log" | grep -q 'answer 0: 2.05 ACK piv=-1 observe=0'
check "Observe /time: registration answered, 2 notifications with the gateway's own rising Partial IVs, cancelled" $?
sleep 2.2 # a notification the cancellation missed would show in the counters
in_dev python3 - <<'PY'
# One ICMP echo to each of the gateway's addresses (ping may not be installed): RFC 792, RFC 4443.
import socket, struct, sys
def echo(family, proto, addr, typ, reply):
    s = socket.socket(family, socket.SOCK_RAW, proto)
    s.settimeout(3)
    msg = struct.pack("!BBHHH", typ, 0, 0, 0x4242, 1) + b"oscgw"
    if family == socket.AF_INET:  # IPv4 needs our checksum; the kernel fills ICMPv6's
        c = sum(struct.unpack("!%dH" % ((len(msg) + 1) // 2), msg + b"\0" * (len(msg) % 2)))
        c = (c >> 16) + (c & 0xffff); c += c >> 16
        msg = msg[:2] + struct.pack("!H", ~c & 0xffff) + msg[4:]
    s.sendto(msg, (addr, 0))
    while True:
        data = s.recv(2048)
        icmp = data[(data[0] & 15) * 4:] if family == socket.AF_INET else data
        if icmp[0] == reply and icmp[4:6] == b"\x42\x42":
            return
ok = True
for fam, proto, addr, typ, reply in ((socket.AF_INET, 1, "10.77.0.1", 8, 0),
                                     (socket.AF_INET6, 58, "fd77::1", 128, 129)):
    try:
        echo(fam, proto, addr, typ, reply); print("    echo reply from", addr)
    except OSError as e:
        print("    no echo reply from", addr, e); ok = False
sys.exit(0 if ok else 1)
PY
check "ICMP echo to the gateway's IPv4 and (after neighbour solicitation) IPv6 address" $?
stop_gw v4
check "oscore-gw exited 0 on SIGTERM" $?
stats_check v4 'c["fwd_requests"] == 7 and c["fwd_answers"] == 7 and c["fwd_notifications"] == 2
	and c["fwd_observe_cancelled"] == 1
	and c["answer_protected"] == c["fwd_answers"] + c["fwd_notifications"]
	and c["fwd_timeouts"] == 0 and c["fwd_table_full"] == 0 and c["fwd_request_unfit"] == 0
	and c["fwd_answer_unfit"] == 0 and c["fwd_up_unknown_token"] == 0 and c["fwd_up_bad"] == 0
	and c["answer_error"] == 0 and c["drop_neigh"] == 0 and c["drop_no_slot"] == 0
	and c["neigh_learned"] >= 1 and c["nd_adverts"] >= 1 and c["icmp6_echo_replies"] == 1
	and sum(e.values()) == 0'
check "counters: 7 forwarded, 7 answered, 2 notifications, 1 cancellation, no errors" $?

# Run 2: IPv6 upstream, learned by neighbour solicitation.
start_upstream
write_config "[fd77::3]:5683" ""
start_gw v6
check "oscore-gw (forward, IPv6 upstream) started" $?
client up6 --index 0 --count 2 10.77.0.1:5683 /.well-known/core &&
	grep -c 'answer 0: 2.05 .*</time>' "$W/client.up6.log" | grep -qx 2
check "2 requests over IPv4 to an IPv6 upstream: protected answers with its payload" $?
stop_gw v6
check "oscore-gw exited 0" $?
stats_check v6 'c["fwd_requests"] == 2 and c["fwd_answers"] == 2 and c["neigh_requests"] >= 1
	and c["neigh_learned"] >= 1 and sum(e.values()) == 0 and c["fwd_timeouts"] == 0'
check "counters: neighbour solicited and learned, 2 forwarded and answered" $?

# Run 3: nobody answers on the upstream port: protected 5.04 after the configured timeout.
# The upstream's MAC is a static neighbour: no ARP.
mac=$(in_up cat /sys/class/net/vup/address)
write_config "10.77.0.3:5699" "\"upstream_timeout_ms\": 300, \"neighbours\": [{\"ip\": \"10.77.0.3\", \"mac\": \"$mac\"}],"
start_gw timeout
check "oscore-gw (upstream absent) started" $?
client t504 --index 0 --count 2 --expect 5.04 10.77.0.1:5683 /time &&
	grep -c 'answer 0: 5.04 ACK piv=-1' "$W/client.t504.log" | grep -qx 2 &&
	awk '/first answer after/ { if ($4 < 250 || $4 > 1000) bad = 1 } END { exit bad }' \
		"$W/client.t504.log"
check "no upstream answer: protected 5.04 Gateway Timeout, piggybacked, after 250-1000 ms (timeout 300)" $?
stop_gw timeout
check "oscore-gw exited 0" $?
stats_check timeout 'c["fwd_requests"] == 2 and c["fwd_timeouts"] == 2 and c["fwd_answers"] == 0
	and c["answer_protected"] == 2 and c["neigh_requests"] == 0 and sum(e.values()) == 0'
check "counters: 2 timeouts, static neighbour (no ARP)" $?

# Run 4: a retransmission of a CON whose answer is about 1 KB (a Block2-sized answer) gets the
# same answer bytes from the deduplication cache, not 4.01 Replay detected (issue 10 item 2).
start_upstream
write_config "10.77.0.3:5683" ""
start_gw big
check "oscore-gw (forward, 1 KB answers) started" $?
BIG=$(printf 'b%.0s' $(seq 1000))
client put --index 0 --method PUT --payload "$BIG" 10.77.0.1:5683 /big >/dev/null &&
	grep -q 'answer 0: 2.01' "$W/client.put.log"
check "PUT of 1000 bytes through the gateway: 2.01 Created upstream" $?
client retx --index 0 --retransmit 10.77.0.1:5683 /big >/dev/null &&
	grep -q "answer 0: 2.05 ACK piv=-1 observe=0 payload=$BIG" "$W/client.retx.log" &&
	awk '/^retransmission: the same/ { ok = $5 > 1000 } END { exit !ok }' "$W/client.retx.log"
check "retransmitted GET: the same answer bytes (over 1000) as the first time" $?
stop_gw big >/dev/null
check "oscore-gw exited 0" $?
stats_check big 'c["dedup_hit"] == 1 and c["dedup_big_kept"] >= 1 and c["answer_error"] == 0
	and c["dedup_pool_full"] == 0 and c["dedup_no_copy"] == 0 and sum(e.values()) == 0
	and c["fwd_requests"] == 2'
check "counters: 1 dedup hit from the large-answer pool, no OSCORE error" $?

# Run 5: context churn under waiting exchanges (issue 10 item 1, STYLE.md §12). Context 0 (kid
# empty, slot 0) has a request waiting on /async?5 (the upstream answers 5 s later, a separate
# response) and observes /time; it is removed and a context with the same kid and new keys takes
# slot 0. The late answer and the notifications must not go out under the new keys: each client
# checks every datagram against the new context (--foreign 1) and expects none at all.
start_upstream
write_config "10.77.0.3:5683" "\"upstream_timeout_ms\": 15000,"
python3 - "$W" <<'PY'
import json, sys
w = sys.argv[1]
old = json.load(open(w + "/gw.json"))["contexts"][0]
new = dict(old, master_secret="f1f2f3f4f5f6f7f8f9fafbfcfdfeff00")
json.dump([new], open(w + "/new.json", "w"))
json.dump([old, new], open(w + "/churn.json", "w"))
PY
start_gw churn
check "oscore-gw (forward, slow upstream) started" $?
# not through client(): $! must be the client itself; each bounds its own run (--watch)
ip netns exec "$NS_DEV" timeout 40 "$CLIENT" --contexts "$W/churn.json" --index 0 --foreign 1 \
	--no-answer --watch 10 10.77.0.1:5683 "/async?5" >"$W/client.slow.log" 2>&1 &
SLOW_PID=$!
sleep 0.3 # its SSN (wall clock ms) stays below the observer's
ip netns exec "$NS_DEV" timeout 40 "$CLIENT" --contexts "$W/churn.json" --index 0 --foreign 1 \
	--observe 1 --timeout 5 --watch 9 10.77.0.1:5683 /time >"$W/client.obs.log" 2>&1 &
OBS_PID=$!
for _ in $(seq 60); do grep -q "^answer 1: 2.05" "$W/client.obs.log" && break; sleep 0.1; done
grep -q "^answer 1: 2.05 NON" "$W/client.obs.log"
check "churn: the observation runs (registration and a notification under the old context)" $?
"$CTL" --prefix "$P-churn" remove - >"$W/ctl.rm.log" 2>&1
check "churn: context 0 removed while its request waits and it observes" $?
sleep 0.3 # reclamation: the waiting exchanges hold no reference, so the slot is free at once
"$CTL" --prefix "$P-churn" add "$W/new.json" >"$W/ctl.add.log" 2>&1 &&
	"$CTL" --prefix "$P-churn" list >"$W/ctl.list.log" 2>&1 &&
	python3 -c 'import json, sys; sys.exit(json.load(open(sys.argv[1]))["ctx0"]["kid"] != "")' "$W/ctl.list.log"
check "churn: a context with new keys added, in the freed slot 0" $?
wait "$SLOW_PID"; s_rc=$?; SLOW_PID=
wait "$OBS_PID"; o_rc=$?; OBS_PID=
sed 's/^/    /' "$W/client.slow.log" "$W/client.obs.log"
[ "$s_rc" -eq 0 ] && grep -q "^watch: 0 datagram" "$W/client.slow.log"
check "churn: the late answer to the removed context's request is not sent (under no key)" $?
# a notification may still have left in the instant before the removal: under the old keys
[ "$o_rc" -eq 0 ] && grep -q "^watch: [01] datagram(s), 0 failed" "$W/client.obs.log"
check "churn: no notification under the new keys (each one verified under the old context)" $?
client new --index 1 --count 2 10.77.0.1:5683 /.well-known/core >/dev/null
check "churn: the new context is served" $?
stop_gw churn >/dev/null
check "oscore-gw exited 0 (no crash)" $?
stats_check churn 'c["fwd_ctx_gone"] == 2 and c["fwd_up_empty_ack"] == 1
	and c["fwd_answers"] == 3 and c["fwd_notifications"] in (1, 2) and c["fwd_answer_unfit"] == 0'
check "counters: the late answer and the next notification dropped (fwd_ctx_gone 2)" $?

no_sanitizer_reports
check "no sanitizer report or DPDK heap error from any gateway run" $?

if [ "$fails" -ne 0 ]; then
	echo "test_live_netns: $fails check(s) failed"
	exit 1
fi
echo "test_live_netns: all checks passed"
