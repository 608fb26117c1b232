#!/bin/bash
# No nonce reuse across crashes (RFC 8613 App. B.1.1, issue 5): oscore-gw with "response_piv":
# "own" (every answer takes a fresh Partial IV of the gateway's SSN, §8.3) serves two devices
# continuously while it is killed with SIGKILL and restarted, KILLS times with a state database
# (K_SSN 64), then CLOCK_KILLS times without one. The devices record every answer's Partial IV;
# no (context, Partial IV) pair may ever appear twice: the gateway resumes above the ceiling it
# wrote ahead before using any SSN or, without a store, above the wall clock in ms at the restart,
# having used only SSNs below the clock (the clock floor, control/ctl_ssn.h).
#   test_kill_nonce.sh OSCORE_GW OSC_CLIENT [KILLS [CLOCK_KILLS]]
set -u
GW=$1 CLIENT=$2 KILLS=${3:-12} CLOCK_KILLS=${4:-5}
P=osckill-$$
W=$(mktemp -d "${TMPDIR:-/tmp}/oscgw-kill.XXXXXX")
C_PIDS=
LOGS=
cleanup_extra() { for p in $C_PIDS; do kill "$p" 2>/dev/null; done; }
. "$(dirname "$0")/netns_gw.sh"
netns_up 10.79.0

# own_answers I: how many answers with the gateway's own Partial IV device I has logged so far
# in the current phase.
own_answers() { grep -c "piv=[0-9]" "$W/client.$LOGS.$1.log"; }
mark() { a0=$(own_answers 0) a1=$(own_answers 1); }
served_since() { [ "$(own_answers 0)" -gt "$a0" ] && [ "$(own_answers 1)" -gt "$a1" ]; }

# check_pivs NAME KILLS: no device of phase NAME got one own Partial IV twice; every restart
# resumed above what was used (forward jumps); only 5.03s came without one; with the store, the
# App. B.1.2 Echo challenges of restored contexts were answered.
check_pivs() {
	python3 - "$W" "$1" "$2" <<'PY'
import re, sys
w, name, kills = sys.argv[1], sys.argv[2], int(sys.argv[3])
bad = 0
for i in (0, 1):
    log = open("%s/client.%s.%d.log" % (w, name, i)).read()
    ans = re.findall(r"answer \d+: (\d\.\d\d) \S+ piv=(-?\d+)", log)
    echo = log.count("echo retry")
    pivs = [int(p) for _, p in ans]
    own = [p for p in pivs if p >= 0]
    # an SSN not yet durable (store) or not yet below the clock (no store) is never used: the
    # answer is then a 5.03 on the request's nonce
    other = set(c for c, p in ans if int(p) < 0)
    dup = len(own) - len(set(own))
    jumps = sum(1 for a, b in zip(own, own[1:]) if b > a + 1)
    print("%s, context %d: %d answers, %d with own Partial IV, %d duplicates, %d forward jumps "
          "(restarts resume above what was used), %d 5.03 while no SSN was safe to use"
          % (name, i, len(pivs), len(own), dup, jumps, len(pivs) - len(own)))
    bad += dup != 0 or not other <= {"5.03"} or len(own) < 100 or jumps < kills // 2
    if name == "state_db": # restored: windows unknown (App. B.1.2); without a store, fresh
        print("%s, context %d: %d App. B.1.2 Echo challenges answered by repeating the request"
              % (name, i, echo))
        bad += echo < kills // 2
sys.exit(1 if bad else 0)
PY
}

# phase NAME KILLS STORE_KEYS: gw.json with two contexts (and STORE_KEYS, JSON members ending in
# a comma, or nothing), two devices sending continuously while the gateway is SIGKILLed KILLS
# times, then check_pivs.
phase() {
	local name=$1 kills=$2 store=$3 i p

	cat >"$W/gw.json" <<JSON
{ "port": "net_af_packet0", "ipv4": "10.79.0.1", "mbufs": 2047, "summary_interval": 0,
  $store "response_piv": "own", "rfc8613_b_1_2": true,
  "contexts": [
    { "master_secret": "0102030405060708090a0b0c0d0e0f10", "sender_id": "01", "recipient_id": "0a" },
    { "master_secret": "1112131415161718191a1b1c1d1e1f20", "sender_id": "01", "recipient_id": "0b" } ] }
JSON
	LOGS=$name
	# Started with ip netns exec directly (it execs the client): through a shell function $!
	# would be a subshell and kill would orphan the client. timeout bounds it even if the trap
	# never runs.
	for i in 0 1; do
		timeout 300 ip netns exec "$NS_DEV" "$CLIENT" --contexts "$W/gw.json" --index $i \
			--timeout 0.2 --count 100000000 10.79.0.1:5683 /x \
			>"$W/client.$name.$i.log" 2>&1 &
		C_PIDS="$C_PIDS $!"
	done
	kill_loop "$kills" mark served_since "both devices ($name)"
	for p in $C_PIDS; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	C_PIDS=
	kill -TERM "$GW_PID"; wait "$GW_PID"; GW_PID=
	check_pivs "$name" "$kills"
	check "$name: no (context, Partial IV) pair answered twice across $kills crashes" $?
	! grep -lE "runtime error:|ERROR: AddressSanitizer|EAL: Error" "$W"/gw.*.log
	check "$name: no sanitizer report or EAL error in the gateway's logs" $?
}

# With a state database: App. B.1.1 write-ahead, K_SSN 64. App. B.1.2 is on (the default): after
# each restart the devices' first requests earn a protected 4.01 with an Echo and the gateway's
# own Partial IV, which the devices repeat with the Echo; those 4.01s take SSNs too and are
# checked with every other answer (test_b12_echo.sh checks the rest).
phase state_db "$KILLS" '"state_db": "state.db", "k_ssn": 64,'
# Without one nothing is durable: the clock floor alone keeps every SSN after a restart above
# every SSN before it. (Before the floor, each restart began again at SSN 0.)
phase clock "$CLOCK_KILLS" ''
[ "$fails" -eq 0 ] || exit 1
echo "test_kill_nonce: all checks passed"
