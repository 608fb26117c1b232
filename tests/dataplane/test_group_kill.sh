#!/bin/bash
# No nonce reuse across crashes for a Group OSCORE group (RFC 10021 §2.5.3 one SSN space per
# group; RFC 8613 App. B.1.1 applies, issue 13): oscore-gw with a state database, K_SSN 16 and
# "response_piv": "own" answers member 0a's group- and pairwise-mode requests with its own
# Partial IVs while it is killed with SIGKILL and restarted KILLS times. Every answer's Partial IV
# is recorded; no Partial IV of the group may appear twice: each run resumes above the bound
# reserved before any SSN was used. After a restart the member's replay window is invalid and
# its first request is challenged with an Echo (§9). A group whose keying material was used is
# refused when it is added again at runtime (its replay windows are gone). Then 2 kills without a
# state database: the clock floor alone must keep every Partial IV unique.
#   test_group_kill.sh OSCORE_GW GROUP_CLIENT OSCORE_GWCTL [KILLS]
set -u
GW=$1 CL=$2 CTL=$3 KILLS=${4:-6}
P=oscgrp-group-kill-$$
W=$(mktemp -d "${TMPDIR:-/tmp}/oscgw-group-kill.XXXXXX")
C_PID=
cleanup_extra() { [ -n "$C_PID" ] && kill "$C_PID" 2>/dev/null; }
. "$(dirname "$0")/netns_gw.sh"
netns_up 10.75.0

. "$(dirname "$0")/group_b0.sh"
GROUP=$(group_b0)
cat >"$W/gw.json" <<JSON
{ "port": "net_af_packet0", "ipv4": "10.75.0.1", "ipv4_prefix": 24, "mbufs": 2047,
  "summary_interval": 0, "state_db": "state.db", "k_ssn": 16, "response_piv": "own",
  "groups": [ $GROUP ] }
JSON
echo "$GROUP" >"$W/g.json"

# member 0a sends one request after the other, group and pairwise mode in turn, each SSN once
timeout 300 ip netns exec "$NS_DEV" bash -c "for s in \$(seq 1 100000); do
	m=group; [ \$((s % 2)) -eq 0 ] && m=pairwise
	\"$CL\" 10.75.0.1 5683 \$m \$s show-piv wait=300; done" >"$W/client.log" 2>&1 &
C_PID=$!
answers() { grep -c "piv=[0-9]" "$W/client.log"; }
mark() { a=$(answers); }
served_since() { [ "$(answers)" -gt "$((a + 2))" ]; }
kill_loop "$KILLS" mark served_since "with its own Partial IVs"
kill "$C_PID" 2>/dev/null; wait "$C_PID" 2>/dev/null; C_PID=
# RFC 10021 §9: after the restart 0a's replay window is invalid: its request earns a protected
# 4.01 with an Echo (own Partial IV), the request repeated with the Echo (fresh SSN, pairwise
# mode) is answered and makes the window valid from there on
send() { in_dev "$CL" 10.75.0.1 5683 "$@" 2>&1 | tr '\n' ' '; }
got=$(send group 100000 echo wait=5000)
[ "$got" = "VERIFIED 4.01 VERIFIED 2.05 " ]
check "first request after the restart: 4.01 with Echo, then answered with the Echo (got: $got)" $?
got=$(send group 100000)
[ "$got" = "NONE " ]
check "the challenged request replayed: refused, below the new lower edge (got: $got)" $?
got=$(send group 100002 wait=5000)
[ "$got" = "VERIFIED 2.05 " ]
check "the next request without Echo: answered, the window is valid (got: $got)" $?
"$CTL" --prefix "$GW_PREFIX" stats >"$W/stats.log" 2>&1
acc=$(grep -o '"group_echo_accept":[0-9]*' "$W/stats.log" | cut -d: -f2)
chl=$(grep -o '"group_echo_challenge":[0-9]*' "$W/stats.log" | cut -d: -f2)
[ "${acc:-0}" -eq 1 ] && [ "${chl:-0}" -ge 1 ]
check "counted: $chl Echo challenges (0a's background requests too), 1 accepted" $?
"$CTL" --prefix "$GW_PREFIX" group remove dd11 >"$W/remove.log" 2>&1
check "group remove dd11" $?
"$CTL" --prefix "$GW_PREFIX" group add "$W/g.json" >"$W/readd.log" 2>&1
rc=$?
[ $rc -ne 0 ] && grep -q "used before" "$W/readd.log"
rc=$?
check "the same keying material added again is refused ($(cat "$W/readd.log"))" $rc
kill -TERM "$GW_PID"; wait "$GW_PID"
check "oscore-gw exits cleanly" $?
GW_PID=
! grep -qE "Sanitizer|runtime error:|EAL: Error" "$W"/gw.*.log
check "no sanitizer report or DPDK heap error in any run's log" $?

# no_dup_pivs LOG KILLS: every answer in LOG with the group's own Partial IV, none twice, and the
# restarts resumed above what was used (forward jumps)
no_dup_pivs() {
	python3 - "$1" "$2" <<'PY'
import re, sys
log, kills = sys.argv[1], int(sys.argv[2])
pivs = [int(p) for p in re.findall(r"VERIFIED \d\.\d\d piv=(-?\d+)", open(log).read())]
own = [p for p in pivs if p >= 0]
dup = len(own) - len(set(own))
jumps = sum(1 for a, b in zip(own, own[1:]) if b > a + 1)
print("group dd11: %d answers, %d with own Partial IV, %d duplicates, %d forward jumps "
      "(restarts resume above the reserved bound)" % (len(pivs), len(own), dup, jumps))
sys.exit(1 if dup or len(own) != len(pivs) or len(own) < 2 * kills or jumps < kills // 2 else 0)
PY
}
no_dup_pivs "$W/client.log" "$KILLS"
check "no Partial IV of the group answered twice across $KILLS crashes" $?

# Without a state database nothing is durable: the clock floor alone (ctl_groups_durable_ssn)
# keeps the group's SSNs after a restart above those before (before the floor covered answers,
# each run answered from SSN 0 again). 0a goes on from SSN 200000: a fresh window accepts it.
sed -i 's/"state_db": "state.db", //' "$W/gw.json"
timeout 300 ip netns exec "$NS_DEV" bash -c "for s in \$(seq 200000 300000); do
	m=group; [ \$((s % 2)) -eq 0 ] && m=pairwise
	\"$CL\" 10.75.0.1 5683 \$m \$s show-piv wait=300; done" >"$W/client.clock.log" 2>&1 &
C_PID=$!
answers() { grep -c "piv=[0-9]" "$W/client.clock.log"; }
kill_loop 2 mark served_since "with its own Partial IVs (no state_db)"
kill "$C_PID" 2>/dev/null; wait "$C_PID" 2>/dev/null; C_PID=
kill -TERM "$GW_PID"; wait "$GW_PID"; GW_PID=
! grep -qE "Sanitizer|runtime error:|EAL: Error" "$W"/gw.*.log
check "no state_db: no sanitizer report or DPDK heap error in any run's log" $?
no_dup_pivs "$W/client.clock.log" 2
check "no state_db: no Partial IV of the group answered twice across 2 crashes" $?
if [ "$fails" -ne 0 ]; then tail -20 "$W/client.log"; exit 1; fi
echo "test_group_kill: all checks passed"
