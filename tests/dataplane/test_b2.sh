#!/bin/bash
# RFC 8613 App. B.2 through oscore-gw (issue 5): context A is configured with "b2": true and a
# state database. A device that lost its state runs App. B.2 with osc_client --b2: request #1
# with a random R1 gets a 4.01 that verifies under ctx(R2 || R1) and carries R2; request #2 under
# ctx(R2 || R3) gets a 2.05, as do the requests after it. The re-derived context replaces A (A's
# old context answers 4.01), is listed by oscore-gwctl, is stored (listed again after a
# restart), and a second B.2 run replaces it in turn. Context B has no "b2": --b2 fails for it.
#   test_b2.sh OSCORE_GW OSC_CLIENT OSCORE_GWCTL
set -u
GW=$1 CLIENT=$2 CTL=$3
P=oscb2-$$
W=$(mktemp -d "${TMPDIR:-/tmp}/oscgw-b2.XXXXXX")
. "$(dirname "$0")/netns_gw.sh"
netns_up 10.77.0

cat >"$W/gw.json" <<JSON
{ "port": "net_af_packet0", "ipv4": "10.77.0.1", "mbufs": 2047, "summary_interval": 0,
  "state_db": "state.db",
  "contexts": [
    { "master_secret": "0102030405060708090a0b0c0d0e0f10", "sender_id": "01", "recipient_id": "0a",
      "b2": true },
    { "master_secret": "1112131415161718191a1b1c1d1e1f20", "sender_id": "01", "recipient_id": "0b" } ] }
JSON

client() { in_dev "$CLIENT" --contexts "$W/gw.json" --timeout 2 "$@" 10.77.0.1:5683 /x; }

start_gw 1
check "oscore-gw starts" $?
client --index 0 --count 2 >"$W/a0.log" 2>&1
check "A served with its configured context" $?
client --index 0 --b2 --count 3 >"$W/b2a.log" 2>&1
check "App. B.2: 4.01 with R2 under ctx(R2 || R1), then 3 verified 2.05 under ctx(R2 || R3)" \
	$(grep -q "b2: 4.01 with R2 (8 bytes) verified under ctx(R2 || R1)" "$W/b2a.log" &&
	  grep -q "3 of 3 exchanges verified" "$W/b2a.log"; echo $?)
client --index 0 >"$W/a1.log" 2>&1
grep -Eq "NOT PROTECTED: 4.0[01]" "$W/a1.log"
check "A's old context is replaced (unprotected 4.00 decrypt failed / 4.01)" $?
"$CTL" --prefix "$GW_PREFIX" list >"$W/list1.log" 2>&1
grep -q '"count":2' "$W/list1.log" && grep -Eq '"kid":"0a","id_context":"[0-9a-f]{32}"' "$W/list1.log"
check "gwctl list: A with a 16-byte ID Context R2 || R3, and B" $?
client --index 1 --b2 >"$W/b2b.log" 2>&1
check "B has no \"b2\": App. B.2 fails" $((! $?))
client --index 1 >"$W/b1.log" 2>&1
check "B still served" $?
client --index 0 --b2 --count 2 >"$W/b2c.log" 2>&1
check "a second App. B.2 run for A" $?
"$CTL" --prefix "$GW_PREFIX" list >"$W/list2.log" 2>&1
grep -q '"count":2' "$W/list2.log"
check "it replaced the first re-derived context" $?
# libcoap and Californium wrap the kid context in a CBOR byte string (0x48 || R1) in B.2
client --index 0 --b2-wrapped --count 2 >"$W/b2w.log" 2>&1
check "App. B.2 as libcoap sends it: wrapped R1, 4.01 with wrapped R2, 2 verified 2.05" \
	$(grep -q "b2: 4.01 with R2 (8 bytes, CBOR-wrapped) verified under ctx(R2 || R1)" \
		"$W/b2w.log" && grep -q "2 of 2 exchanges verified" "$W/b2w.log"; echo $?)
"$CTL" --prefix "$GW_PREFIX" list >"$W/list2w.log" 2>&1
idc() { grep -Eo '"kid":"0a","id_context":"[0-9a-f]{32}"' "$1"; }
grep -q '"count":2' "$W/list2w.log" && [ -n "$(idc "$W/list2w.log")" ] &&
	[ "$(idc "$W/list2w.log")" != "$(idc "$W/list2.log")" ]
check "the wrapped run replaced it with a new raw 16-byte ID Context R2 || R3" $?
client --index 0 --count 1 --b2 >"$W/b2r.log" 2>&1
check "the raw form still works after a wrapped run" $?
kill -TERM "$GW_PID"; wait "$GW_PID"; GW_PID=
grep -E "b2_" "$W/gw.1.log"
check "counted: 4 R2 issued, 4 installed, 1 refused, 2 wrapped (request #1 and #2)" \
	$(grep -Eq "b2_r2_issued +4$" "$W/gw.1.log" && grep -Eq "b2_installed +4$" "$W/gw.1.log" &&
	  grep -Eq "b2_refused +1$" "$W/gw.1.log" && grep -Eq "b2_wrapped +2$" "$W/gw.1.log"; echo $?)
start_gw 2
check "oscore-gw restarts" $?
"$CTL" --prefix "$GW_PREFIX" list >"$W/list3.log" 2>&1
grep -Eq '"kid":"0a","id_context":"[0-9a-f]{32}"' "$W/list3.log"
check "the re-derived context was stored and is restored" $?
kill -TERM "$GW_PID"; wait "$GW_PID"; GW_PID=
# B.2 hand-offs cost the control lcore derivations and trial decryptions: limited per source
# like error answers (2 at once, then 1 per second here)
python3 - "$W/gw.json" <<'PY'
import json, sys
g = json.load(open(sys.argv[1]))
g.update({"error_source_rate": 1, "error_source_burst": 2})
g.pop("state_db")
json.dump(g, open(sys.argv[1], "w"))
PY
start_gw 3
check "oscore-gw starts with a per-source limit" $?
client --index 0 --b2 --timeout 1 >"$W/rl1.log" 2>&1
check "first App. B.2 run (request #1 and #2) within the burst" $?
client --index 0 --b2 --timeout 1 >"$W/rl2.log" 2>&1
check "an immediate second run is not served" $((! $?))
kill -TERM "$GW_PID"; wait "$GW_PID"; GW_PID=
grep -Eq "b2_rate_limited +[1-9]" "$W/gw.3.log"
check "counted b2_rate_limited" $?
if [ "$fails" -ne 0 ]; then
	for f in "$W"/*.log; do echo "== $f"; cat "$f"; done
	exit 1
fi
echo "test_b2: all checks passed"
