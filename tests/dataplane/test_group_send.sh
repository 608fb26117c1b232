#!/bin/bash
# Group OSCORE multicast (RFC 10021 §7, issue 13): the gateway is member 51 of
# group-oscore-vectors.txt B.0's group with the multicast address 239.255.0.3.
#  - Reception: group_client (member 0a) sends group-mode requests to 239.255.0.3 and to All CoAP
#    Nodes 224.0.1.187; both are answered, unicast from the gateway's own address. A plain CoAP
#    request to 224.0.1.187 gets no answer (counted drop_mcast_not_group).
#  - Sending: a plain coap-client-notls asks GET /groups/floor3/light on the group-send port; the
#    gateway protects one group-mode request (members see GET /light) and multicasts it to five
#    test-side members (group_client member): a1 answers in group mode, a2 in pairwise mode, a3
#    twice, a4 with a bad countersignature, a5 after the collection closed. The requester gets one
#    CBOR array with exactly a1, a2, a3; the duplicate, the bad signature and the late answer are
#    each counted once. /groups/nope gets 4.04.
#  - Forward mode with the upstream on a port of its own: a request to the group-send port from
#    the device side is dropped (gsend_wrong_side); one from the upstream side gets the aggregate
#    back on the upstream port.
#   test_group_send.sh OSCORE_GW GROUP_CLIENT
set -u
GW=$1 CL=$2
P=oscgs-group-send-$$
W=$(mktemp -d "${TMPDIR:-/tmp}/oscgw-group-send.XXXXXX")
MEMBER_PIDS=
cleanup_extra() { for p in $MEMBER_PIDS; do kill "$p" 2>/dev/null; done; }
. "$(dirname "$0")/netns_gw.sh"
command -v coap-client-notls >/dev/null || { echo "SKIP: needs libcoap3-bin"; exit 77; }
netns_up 10.77.0
in_dev ip route add 224.0.0.0/4 dev vdev
for i in 11 12 13 14 15; do in_dev ip addr add "10.77.0.$i/24" dev vdev; done

# test-side members a1..a5: Ed25519 seeds (sha256 of "oscore-gw group member aN") and their CCS
declare -A SEED CRED
SEED[a1]=c14e7e7af2120c7fcf29dc481dd4bc21999660366e92ef8ec54e8a26d66b3636
CRED[a1]=a108a101a40101032720062158200a1265e6eb983a3e66ea026344e5aa0c3578da3e3847403a6848d0305f4608a2
SEED[a2]=56ce4e5e62e826d7ba0f35331fcf9f293dd1b076b5b81880a7689f1c2f1b63d8
CRED[a2]=a108a101a4010103272006215820d09de41156fc150827a7469729d245c4dbada0185f5c23d6b11befc04a500b13
SEED[a3]=946e74055e527574963ea2d1b16cf3373098cc9f321a8be0b8fba175aa67fc62
CRED[a3]=a108a101a401010327200621582025b3167971b0a2ef7ae2f008775d7a8955000b2915a76a553283d2c482d0a959
SEED[a4]=f78180b280a361307efe0f0dd9b684e9bd2719ab006e9eb78750286c21b1b741
CRED[a4]=a108a101a40101032720062158203700c64cff5b335337aa05f9c4b15bebc65f05f85f0c92af301b0ede48763803
SEED[a5]=9ec6f299624e39e2a877ab70056fa741eae631df20a2f4e03e257180bf8b8a63
CRED[a5]=a108a101a4010103272006215820039bcf51c1eedb227e6a05fc8b8c79eab06160bc75712720709839da1cbb0e01
members_json() {
	local m
	printf '{ "sender_id": "0a", "cred": "a108a101a4010103272006215820ce616f28426ef24edb51dbcef7a23305f886f657959d4df889ddfc0255042159" },\n'
	printf '{ "sender_id": "52", "cred": "a108a101a40101032720062158205394e43633cdac96f05120ea9f21307c9355a1b66b60a834b53e9bf60b1fb7df" }'
	for m in a1 a2 a3 a4 a5; do printf ',\n{ "sender_id": "%s", "cred": "%s" }' "$m" "${CRED[$m]}"; done
}

cat >"$W/gw.json" <<JSON
{ "port": "net_af_packet0", "ipv4": "10.77.0.1", "ipv4_prefix": 24, "mbufs": 2047,
  "summary_interval": 0,
  "group_send": { "port": 5690, "collect_ms": 1500 },
  "groups": [{
    "name": "floor3", "gid": "dd11", "multicast": "239.255.0.3",
    "master_secret": "11223344556677889900aabbccddeeff", "master_salt": "1f2e3d4c5b6a7081",
    "group_encryption_alg": "AES-CCM-16-64-128", "signature_alg": "EdDSA",
    "aead_alg": "AES-CCM-16-64-128", "pairwise_key_agreement_alg": "ECDH-SS-HKDF-256",
    "sender_id": "51",
    "private_key": "70559b9eecdc578d5fc2ca37f9969630029f1592aff3306392ab15546c6a184a",
    "cred": "a108a101a40101032720062158202668ba6ca302f14e952228da1250a890c143fdba4daed27246188b9e42c94b6d",
    "gm_cred": "a108a101a40101032720062158205394e43633cdac96f05120ea9f21307c9355a1b66b60a834b53e9bf60b1fb7df",
    "members": [ $(members_json) ] }] }
JSON

start_gw 1
check "oscore-gw starts with a group and group_send" $?
grep -q "^    /groups/floor3 -> 239.255.0.3:5683$" "$W/check.1.log"
check "--check-config shows where /groups/floor3 goes" $?

# --- reception on multicast addresses (before the members listen on 239.255.0.3) ---
got=$(in_dev "$CL" 239.255.0.3 5683 group 1 show-from 2>&1)
[ "$got" = "VERIFIED 2.05 from 10.77.0.1" ]
check "group request to the group's address 239.255.0.3: answered from 10.77.0.1 (got: $got)" $?
got=$(in_dev "$CL" 224.0.1.187 5683 group 2 show-from 2>&1)
[ "$got" = "VERIFIED 2.05 from 10.77.0.1" ]
check "group request to All CoAP Nodes 224.0.1.187: answered from 10.77.0.1 (got: $got)" $?
got=$(in_dev "$CL" 224.0.1.187 5683 group 3 bad-sig 2>&1)
[ "$got" = "NONE" ]
check "bad signature to a multicast address: no answer (got: $got)" $?
# a plain NON GET /x (no OSCORE) to All CoAP Nodes: no error answer (RFC 7252 §8.1)
got=$(in_dev timeout 5 coap-client-notls -N -m get -B 1 coap://224.0.1.187/x 2>&1)
! grep -q "4\.01" <<<"$got"
check "plain request to 224.0.1.187: no 4.01 (got: $got)" $?

# --- sending to the group ---
start_member() { # start_member ID ADDR OPTIONS...
	local id=$1 addr=$2

	shift 2
	ip netns exec "$NS_DEV" "$CL" member "$id" "${SEED[$id]}" "${CRED[$id]}" "$addr" \
		239.255.0.3 5683 1 "$@" >"$W/member.$id.log" 2>&1 &
	MEMBER_PIDS="$MEMBER_PIDS $!"
}
start_member a1 10.77.0.11
start_member a2 10.77.0.12 pairwise
start_member a3 10.77.0.13 dup
start_member a4 10.77.0.14 bad-sig
start_member a5 10.77.0.15 delay=2500
for _ in $(seq 50); do
	[ "$(cat "$W"/member.*.log 2>/dev/null | grep -c LISTENING)" = 5 ] && break
	sleep 0.1
done
in_dev timeout 10 coap-client-notls -m get -B 8 -o "$W/agg.cbor" \
	coap://10.77.0.1:5690/groups/floor3/light >"$W/requester.log" 2>&1
check "coap-client-notls gets an answer from /groups/floor3/light" $?
/usr/bin/python3 - "$W/agg.cbor" <<'PY' >"$W/agg.txt" 2>&1
import sys, cbor2
a = cbor2.loads(open(sys.argv[1], 'rb').read())
for e in sorted(a, key=lambda e: e["kid"]):
    print(e["kid"].hex(), e["addr"], e["port"], e["mode"], e["code"], e.get("cf"), e["payload"].decode())
PY
cat "$W/agg.txt"
cat >"$W/agg.want" <<EOF
a1 10.77.0.11 5683 group 2.05 0 on a1
a2 10.77.0.12 5683 pairwise 2.05 0 on a2
a3 10.77.0.13 5683 group 2.05 0 on a3
EOF
diff "$W/agg.want" "$W/agg.txt"
check "the aggregate holds exactly a1 (group), a2 (pairwise), a3 (group), each once" $?
for m in a1 a2 a3 a4 a5; do
	grep -q "^REQUEST 0.01 /light$" "$W/member.$m.log"
	check "member $m verified the group request as GET /light" $?
done
rc=0
for p in $MEMBER_PIDS; do wait "$p" || rc=1; done
MEMBER_PIDS=
check "every member served its request and exited cleanly (no sanitizer report)" $rc
sleep 0.5 # a5's late answer reaches the gateway
got=$(in_dev timeout 10 coap-client-notls -m get -B 3 coap://10.77.0.1:5690/groups/nope/light 2>&1)
grep -q "4\.04" <<<"$got"
check "an unknown group gets 4.04 (got: $got)" $?

kill -TERM "$GW_PID"; wait "$GW_PID"
check "oscore-gw exits cleanly" $?
GW_PID=
! grep -qE "Sanitizer|runtime error:|EAL: Error" "$W/gw.1.log"
check "no sanitizer report or EAL error in the gateway's log" $?
grep -E "group_|gsend_|mcast|osc_err" "$W/gw.1.log"
count_is() { grep -Eq "^ *$1 +$2$" "$W/gw.1.log"; check "counted: $1 = $2" $?; }
count_is group_verified 2
count_is group_signature 1
count_is drop_mcast_not_group 1
count_is gsend_sent 1
count_is gsend_answer 3
count_is gsend_duplicate 1
count_is gsend_signature 1
count_is gsend_late 1
count_is gsend_done 1
count_is gsend_refused 1

# --- forward mode with the upstream on a port of its own: requests only from there ---
NS_UP=$P-up
cleanup_extra() {
	for p in $MEMBER_PIDS; do kill "$p" 2>/dev/null; done
	ip netns del "$NS_UP" 2>/dev/null
}
in_up() { ip netns exec "$NS_UP" "$@"; }
ip netns add "$NS_UP" && ip link add vup netns "$NS_UP" type veth peer name gup netns "$NS_GW" &&
	in_up ethtool -K vup tx off >/dev/null && in_gw sysctl -qw net.ipv6.conf.gup.disable_ipv6=1 &&
	in_gw ip link set gup up && in_up ip addr add 10.77.0.3/24 dev vup && in_up ip link set vup up
check "upstream namespace" $?
sed -i 's/"summary_interval": 0,/"summary_interval": 0, "mode": "forward", "upstream": "10.77.0.3:5683", "upstream_port": "net_af_packet1",/' "$W/gw.json"
ip netns exec "$NS_GW" "$GW" --no-huge --no-pci --no-shconf --file-prefix "$P-2" -m 512 -l 0-1 \
	--log-level=warning --vdev net_af_packet0,iface=gdev --vdev net_af_packet1,iface=gup -- \
	--config "$W/gw.json" >"$W/gw.2.log" 2>&1 &
GW_PID=$!
for _ in $(seq 150); do grep -q "queue(s)" "$W/gw.2.log" && break; sleep 0.1; done
grep -q "queue(s)" "$W/gw.2.log"
check "oscore-gw starts in forward mode with an upstream port" $?
start_member a1 10.77.0.11
start_member a2 10.77.0.12 pairwise
for _ in $(seq 50); do
	[ "$(cat "$W"/member.a[12].log 2>/dev/null | grep -c LISTENING)" = 2 ] && break
	sleep 0.1
done
got=$(in_dev timeout 5 coap-client-notls -N -m get -B 2 \
	coap://10.77.0.1:5690/groups/floor3/light 2>&1)
[ -z "$got" ]
check "a request to the group-send port from the device side: no answer (got: $got)" $?
in_up timeout 10 coap-client-notls -m get -B 8 -o "$W/agg2.cbor" \
	coap://10.77.0.1:5690/groups/floor3/light >"$W/requester2.log" 2>&1
check "coap-client-notls on the upstream side gets an answer" $?
/usr/bin/python3 -c 'import sys, cbor2; print(" ".join(sorted(e["kid"].hex() + ":" + e["mode"]
	for e in cbor2.loads(open(sys.argv[1], "rb").read()))))' "$W/agg2.cbor" >"$W/agg2.txt" 2>&1
[ "$(cat "$W/agg2.txt")" = "a1:group a2:pairwise" ]
check "the upstream side's aggregate holds a1 and a2 (got: $(cat "$W/agg2.txt"))" $?
rc=0
for p in $MEMBER_PIDS; do wait "$p" || rc=1; done
MEMBER_PIDS=
check "both members served the request sent from the upstream side" $rc
kill -TERM "$GW_PID"; wait "$GW_PID"
check "oscore-gw (forward mode) exits cleanly" $?
GW_PID=
! grep -qE "Sanitizer|runtime error:|EAL: Error" "$W/gw.2.log"
check "no sanitizer report or EAL error in the forward-mode gateway's log" $?
grep -E "gsend_" "$W/gw.2.log"
for want in "gsend_wrong_side 1" "gsend_sent 1" "gsend_answer 2" "gsend_done 1"; do
	grep -Eq "^ *${want% *} +${want#* }$" "$W/gw.2.log"
	check "forward mode counted: $want" $?
done

if [ "$fails" -ne 0 ]; then
	for f in "$W"/*.log; do echo "== $f"; cat "$f"; done
	exit 1
fi
echo "test_group_send: all checks passed"
