#!/bin/bash
# Groups at runtime (issue 13): oscore-gw starts without groups; oscore-gwctl joins it to
# group-oscore-vectors.txt B.0's group as member 51 (group_client is member 0a), lists it (never a
# key), rekeys it to a new Master Secret and Gid while 0a sends bursts under the old ones (no
# crash, ASan; afterwards the old Gid is refused and the new one answered), and removes it. A
# burst larger than the hand-off pool to the control lcore: every request not handed over is
# answered when retransmitted (pairwise mode was committed before the hand-off and its
# retransmission refused as a replay). A Gid and a 1:1 context's ID Context never shadow each
# other, whichever comes first at runtime.
#   test_group_mgmt.sh OSCORE_GW GROUP_CLIENT OSCORE_GWCTL
set -u
GW=$1 CL=$2 CTL=$3
P=oscgrp-group-mgmt-$$
W=$(mktemp -d "${TMPDIR:-/tmp}/oscgw-group-mgmt.XXXXXX")
BG_PID=
cleanup_extra() { [ -n "$BG_PID" ] && kill "$BG_PID" 2>/dev/null; }
. "$(dirname "$0")/netns_gw.sh"
netns_up 10.77.0

NEW_SECRET=00112233445566778899aabbccddeeff
cat >"$W/gw.json" <<JSON
{ "port": "net_af_packet0", "ipv4": "10.77.0.1", "ipv4_prefix": 24, "mbufs": 2047,
  "summary_interval": 0,
  "contexts": [ { "master_secret": "0102030405060708090a0b0c0d0e0f10", "sender_id": "01",
                  "recipient_id": "0b", "id_context": "c0ffee" } ] }
JSON
. "$(dirname "$0")/group_b0.sh"
group() { group_b0 "$1" "$2" '"replay_window": 192,'; }
group dd11 "$B0_SECRET" >"$W/g.json"
group a1b2 "$NEW_SECRET" >"$W/g-new.json"
group c0ffee "$B0_SECRET" >"$W/g-shadow.json"
chmod 600 "$W"/g*.json

start_gw 1
check "oscore-gw starts without groups" $?
ctl() { "$CTL" --prefix "$GW_PREFIX" "$@" 2>&1; }
send() { in_dev "$CL" 10.77.0.1 5683 "$@" 2>&1; }
expect() { # expect WANT DESCRIPTION CLIENT-ARGS...
	local want=$1 what=$2 got

	shift 2
	case $want in VERIFIED*) set -- "$@" wait=5000 ;; esac # a loaded box may answer late
	got=$(send "$@")
	[ "$got" = "$want" ]
	check "$what: $want (got: $got)" $?
}

expect "UNVERIFIED 4.02" "before the add: group mode to dd11 (no group: the Group Flag is a bad option)" group 1
ctl group list >"$W/list0.log"
grep -q '"count":0' "$W/list0.log"
rc=$?
check "group list: no group ($(cat "$W/list0.log"))" $rc
ctl group add "$W/g-shadow.json" >"$W/shadow.log"
[ $? -ne 0 ] && grep -q "id_context of a configured context" "$W/shadow.log"
rc=$?
check "group add refuses a Gid that is a context's id_context ($(cat "$W/shadow.log"))" $rc
ctl group add "$W/g.json" >"$W/add.log"
rc=$?
check "group add g.json ($(cat "$W/add.log"))" $rc
ctl group add "$W/g.json" >"$W/add2.log"
[ $? -ne 0 ] && grep -q "already\|is present" "$W/add2.log"
rc=$?
check "group add twice refused ($(cat "$W/add2.log"))" $rc
ctl group add '{"name": "x", "gid": "01"}' >"$W/bad.log"
[ $? -ne 0 ] && grep -q "missing" "$W/bad.log"
rc=$?
check "group add of an incomplete group: a clear error ($(cat "$W/bad.log"))" $rc
sed 's/"private_key": "70/"private_key": "71/' "$W/g.json" >"$W/g-badkey.json"
ctl group add "$W/g-badkey.json" >"$W/badkey.log"
[ $? -ne 0 ] && grep -q "not the private key" "$W/badkey.log"
rc=$?
check "group add with a wrong private key: a clear error ($(cat "$W/badkey.log"))" $rc
ctl group list >"$W/list1.log"
grep -q '"gid":"dd11"' "$W/list1.log" && grep -q '"members":2' "$W/list1.log" &&
	grep -q '"name":"floor3"' "$W/list1.log"
rc=$?
check "group list shows floor3, dd11, 2 members ($(cat "$W/list1.log"))" $rc
! grep -Eiq "$B0_SECRET|$NEW_SECRET|$B0_PRIV" "$W"/add*.log "$W"/bad*.log "$W"/list*.log "$W/shadow.log"
check "no answer holds key material" $?
expect "VERIFIED 2.05" "after the add: group mode" group 1
expect "VERIFIED 2.05" "after the add: pairwise mode" pairwise 2

# 1:1 contexts at runtime are checked against the groups' Gids as the configuration is
printf '{ "master_secret": "0102030405060708090a0b0c0d0e0f11", "sender_id": "01", "recipient_id": "0c", "id_context": "dd11" }\n' >"$W/shadow-ctx.json"
ctl add "$W/shadow-ctx.json" >"$W/shadow-ctx.log"
[ $? -ne 0 ] && grep -q "gid of a group" "$W/shadow-ctx.log"
rc=$?
check "gwctl add refuses a context whose id_context is a group's Gid ($(tr '\n' ' ' <"$W/shadow-ctx.log"))" $rc

# More requests at once than the control lcore's hand-off pool holds (64 per worker): those not
# handed over are answered when sent again, pairwise ones too (all within the replay window of
# 192: the retransmissions are older than the answered requests).
send mixed 100 burst=160 >"$W/burst.log"
read -r _ sent _ v _ r _ rv _ pr _ prv <"$W/burst.log"
echo "burst: $(cat "$W/burst.log")"
ctl stats >"$W/stats.log"
full=$(grep -o '"ctl_ring_full":[0-9]*' "$W/stats.log" | cut -d: -f2)
[ "${full:-0}" -gt 0 ]
check "the burst filled the hand-off pool (ctl_ring_full ${full:-0})" $?
[ "$pr" -gt 0 ] && [ "$rv" = "$r" ] && [ "$prv" = "$pr" ]
check "every request not handed over answered when retransmitted ($r retried, $rv answered; pairwise $pr, $prv)" $?

# Rekey while 0a keeps sending under the old material and Gid.
timeout 60 ip netns exec "$NS_DEV" bash -c "for i in \$(seq 0 9); do \"$CL\" 10.77.0.1 5683 mixed \$((1000 + 64 * i)) burst=64 noretry; done" >"$W/bg.log" 2>&1 &
BG_PID=$!
sleep 0.3
ctl group rekey dd11 "$W/g-new.json" >"$W/rekey.log"
rc=$?
check "group rekey dd11 g-new.json ($(cat "$W/rekey.log"))" $rc
wait "$BG_PID"
BG_PID=
echo "traffic around the rekey:"; cat "$W/bg.log"
expect "NONE" "after the rekey: group mode under the old Gid and keys" group 2000
got=$(send pairwise 2001)
[ "$got" = "UNVERIFIED 4.01" ] || [ "$got" = "NONE" ] # the 4.01 may be rate limited by now
check "after the rekey: pairwise mode under the old Gid: no group, refused (got: $got)" $?
expect "VERIFIED 2.05" "after the rekey: group mode under the new Gid" group 1 secret=$NEW_SECRET group=a1b2
expect "VERIFIED 2.05" "after the rekey: pairwise mode under the new Gid" pairwise 2 secret=$NEW_SECRET group=a1b2
ctl group list >"$W/list2.log"
grep -q '"gid":"a1b2"' "$W/list2.log" && ! grep -q dd11 "$W/list2.log"
check "group list after the rekey: a1b2, no dd11" $?
ctl group rekey dd11 "$W/g-new.json" >"$W/rekey2.log"
[ $? -ne 0 ] && grep -q "no such group" "$W/rekey2.log"
check "rekey of a Gid no longer present: no such group" $?
ctl group remove a1b2 >"$W/remove.log"
rc=$?
check "group remove a1b2 ($(cat "$W/remove.log"))" $rc
expect "UNVERIFIED 4.02" "after the remove: group mode under a1b2 (no group left: a bad option)" group 3 secret=$NEW_SECRET group=a1b2
ctl group list >"$W/list3.log"
grep -q '"count":0' "$W/list3.log"
check "group list after the remove: none" $?
ctl group remove a1b2 >"$W/remove2.log"
[ $? -ne 0 ] && grep -q "no such group" "$W/remove2.log"
check "remove twice: no such group" $?
! grep -Eiq "$B0_SECRET|$NEW_SECRET|$B0_PRIV" "$W"/*.log
check "no command output or log holds key material" $?

kill -TERM "$GW_PID"; wait "$GW_PID"
check "oscore-gw exits cleanly" $?
GW_PID=
! grep -qE "Sanitizer|runtime error:|EAL: Error" "$W/gw.1.log"
check "no sanitizer report or DPDK heap error in the gateway's log" $?
grep -E "group_|ctl_" "$W/gw.1.log"
if [ "$fails" -ne 0 ]; then
	for f in "$W"/*.log; do echo "== $f"; cat "$f"; done
	exit 1
fi
echo "test_group_mgmt: all checks passed"
