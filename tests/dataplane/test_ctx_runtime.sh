#!/bin/bash
# Runtime context management under live traffic (issue 5): oscore-gw in respond mode on
# net_af_packet in a namespace, osc_client as devices in another. While device A sends a steady
# stream, oscore-gwctl adds context C (its requests go from unprotected 4.01 to protected 2.05),
# removes context B (its requests go to 4.01 "Security context not found"), lists and shows
# contexts (no secret in any answer); every one of A's requests is answered, and the gateway's
# counters match exactly.
#   test_ctx_runtime.sh OSCORE_GW OSC_CLIENT OSCORE_GWCTL
set -u
GW=$1 CLIENT=$2 CTL=$3
P=oscrt-$$
W=$(mktemp -d "${TMPDIR:-/tmp}/oscgw-rt.XXXXXX")
A_PID=
cleanup_extra() { [ -n "$A_PID" ] && kill "$A_PID" 2>/dev/null; }
. "$(dirname "$0")/netns_gw.sh"
netns_up 10.78.0

SECRET_B=1112131415161718191a1b1c1d1e1f20
SECRET_C=3132333435363738393a3b3c3d3e3f40
cat >"$W/gw.json" <<JSON
{ "port": "net_af_packet0", "ipv4": "10.78.0.1", "mbufs": 2047, "max_contexts": 8,
  "summary_interval": 0,
  "contexts": [
    { "master_secret": "0102030405060708090a0b0c0d0e0f10", "master_salt": "9e7ca92223786340",
      "sender_id": "01", "recipient_id": "0a" },
    { "master_secret": "$SECRET_B", "sender_id": "01", "recipient_id": "0b" } ] }
JSON
cat >"$W/c.json" <<JSON
[ { "master_secret": "$SECRET_C", "sender_id": "01", "recipient_id": "0c",
    "id_context": "c0ffee" } ]
JSON
# the clients' view: A, B, C as indexes 0, 1, 2
python3 - "$W" <<'PY'
import json, sys
w = sys.argv[1]
g = json.load(open(w + "/gw.json"))
json.dump({"contexts": g["contexts"] + json.load(open(w + "/c.json"))}, open(w + "/all.json", "w"))
PY

start_gw main --stats-json "$W/stats.json"
check "oscore-gw started" $?

client() { in_dev "$CLIENT" --contexts "$W/all.json" --timeout 2 "$@" 10.78.0.1:5683 /x; }

# A streams until it is stopped after the remove (a fixed count finished before the remove when
# the box was idle): every answer it got must be a verified 2.05
N_A=100000000
# not through client(): $! must be the client's pid (ip netns exec execs it), not a subshell's;
# timeout bounds it even if this script is killed before its trap runs
timeout 120 ip netns exec "$NS_DEV" "$CLIENT" --contexts "$W/all.json" --timeout 2 --index 0 --count $N_A \
	10.78.0.1:5683 /x >"$W/a.log" 2>&1 &
A_PID=$!
sleep 0.5
client --index 2 >"$W/c0.log" 2>&1
grep -q "NOT PROTECTED: 4.01" "$W/c0.log"
check "C before the add: 4.01 (no context)" $?
"$CTL" --prefix "$GW_PREFIX" add "$W/c.json" >"$W/add.log" 2>&1
check "gwctl add c.json" $?
client --index 2 --count 20 >"$W/c1.log" 2>&1
check "C after the add: 20 protected 2.05 answers" $?
client --index 1 --count 5 >"$W/b0.log" 2>&1
check "B before the remove: served" $?
"$CTL" --prefix "$GW_PREFIX" remove 0b >"$W/rm.log" 2>&1
check "gwctl remove 0b" $?
kill -0 "$A_PID" 2>/dev/null
check "A's stream was still running during the add and the remove" $?
client --index 1 >"$W/b1.log" 2>&1
grep -q "NOT PROTECTED: 4.01" "$W/b1.log"
check "B after the remove: 4.01 (no context)" $?
"$CTL" --prefix "$GW_PREFIX" remove 0b >/dev/null 2>&1
check "removing it again is refused" $((! $?))
"$CTL" --prefix "$GW_PREFIX" list >"$W/list.log" 2>&1 && "$CTL" --prefix "$GW_PREFIX" show 0c c0ffee >>"$W/list.log" 2>&1
check "gwctl list and show" $?
grep -q '"count":2' "$W/list.log" && grep -q '"kid":"0c","id_context":"c0ffee"' "$W/list.log"
check "list: A and C, show: C" $?
! grep -qi -e "$SECRET_C" -e "$SECRET_B" -e 0102030405060708 -e master "$W/list.log" "$W/add.log" "$W/rm.log"
check "no secret in any answer" $?
kill -TERM "$A_PID"; wait "$A_PID"; A_PID=
n_a=$(grep -c "^answer 0: 2.05" "$W/a.log")
[ "$n_a" -gt 0 ] && ! grep -q "FAIL" "$W/a.log"
check "A: all $n_a requests answered 2.05 during add and remove" $?
"$CTL" --prefix "$GW_PREFIX" stats >"$W/stats.live" 2>&1
kill -TERM "$GW_PID"; wait "$GW_PID"; GW_PID=
python3 - "$W/stats.json" $((n_a + 20 + 5)) <<'PY'
import json, sys
s = json.load(open(sys.argv[1])); want = int(sys.argv[2])
c, e = s["counters"], s["osc_err"]
# + 1: A may have been stopped between the gateway's answer and its own log line
print("answer_protected", c["answer_protected"], "expected", want, "(+1); no_context", e["context_not_found"], "expected 2")
sys.exit(0 if want <= c["answer_protected"] <= want + 1 and e["context_not_found"] == 2 else 1)
PY
check "counters: every valid request answered protected, exactly 2 context-not-found" $?
[ "$fails" -eq 0 ] || { cat "$W/gw.main.log"; for f in "$W"/*.log; do echo "== $f"; tail -n 3 "$f"; done; exit 1; }
echo "test_ctx_runtime: all checks passed"
