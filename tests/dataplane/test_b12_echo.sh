#!/bin/bash
# RFC 8613 App. B.1.2 with RFC 9175 Echo through oscore-gw (issue 5): with a state database the
# gateway serves a device, is killed with SIGKILL and restarted; the restored context's replay
# window is then unknown, so
#   - a replay of a request from before the crash is not served (it earns an Echo challenge),
#   - the device's next request gets a protected 4.01 carrying an inner Echo (with the gateway's
#     own Partial IV), its repeat with that Echo value gets a 2.05,
#   - later requests are served as usual, and the old request replayed again is refused.
# Then a SIGTERM restart shows the same, and the counters name every outcome; then forward mode.
#   test_b12_echo.sh OSCORE_GW OSC_CLIENT
set -u
GW=$1 CLIENT=$2
P=oscb12-$$
W=$(mktemp -d "${TMPDIR:-/tmp}/oscgw-b12.XXXXXX")
. "$(dirname "$0")/netns_gw.sh"
netns_up 10.78.0

cat >"$W/gw.json" <<JSON
{ "port": "net_af_packet0", "ipv4": "10.78.0.1", "mbufs": 2047, "summary_interval": 0,
  "state_db": "state.db", "k_ssn": 64, "rfc8613_b_1_2": true, "control_paths": ["/ctl"],
  "contexts": [
    { "master_secret": "0102030405060708090a0b0c0d0e0f10", "sender_id": "01", "recipient_id": "0a" } ] }
JSON

client() { in_dev "$CLIENT" --contexts "$W/gw.json" --timeout 5 "$@" 10.78.0.1:5683 /x; }

start_gw 1
check "oscore-gw starts with an empty state database" $?
client --count 3 --save "$W/old.req" >"$W/c1.log" 2>&1
check "served before the crash (3 of 3 verified 2.05, no challenge)" \
	$(grep -q "3 of 3 exchanges verified" "$W/c1.log" && ! grep -q "echo retry" "$W/c1.log"; echo $?)
kill -KILL "$GW_PID"; wait "$GW_PID" 2>/dev/null; GW_PID=

round() { # $1: run name. The window is unknown after the restart.
	start_gw "$1"
	check "$1: oscore-gw restarts from the state database" $?
	client --replay "$W/old.req" >"$W/r1.$1.log" 2>&1
	check "$1: replay of a pre-crash request while the window is unknown is not served" $?
	client --count 1 >"$W/c2.$1.log" 2>&1
	check "$1: first request: protected 4.01 with Echo, its repeat with the Echo: 2.05" \
		$(grep -q "^answer 0: 4.01 ACK piv=[0-9]" "$W/c2.$1.log" && grep -q "echo retry (12 bytes)" \
		"$W/c2.$1.log" && grep -q "^answer 0: 2.05" "$W/c2.$1.log" &&
		grep -q "1 of 1 exchanges verified" "$W/c2.$1.log"; echo $?)
	client --count 3 >"$W/c3.$1.log" 2>&1
	check "$1: later requests as usual (3 of 3, no challenge)" \
		$(grep -q "3 of 3 exchanges verified" "$W/c3.$1.log" && ! grep -q "echo retry" \
		"$W/c3.$1.log"; echo $?)
	client --replay "$W/old.req" >"$W/r2.$1.log" 2>&1
	check "$1: replay of the pre-crash request once the window is known is refused" $?
}
round after-kill
kill -TERM "$GW_PID"; wait "$GW_PID"; GW_PID=
round after-term
kill -TERM "$GW_PID"; wait "$GW_PID"; GW_PID=
# An Echo-accepted request for a registered control path is served by that path's handler, as
# any verified request (here the configured "/ctl" with no handler: protected 4.04), not given
# the generic 2.05 of a local answer.
start_gw ctl-path
in_dev "$CLIENT" --contexts "$W/gw.json" --timeout 5 --expect 4.04 10.78.0.1:5683 /ctl/x \
	>"$W/ctl.log" 2>&1
check "a control path's first request after a restart: 4.01 with Echo, its repeat: the path's protected 4.04" \
	$(grep -q "echo retry" "$W/ctl.log" && grep -q "^answer 0: 4.04" "$W/ctl.log"; echo $?)
kill -TERM "$GW_PID"; wait "$GW_PID"; GW_PID=
grep -E "b12_|window_unknown|ctl_" "$W/gw.after-term.log"
check "counted: 2 challenges (replay, device), 1 accepted, 0 dropped" \
	$(grep -Eq "b12_challenge +2$" "$W/gw.after-term.log" &&
	  grep -Eq "b12_accept +1$" "$W/gw.after-term.log" &&
	  ! grep -q "b12_drop" "$W/gw.after-term.log"; echo $?)
# Forward mode (same state database: the context comes back with an unknown window again): the
# repeat with the Echo is forwarded like any verified request (issue 10 item 5: a PUT that earned
# a 5.03 was never done), without the gateway's Echo; the upstream's answer comes back protected.
if upstream_up 10.78.0.3; then # a PUT creates its resource: the test sees the upstream did it
	sed -i 's|"state_db"|"mode": "forward", "upstream": "10.78.0.3:5683", "state_db"|' "$W/gw.json"
	start_gw forward
	check "forward: oscore-gw restarts in forward mode" $?
	fwd() { # fwd PATH [OPTIONS]
		local path=$1
		shift
		in_dev "$CLIENT" --contexts "$W/gw.json" --timeout 2 "$@" 10.78.0.1:5683 "$path"
	}
	fwd /b12 --method PUT --payload made-after-echo >"$W/f1.log" 2>&1
	check "forward: PUT gets 4.01 with Echo, its repeat with the Echo is forwarded: 2.01 from the upstream" \
		$(grep -q "^answer 0: 4.01 ACK piv=[0-9]" "$W/f1.log" && grep -q "echo retry" "$W/f1.log" &&
		  grep -q "^answer 0: 2.01 ACK piv=-1" "$W/f1.log" &&
		  grep -q "1 of 1 exchanges verified" "$W/f1.log"; echo $?)
	fwd /b12 --count 2 >"$W/f2.log" 2>&1
	check "forward: the upstream holds what the PUT sent (2 GETs: 2.05 made-after-echo)" \
		$(grep -c "^answer 0: 2.05 ACK .*payload=made-after-echo" "$W/f2.log" | grep -qx 2 &&
		  grep -q "2 of 2 exchanges verified" "$W/f2.log" && ! grep -q "echo retry" \
		  "$W/f2.log"; echo $?)
	kill -TERM "$GW_PID"; wait "$GW_PID"; GW_PID=
	grep -Eq "fwd_requests +3$" "$W/gw.forward.log" && grep -Eq "b12_accept +1$" "$W/gw.forward.log" &&
		! grep -q "b12_fwd_retry" "$W/gw.forward.log"
	check "forward: counted b12_accept 1, fwd_requests 3, no b12_fwd_retry" $?
	# an Echo-accepted request for a control path goes to its handler, never upstream
	start_gw forward-ctl
	fwd /ctl/x --method PUT --payload never-upstream --expect 4.04 >"$W/f3.log" 2>&1
	check "forward: a control path's request accepted with the Echo: protected 4.04, not forwarded" \
		$(grep -q "echo retry" "$W/f3.log" && grep -q "^answer 0: 4.04" "$W/f3.log"; echo $?)
	kill -TERM "$GW_PID"; wait "$GW_PID"; GW_PID=
	! grep -Eq "fwd_requests +[1-9]" "$W/gw.forward-ctl.log"
	check "forward: nothing forwarded for the control path (fwd_requests 0)" $?
	kill "$UP_PID"; wait "$UP_PID" 2>/dev/null; UP_PID=
else
	echo "SKIP: forward-mode round (no coap-server-notls)"
fi
if [ "$fails" -ne 0 ]; then
	for f in "$W"/*.log; do echo "== $f"; cat "$f"; done
	exit 1
fi
echo "test_b12_echo: all checks passed"
