#!/bin/bash
# The gateway as a Group OSCORE member (RFC 10021, issue 13): it joins group-oscore-vectors.txt
# B.0's group as member 51; group_client is member 0a. Group-mode requests are decrypted on the
# worker and their signatures checked on the control lcore, pairwise-mode ones verified on the
# worker; both are answered, and the answers verify as 51's. Replays, a bad signature (whose
# Partial IV stays usable: the window is committed only after the signature verifies), an unknown
# kid and a wrong Gid get no answer, each counted.
#   test_group.sh OSCORE_GW GROUP_CLIENT
set -u
GW=$1 CL=$2
P=oscgrp-group-gw-$$
W=$(mktemp -d "${TMPDIR:-/tmp}/oscgw-group.XXXXXX")
. "$(dirname "$0")/netns_gw.sh"
netns_up 10.76.0

. "$(dirname "$0")/group_b0.sh"
cat >"$W/gw.json" <<JSON
{ "port": "net_af_packet0", "ipv4": "10.76.0.1", "ipv4_prefix": 24, "mbufs": 2047,
  "summary_interval": 0, "groups": [ $(group_b0) ] }
JSON

start_gw 1
check "oscore-gw starts with a group" $?
send() { in_dev "$CL" 10.76.0.1 5683 "$@" 2>&1; }
expect() { # expect WANT DESCRIPTION CLIENT-ARGS...
	local want=$1 what=$2 got

	shift 2
	got=$(send "$@")
	[ "$got" = "$want" ]
	check "$what: $want (got: $got)" $?
}
expect "VERIFIED 2.05" "group mode, SSN 1" group 1
expect "NONE" "group mode, SSN 1 replayed" group 1
expect "VERIFIED 2.05" "pairwise mode, SSN 2" pairwise 2
expect "NONE" "pairwise mode, SSN 2 replayed" pairwise 2
expect "NONE" "group mode, SSN 3 with a bad signature" group 3 bad-sig
expect "VERIFIED 2.05" "group mode, SSN 3 with the good signature afterwards" group 3
expect "NONE" "group mode from an unknown kid 77" group 4 kid=77
expect "NONE" "group mode with our own Sender ID 51 as kid" group 5 kid=51
expect "NONE" "group mode to a wrong Gid dd12" group 6 gid=dd12
expect "UNVERIFIED 4.01" "pairwise mode to a wrong Gid (no group: RFC 8613's 4.01)" pairwise 7 gid=dd12
kill -TERM "$GW_PID"; wait "$GW_PID"
check "oscore-gw exits cleanly (no sanitizer report)" $?
GW_PID=
! grep -qE "Sanitizer|runtime error:|EAL: Error" "$W/gw.1.log"
check "no sanitizer report in the gateway's log" $?
grep -E "group_|osc_err|ctl_" "$W/gw.1.log"
grep -Eq "group_verified +3$" "$W/gw.1.log"
check "counted: 3 answered on the control lcore" $?
grep -Eq "group_signature +1$" "$W/gw.1.log"
check "counted: 1 bad signature" $?
grep -Eq "osc_err.group_own_kid +1$" "$W/gw.1.log"
check "counted: our own Sender ID as kid once" $?
if [ "$fails" -ne 0 ]; then
	for f in "$W"/*.log; do echo "== $f"; cat "$f"; done
	exit 1
fi
echo "test_group: all checks passed"
