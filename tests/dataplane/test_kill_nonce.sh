#!/bin/bash
# No nonce reuse across crashes (RFC 8613 App. B.1.1, issue 5): oscore-gw with a state database,
# K_SSN 64 and "response_piv": "own" (every answer takes a fresh Partial IV of the gateway's
# SSN, §8.3) serves two devices continuously while it is killed with SIGKILL and restarted,
# KILLS times. The devices record every answer's Partial IV; no (context, Partial IV) pair may
# ever appear twice: the gateway resumes above the ceiling it wrote ahead before using any SSN.
#   test_kill_nonce.sh OSCORE_GW OSC_CLIENT [KILLS]
set -u
GW=$1 CLIENT=$2 KILLS=${3:-12}
P=osckill-$$
W=$(mktemp -d "${TMPDIR:-/tmp}/oscgw-kill.XXXXXX")
C_PIDS=
cleanup_extra() { for p in $C_PIDS; do kill "$p" 2>/dev/null; done; }
. "$(dirname "$0")/netns_gw.sh"
netns_up 10.79.0

# App. B.1.2 is on (the default): after each restart the devices' first requests earn a protected
# 4.01 with an Echo and the gateway's own Partial IV, which the devices repeat with the Echo; those
# 4.01s take SSNs too and are checked with every other answer (test_b12_echo.sh checks the rest).
cat >"$W/gw.json" <<JSON
{ "port": "net_af_packet0", "ipv4": "10.79.0.1", "mbufs": 2047, "summary_interval": 0,
  "state_db": "state.db", "k_ssn": 64, "response_piv": "own", "rfc8613_b_1_2": true,
  "contexts": [
    { "master_secret": "0102030405060708090a0b0c0d0e0f10", "sender_id": "01", "recipient_id": "0a" },
    { "master_secret": "1112131415161718191a1b1c1d1e1f20", "sender_id": "01", "recipient_id": "0b" } ] }
JSON


# Started with ip netns exec directly (it execs the client): through a shell function $! would be
# a subshell and kill would orphan the client. timeout bounds it even if the trap never runs.
for i in 0 1; do
	timeout 300 ip netns exec "$NS_DEV" "$CLIENT" --contexts "$W/gw.json" --index $i \
		--timeout 0.2 --count 100000000 10.79.0.1:5683 /x >"$W/client.$i.log" 2>&1 &
	C_PIDS="$C_PIDS $!"
done
# own_answers I: how many answers with the gateway's own Partial IV device I has logged so far.
own_answers() { grep -c "piv=[0-9]" "$W/client.$1.log"; }
mark() { a0=$(own_answers 0) a1=$(own_answers 1); }
served_since() { [ "$(own_answers 0)" -gt "$a0" ] && [ "$(own_answers 1)" -gt "$a1" ]; }
kill_loop "$KILLS" mark served_since "both devices"
for p in $C_PIDS; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
C_PIDS=
kill -TERM "$GW_PID"; wait "$GW_PID"; GW_PID=

python3 - "$W" "$KILLS" <<'PY'
import re, sys
w, kills = sys.argv[1], int(sys.argv[2])
bad = 0
for i in (0, 1):
    log = open("%s/client.%d.log" % (w, i)).read()
    ans = re.findall(r"answer \d+: (\d\.\d\d) \S+ piv=(-?\d+)", log)
    echo = log.count("echo retry")
    pivs = [int(p) for _, p in ans]
    own = [p for p in pivs if p >= 0]
    # an SSN not yet durable is never used: the answer is then a 5.03 on the request's nonce
    other = set(c for c, p in ans if int(p) < 0)
    dup = len(own) - len(set(own))
    jumps = sum(1 for a, b in zip(own, own[1:]) if b > a + 1)
    print("context %d: %d answers, %d with own Partial IV, %d duplicates, %d forward jumps "
          "(restarts resume above the ceiling), %d 5.03 while the ceiling was being written"
          % (i, len(pivs), len(own), dup, jumps, len(pivs) - len(own)))
    print("context %d: %d App. B.1.2 Echo challenges answered by repeating the request" % (i, echo))
    bad += dup != 0 or not other <= {"5.03"} or len(own) < 100 or jumps < kills // 2
    bad += echo < kills // 2
sys.exit(1 if bad else 0)
PY
check "no (context, Partial IV) pair answered twice across $KILLS crashes" $?
[ "$fails" -eq 0 ] || exit 1
echo "test_kill_nonce: all checks passed"
