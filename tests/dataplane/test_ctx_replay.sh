#!/bin/bash
# Issue 8, live: no Partial IV is ever accepted twice per key material, and no own Partial IV is
# sent twice, over net_af_packet in namespaces, one request at a time as a device sends them:
# replays (1,2,1,1,2,3), duplicate add attempts (the same context, another with the same Sender
# Key), remove + re-add, restarts (SIGTERM and SIGKILL) with state_db, and the same without
# state_db. "response_piv": "own": every protected answer carries the gateway's own Partial IV.
#   test_ctx_replay.sh OSCORE_GW OSC_CLIENT OSCORE_GWCTL
set -u
GW=$1 CLIENT=$2 CTL=$3
P=oscrp-h8-$$
W=$(mktemp -d "${TMPDIR:-/tmp}/oscgw-replay.XXXXXX")
. "$(dirname "$0")/netns_gw.sh"
netns_up 10.81.0

A='{ "master_secret": "0102030405060708090a0b0c0d0e0f10", "master_salt": "9e7ca92223786340",
      "sender_id": "01", "recipient_id": "0a" }'
echo "[ $A ]" >"$W/a.json"
sed 's/"0a"/"0b"/' "$W/a.json" >"$W/a_same_sender.json"
conf() { # conf STATE_DB_JSON
	cat >"$W/gw.json" <<JSON
{ "port": "net_af_packet0", "ipv4": "10.81.0.1", "mbufs": 2047, "summary_interval": 0,
  "max_contexts": 8, "response_piv": "own", "k_ssn": 16 $1,
  "contexts": [ $A ] }
JSON
}
# pivs NAME LIST: the device sends LIST one request at a time; results in $W/NAME.res
pivs() {
	in_dev "$CLIENT" --contexts "$W/a.json" --timeout 1 --piv "$2" 10.81.0.1:5683 /x \
		>"$W/$1.res" 2>&1
}
# expect_acc NAME "WANT" MESSAGE: the Partial IVs accepted in NAME are exactly WANT
expect_acc() {
	local got
	got=$(accepted "$1")
	[ "$got" = "$2" ]
	check "$3 (accepted: ${got:-none})" $?
}
accepted() { grep -o "piv=[0-9]* code=2.05 protected=1" "$W/$1.res" | sed 's/piv=\([0-9]*\).*/\1/' | tr '\n' ' '; }
gwctl() { "$CTL" --prefix "$GW_PREFIX" "$@"; }
stop_gw() { kill "-$1" "$GW_PID"; wait "$GW_PID" 2>/dev/null; GW_PID=; }

round() { # round TAG: everything once, with the gateway configured by conf
	local t=$1
	start_gw "$t-1"
	check "$t: oscore-gw started" $?
	pivs "$t-replays" 1,2,1,1,2,3
	expect_acc "$t-replays" "1 2 3 " "$t: Partial IVs 1,2,1,1,2,3: only 1 2 3 accepted"
	gwctl add "$W/a.json" >"$W/$t-dup.log" 2>&1
	[ $? -ne 0 ] && grep -q "same recipient_id, id_context and keys" "$W/$t-dup.log"
	check "$t: adding the configured context again is refused with a reason" $?
	gwctl add "$W/a_same_sender.json" >"$W/$t-dup2.log" 2>&1
	[ $? -ne 0 ] && grep -q "same Sender Key" "$W/$t-dup2.log"
	check "$t: a context with the same Sender Key is refused" $?
	pivs "$t-after-dup" 1,2,3,4
	expect_acc "$t-after-dup" "4 " "$t: after the add attempts only 4 of 1,2,3,4 accepted"
	gwctl remove 0a >"$W/$t-rm.log" 2>&1 && gwctl add "$W/a.json" >"$W/$t-readd.log" 2>&1
	check "$t: remove, then the same context added again" $?
	pivs "$t-readd" 1,2,3,4
	expect_acc "$t-readd" "" "$t: after remove + re-add none of 1..4 accepted"
	grep -q "code=4.01 protected=1" "$W/$t-readd.res"
	check "$t: the re-added context asks for Echo (App. B.1.2: its window is unknown)" $?
	in_dev "$CLIENT" --contexts "$W/a.json" --timeout 2 10.81.0.1:5683 /x >"$W/$t-fresh.log" 2>&1
	check "$t: a fresh request (Echo round trip) is served" $?
	if [ "$t" = db ]; then # item 12: a removed context's Master Secret is in neither file
		echo '[{"master_secret": "c0c1c2c3c4c5c6c7c8c9cacbcccdcecf", "sender_id": "01",
			"recipient_id": "0d"}]' >"$W/d.json"
		gwctl add "$W/d.json" >/dev/null && gwctl remove 0d >/dev/null &&
			python3 -c 'import os, sys; s = bytes.fromhex("c0c1c2c3c4c5c6c7c8c9cacbcccdcecf")
sys.exit(any(os.path.exists(f) and s in open(f, "rb").read() for f in sys.argv[1:]))' \
				"$W/state.db" "$W/state.db-wal"
		check "$t: a removed Master Secret is in neither state.db nor its WAL" $?
	fi
	stop_gw TERM
	start_gw "$t-2"
	pivs "$t-restart" 1,2,3,4,5
	expect_acc "$t-restart" "" "$t: after a SIGTERM restart none of 1..5 accepted"
	gwctl remove 0a >/dev/null 2>&1
	stop_gw KILL
	start_gw "$t-3" # the configured context comes back after the remove
	pivs "$t-killed" 1,2,3,4,5
	expect_acc "$t-killed" "" "$t: remove, SIGKILL, configured again at start: none of 1..5 accepted"
	stop_gw TERM
}

conf ', "state_db": "state.db"'
round db
# Without state_db nothing survives a restart (documented); within the process the same holds.
conf ''
start_gw nodb
pivs nodb-replays 1,2,1,1,2,3
expect_acc nodb-replays "1 2 3 " "no state_db: 1,2,1,1,2,3: only 1 2 3 accepted"
gwctl add "$W/a.json" >/dev/null 2>&1
check "no state_db: adding the configured context again is refused" $((! $?))
gwctl remove 0a >/dev/null 2>&1 && gwctl add "$W/a.json" >/dev/null 2>&1
check "no state_db: remove, then added again" $?
pivs nodb-readd 1,2,3,4
expect_acc nodb-readd "" "no state_db: after remove + re-add none of 1..4 accepted"
in_dev "$CLIENT" --contexts "$W/a.json" --timeout 2 10.81.0.1:5683 /x >"$W/nodb-fresh.log" 2>&1
check "no state_db: a fresh request (Echo round trip) is served" $?
# Item 11: /oscore/ctx/load reads only below the configuration's folder and never quotes a file
printf '{"a": LEAKED_CONTENT_1}' >"$W/bad.json"
printf '[{"master_secret": "00", "sender_id": "01", "recipient_id": "0c", "LEAKED_KEY_2": 1}]' \
	>"$W/badkey.json"
ln -s /etc/passwd "$W/link.json"
for f in /etc/passwd "$W/link.json" "$W/bad.json" "$W/badkey.json"; do
	gwctl add --bulk "$f"
done >"$W/load.log" 2>&1
[ "$(grep -c '"rc":-1' "$W/load.log")" = 4 ] && [ "$(grep -c 'not a file below' "$W/load.log")" = 2 ] &&
	! grep -q -e LEAKED -e root: "$W/load.log"
check "ctx/load: outside files and symlinks refused, errors quote no file content" $?
stop_gw TERM

# Item 3: Recipient ID 0a twice with different keys (§3.3), the device's context first. A replay
# verified under it is "4.01 Replay detected" (counted as a replay), never the other candidate's
# "4.00 Decryption failed" because that one came last; a fresh request is still served.
B='{ "master_secret": "4142434445464748494a4b4c4d4e4f50", "sender_id": "02", "recipient_id": "0a" }'
cat >"$W/gw.json" <<JSON
{ "port": "net_af_packet0", "ipv4": "10.81.0.1", "mbufs": 2047, "summary_interval": 0,
  "contexts": [ $A, $B ] }
JSON
start_gw collide --stats-json "$W/collide.json"
pivs collide-replay 1,1,2
grep -q "piv=1 code=2.05 protected=1" "$W/collide-replay.res" &&
	[ "$(grep -c "piv=1 code=4.01 protected=0" "$W/collide-replay.res")" = 1 ] &&
	grep -q "piv=2 code=2.05 protected=1" "$W/collide-replay.res"
r=$?
check "colliding IDs: a replay is answered 4.01 Replay detected, not 4.00 ($(grep -o 'piv=1 code=4.0. protected=0' "$W/collide-replay.res"))" $r
stop_gw TERM
python3 - "$W/collide.json" <<'PY'
import json, sys
e = json.load(open(sys.argv[1]))["osc_err"]
print("replay", e.get("replay"), "decrypt", e.get("decrypt"))
sys.exit(0 if e.get("replay") == 1 and e.get("decrypt", 0) == 0 else 1)
PY
check "colliding IDs: counted once as replay, never as decrypt" $?

# Every own Partial IV of the gateway (one Sender Key throughout) appears once in each phase that
# shares its SSN history: the state_db round across restarts, the process without state_db.
python3 - "$W" <<'PY'
import glob, re, sys
w = sys.argv[1]
bad = 0
for tag in ("db", "nodb"):
    own = []
    for f in sorted(glob.glob("%s/%s-*.res" % (w, tag))) + sorted(glob.glob("%s/%s-*fresh.log" % (w, tag))):
        txt = open(f).read()
        own += [int(p) for p in re.findall(r"answer \d+: \S+ \S+ piv=(\d+)", txt)]
    dup = sorted(set(p for p in own if own.count(p) > 1))
    print("%s: %d own Partial IVs, repeated: %s" % (tag, len(own), dup or "none"))
    bad += bool(dup) + (len(own) < 3)
sys.exit(1 if bad else 0)
PY
check "no own Partial IV sent twice under the one Sender Key" $?
! grep -l -e AddressSanitizer -e LeakSanitizer -e "runtime error" "$W"/gw.*.log
check "no sanitizer report from any gateway run" $?
[ "$fails" -eq 0 ] || { for f in "$W"/*.log "$W"/*.res; do echo "== $f"; tail -n 8 "$f"; done; exit 1; }
echo "test_ctx_replay: all checks passed"
