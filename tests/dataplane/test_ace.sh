#!/bin/bash
# ACE (RFC 9200 + RFC 9203) through oscore-gw (issue 9): a test-side AS and client
# (ace_peer.py, Debian's python3-cbor2 and python3-cryptography) POST tokens to /authz-info over
# UDP in a namespace (net_af_packet), get N2 and ID2, derive the same context (§4.3) and make
# protected requests with osc_client through the gateway in respond mode and in forward mode
# (coap-server-notls upstream). Cases, in both modes: wrong aud 4.03, expired 4.01, bad
# signature 4.01, garbage 4.00, missing N1 / ID1 4.00, wrong Content-Format 4.15; the token's
# scope enforced on the worker (protected 4.03 wrong resource, 4.05 wrong method; in forward
# mode nothing outside it reaches the upstream); the update of access rights (protected 2.01);
# a repost with a new N1 (the old context serves until the new one is used, both orders); a
# restart with state_db (tokens restored with their scope, one that expired while down gone,
# the first request's App. B.1.2 Echo round then served by scope and control path). Respond
# mode also: Encrypt0 and Sign1 tokens, AS Request Creation Hints, oscore-gwctl tokens and
# revoke, expiry at exp, configuration errors naming file and field. Forward mode also: expiry
# and revocation during Observe (a final protected 4.01 notification, RFC 9200 §5.10.3).
#   test_ace.sh OSCORE_GW OSC_CLIENT OSCORE_GWCTL
set -u
GW=$1 CLIENT=$2 CTL=$3
PEER="/usr/bin/python3 $(dirname "$0")/ace_peer.py"
P=oscace-$$
W=$(mktemp -d "${TMPDIR:-/tmp}/oscgw-ace.XXXXXX")
/usr/bin/python3 -c 'import cbor2, cryptography' 2>/dev/null || { echo "SKIP: python3-cbor2"; exit 77; }
. "$(dirname "$0")/netns_gw.sh"
netns_up 10.78.0

K1=231f4c4d4d3051fdc2ec0a3851d5b383
read -r X Y < <($PEER genkey "$W/as2.pem")
ace() { # the gateway's "ace" section
	cat <<JSON
{"audience": "coap://gw.example", "as_uri": "coap://as.example/token", "max_lifetime": 600,
 "issuers": [{"name": "as1", "iss": "coap://as.example", "kid_text": "as1",
              "alg": "AES-CCM-16-64-128", "key": "$K1"},
             {"name": "as2", "alg": "ES256", "x": "$X", "y": "$Y"}],
 "scopes": {"rTempC": [["/s/temp", 1]], "wLed": [["/a/led", 4]], "rLed": [["/a/led", 1]],
            "rTime": [["/time", 1]]}}
JSON
}
gwjson() { # gwjson ACE NAMESPACES
	cat <<JSON
{ "port": "net_af_packet0", "ipv4": "10.78.0.1", "mbufs": 2047, "summary_interval": 0,
  "state_db": "state.db", "rfc8613_b_1_2": true, "ace": $1, "id_namespaces": $2,
  "contexts": [{ "master_secret": "0102030405060708090a0b0c0d0e0f10", "sender_id": "01",
                 "recipient_id": "0a" }] }
JSON
}
NS='{"direct": [{"prefix": "", "min_len": 1, "max_len": 1}],
     "ace": [{"prefix": "", "min_len": 2, "max_len": 2}]}'

# configuration errors name file and field
cfgerr() { in_gw "$GW" --no-huge --no-pci --no-shconf --file-prefix "$P-cfg" -m 256 -l 0-1 \
	--log-level=warning --vdev net_af_packet0,iface=gdev -- --config "$W/gw.json" --duration 1 2>&1; }
gwjson "$(ace | sed 's/"key": "231f/"key": "1f/')" "$NS" >"$W/gw.json"
cfgerr | grep -q "gw.json: ace.issuers\[0\].key: 15 bytes"
check "a short AS key is refused naming file and field" $?
gwjson "$(ace)" '{"direct": [{"prefix": "", "min_len": 1, "max_len": 1}]}' >"$W/gw.json"
cfgerr | grep -q "gw.json: ace: needs an \"ace\" part in id_namespaces"
check "ace without an ace Recipient-ID namespace is refused" $?
ace >"$W/as.json"
gwjson '"as.json"' "$NS" >"$W/gw.json"
cfgerr | grep -q "1 context(s)"
check "the AS configuration in a file of its own (relative to gw.json)" $?

gwjson "$(ace)" "$NS" >"$W/gw.json"
rm -f "$W"/state.db* # (the file check above started once with it: B.1.2 would ask for an Echo)
start_gw 1
check "oscore-gw starts with ACE" $?

post() { in_dev $PEER post 10.78.0.1 5683 --key "$K1" "$@"; }
client() { in_dev "$CLIENT" --contexts "$1" --timeout 2 "${@:2}"; }
code_of() { grep -o 'code [0-9.]*' | cut -d' ' -f2; }

post --out "$W/c1.json" >"$W/p1.log" 2>&1
check "Encrypt0 token: 2.01 {N2, ID2} ($(head -c 80 "$W/p1.log"))" \
	$(grep -Eq "code 2.01 payload a2182a48[0-9a-f]{16}182c42[0-9a-f]{4}" "$W/p1.log"; echo $?)
grep -q '"recipient_id": "01"' "$W/c1.json" 2>/dev/null
check "ID2 is 2 bytes of the ace namespace, != ID1" \
	$(id2=$(grep -o 'id2 [0-9a-f]*' "$W/p1.log" | cut -d' ' -f2); [ ${#id2} -eq 4 ] && [ "$id2" != 01 ]; echo $?)
client "$W/c1.json" --count 3 10.78.0.1:5683 /s/temp >"$W/r1.log" 2>&1
check "protected GET /s/temp with the derived context: 3 verified 2.05" \
	$(grep -q "3 of 3 exchanges verified" "$W/r1.log"; echo $?)
# scope enforcement on the worker (RFC 9200 §5.10.2): rTempC is GET /s/temp
client "$W/c1.json" --expect 4.03 10.78.0.1:5683 /a/led >"$W/s1.log" 2>&1
check "scope: a resource outside it gets a protected 4.03" $?
client "$W/c1.json" --method PUT --payload on --expect 4.05 10.78.0.1:5683 /s/temp >"$W/s2.log" 2>&1
check "scope: a method outside it gets a protected 4.05" $?
client "$W/c1.json" --expect 4.03 10.78.0.1:5683 "/s/temp?x=1" >"$W/s3.log" 2>&1
check "scope: the local part must match exactly (a query is another resource): 4.03" $?

# RFC 9200 §5.3: an unprotected request to a protected resource gets a 4.01 with the AS Request
# Creation Hints {1: as_uri, 5: audience} (Content-Format 19)
hints=$(/usr/bin/python3 -c 'import cbor2; print(cbor2.dumps({1: "coap://as.example/token",
	5: "coap://gw.example"}).hex())')
[ "$(in_dev $PEER get 10.78.0.1 5683 temp)" = "code 4.01 payload $hints" ]
check "unprotected GET: 4.01 with AS Request Creation Hints" $?

# refusals of RFC 9200 §5.10.1.1 (the control plane answers them; both modes run them)
refusals() { # refusals MODE
	[ "$(post --aud coap://other --id c1 | code_of)" = 4.03 ]
	check "$1: wrong aud: 4.03" $?
	[ "$(post --exp -10 --id c1 | code_of)" = 4.01 ]
	check "$1: expired token: 4.01" $?
	[ "$(post --as sign --key "$W/as2.pem" --kid x --tamper --id c1 | code_of)" = 4.01 ]
	check "$1: Sign1 with a bad signature: 4.01" $?
	[ "$(post --garbage | code_of)" = 4.00 ]
	check "$1: garbage payload: 4.00" $?
	[ "$(post --n1 none --id c1 | code_of)" = 4.00 ]
	check "$1: missing N1: 4.00" $?
	[ "$(post --id1 none --id c1 | code_of)" = 4.00 ]
	check "$1: missing ID1: 4.00" $?
	[ "$(post --cf 50 --id c1 | code_of)" = 4.15 ]
	check "$1: Content-Format 50 (application/json), not 19: 4.15" $?
}
refusals respond
in_dev "$CLIENT" --contexts "$W/gw.json" --method POST --payload-hex a0 --expect 4.01 \
	--timeout 2 10.78.0.1:5683 /authz-info >"$W/dc.log" 2>&1
check "protected POST /authz-info on a direct context (no token kept): protected 4.01" $?
post --as sign --key "$W/as2.pem" --kid x --id c2 --ms 00112233445566778899aabbccddeeff \
	--n1 aabbccdd --id1 02 --out "$W/c2.json" >"$W/p2.log" 2>&1
client "$W/c2.json" 10.78.0.1:5683 /s/temp >"$W/r2.log" 2>&1
check "Sign1 ES256 token: 2.01 and a verified 2.05" \
	$(grep -q "code 2.01" "$W/p2.log" && grep -q "1 of 1 exchanges verified" "$W/r2.log"; echo $?)

# update of access rights (RFC 9203 §4.1): protected POST {1: token} with cnf kid = the osc id
upd=$($PEER token --key "$K1" --scope wLed)
client "$W/c1.json" --method POST --payload-hex "$upd" --expect 2.01 10.78.0.1:5683 \
	/authz-info >"$W/u1.log" 2>&1
check "update of access rights: protected 2.01" $?
client "$W/c1.json" --expect 4.03 10.78.0.1:5683 /s/temp >"$W/s4.log" 2>&1 &&
	client "$W/c1.json" --method PUT --payload on --expect 2.04 10.78.0.1:5683 /a/led \
	>"$W/s5.log" 2>&1
check "after the update (wLed): GET /s/temp 4.03, PUT /a/led 2.04" $?
upd=$($PEER token --key "$K1" --id c2 --scope wLed)
client "$W/c1.json" --method POST --payload-hex "$upd" --expect 4.01 10.78.0.1:5683 \
	/authz-info >"$W/u2.log" 2>&1
check "update whose cnf kid names another token's material: protected 4.01" $?

# repost with a new N1 (RFC 9203 §6): a new context; the old one serves (with its own scope)
# until the first request verified under the new one, then it is removed. Both orders.
gone() { # gone CONTEXTS: the context answers the unprotected 4.01 (removed), within 3 s
	for _ in $(seq 30); do
		client "$1" 10.78.0.1:5683 /s/temp >"$W/gone.log" 2>&1
		grep -q "NOT PROTECTED: 4.01" "$W/gone.log" && return 0
		sleep 0.1
	done
	return 1
}
post --n1 0102030405060708 --out "$W/c3.json" >"$W/p3.log" 2>&1
check "repost with a new N1: 2.01" $(grep -q "code 2.01" "$W/p3.log"; echo $?)
client "$W/c1.json" --method PUT --payload on --expect 2.04 10.78.0.1:5683 /a/led \
	>"$W/r3a.log" 2>&1 && client "$W/c1.json" --expect 4.03 10.78.0.1:5683 /s/temp >"$W/r3b.log" 2>&1
check "repost, old context first: it still serves, with its own scope (wLed: PUT /a/led 2.04, GET /s/temp 4.03)" $?
client "$W/c3.json" 10.78.0.1:5683 /s/temp >"$W/r3.log" 2>&1
check "repost: the new context answers (rTempC: GET /s/temp 2.05)" \
	$(grep -q "1 of 1 exchanges verified" "$W/r3.log"; echo $?)
gone "$W/c1.json"
check "repost: once the new context is used the old one is gone (unprotected 4.01)" $?
post --id c8 --id1 08 --n1 88 --out "$W/c8.json" >"$W/p8.log" 2>&1 &&
	post --id c8 --id1 08 --n1 8888 --out "$W/c9.json" >"$W/p9.log" 2>&1
client "$W/c9.json" 10.78.0.1:5683 /s/temp >"$W/r9.log" 2>&1
check "repost, new context first: 2.01 twice, the new context answers 2.05" \
	$(grep -q "code 2.01" "$W/p8.log" && grep -q "code 2.01" "$W/p9.log" &&
	  grep -q "1 of 1 exchanges verified" "$W/r9.log"; echo $?)
gone "$W/c8.json"
check "repost, new context first: the old one is gone (unprotected 4.01)" $?
"$CTL" --prefix "$GW_PREFIX" revoke as1 c8 >"$W/rev8.log" 2>&1
check "gwctl revoke as1 c8" $?
# oscore-gwctl: tokens (issuer, scope, expiry, the context; never keys) and revoke
"$CTL" --prefix "$GW_PREFIX" tokens >"$W/tok.log" 2>&1
grep -q '"count":2' "$W/tok.log" && grep -q '"issuer":"as1","scope":"/s/temp:1"' "$W/tok.log" &&
	grep -q '"issuer":"as2"' "$W/tok.log" && grep -q '"id":"c2"' "$W/tok.log" &&
	! grep -qi 'f9af838368e353e78888e1426bd94e6f\|00112233445566778899aabbccddeeff' "$W/tok.log"
check "gwctl tokens: both tokens with issuer, scope and id, no Master Secret" $?
"$CTL" --prefix "$GW_PREFIX" revoke as2 c2 >"$W/rev.log" 2>&1 &&
	client "$W/c2.json" 10.78.0.1:5683 /s/temp >"$W/r6.log" 2>&1
grep -q "NOT PROTECTED: 4.01" "$W/r6.log"
check "gwctl revoke as2 c2: its context is removed at once (4.01)" $?
"$CTL" --prefix "$GW_PREFIX" revoke as2 c2 >"$W/rev2.log" 2>&1
check "revoking it again: refused" $((! $?))

# expiry (RFC 9200 §5.10.3): at exp the context is removed; later requests get the unprotected 4.01
# (exp 8 s ahead so that a slow POST on a loaded machine still lands before it)
post --exp 8 --id c4 --id1 04 --n1 44 --out "$W/c4.json" >"$W/p4.log" 2>&1
client "$W/c4.json" 10.78.0.1:5683 /s/temp >"$W/e1.log" 2>&1
check "a token with exp in 8 s: 2.01 and a verified 2.05" \
	$(grep -q "code 2.01" "$W/p4.log" && grep -q "1 of 1 exchanges verified" "$W/e1.log"; echo $?)
for _ in $(seq 30); do # the control loop checks once a second: wait for it, at most 30 s
	sleep 1
	client "$W/c4.json" 10.78.0.1:5683 /s/temp >"$W/e2.log" 2>&1
	grep -q "NOT PROTECTED: 4.01" "$W/e2.log" && break
done
grep -q "NOT PROTECTED: 4.01" "$W/e2.log"
check "after exp: the context is gone, unprotected 4.01" $?
for _ in $(seq 20); do # the context goes a grace period (200 ms) after its token (§5.10.3)
	"$CTL" --prefix "$GW_PREFIX" list >"$W/list.log" 2>&1
	grep -q '"count":2' "$W/list.log" && break
	sleep 0.1
done
check "gwctl list: the configured context and the one ACE context left" \
	$(grep -q '"count":2' "$W/list.log"; echo $?)
# restart with "state_db": the tokens are kept with their contexts (scope, expiry), a token that
# expires while the gateway is down is not restored; the first request on a restored context
# goes through App. B.1.2 (Echo) and is then served as any request: scope, control path
post --id c7 --id1 07 --n1 77 --out "$W/c7.json" >"$W/p7.log" 2>&1
post --exp 4 --id c6 --id1 06 --n1 66 --out "$W/c6.json" >"$W/p6.log" 2>&1
check "before the restart: two more tokens (c7; c6 expiring in 4 s): 2.01" \
	$(grep -q "code 2.01" "$W/p7.log" && grep -q "code 2.01" "$W/p6.log"; echo $?)
kill -TERM "$GW_PID"; wait "$GW_PID"; GW_PID=
sleep 5 # c6 expires while the gateway is down
start_gw 2
check "restart" $?
grep -q "2 stored ACE context(s) restored with their tokens, 1 removed" "$W/gw.2.log"
check "restart: 2 tokens restored with their contexts (c3, c7), the expired one (c6) removed" $?
client "$W/c6.json" 10.78.0.1:5683 /s/temp >"$W/x6.log" 2>&1
grep -q "NOT PROTECTED: 4.01" "$W/x6.log"
check "restart: the context of the token that expired while down is gone: unprotected 4.01" $?
client "$W/c7.json" --expect 4.03 10.78.0.1:5683 /a/led >"$W/x7.log" 2>&1
check "restart: first request (Echo round) outside the restored scope: protected 4.03" \
	$(grep -q "echo retry" "$W/x7.log" && grep -q "^answer 0: 4.03" "$W/x7.log"; echo $?)
client "$W/c7.json" 10.78.0.1:5683 /s/temp >"$W/x8.log" 2>&1 &&
	client "$W/c7.json" --method PUT --payload on --expect 4.05 10.78.0.1:5683 /s/temp \
	>"$W/x9.log" 2>&1
check "restart: the restored scope on the worker: GET /s/temp 2.05, PUT /s/temp 4.05" $?
upd=$($PEER token --key "$K1" --scope wLed)
client "$W/c3.json" --method POST --payload-hex "$upd" --expect 2.01 10.78.0.1:5683 \
	/authz-info >"$W/x10.log" 2>&1
check "restart: first request (Echo round) is the protected update at /authz-info: its handler's 2.01" \
	$(grep -q "echo retry" "$W/x10.log" && grep -q "^answer 0: 2.01" "$W/x10.log"; echo $?)
"$CTL" --prefix "$GW_PREFIX" tokens >"$W/tok2.log" 2>&1
grep -q '"count":2' "$W/tok2.log" && grep -q '"scope":"/a/led:4"' "$W/tok2.log"
check "restart: gwctl tokens lists the 2 restored tokens, c0's updated to wLed" $?
kill -TERM "$GW_PID"; wait "$GW_PID"; GW_PID=
start_gw 3
client "$W/c3.json" --method PUT --payload on --expect 2.04 10.78.0.1:5683 /a/led \
	>"$W/x11.log" 2>&1 && client "$W/c3.json" --expect 4.03 10.78.0.1:5683 /s/temp >"$W/x12.log" 2>&1
check "second restart: the updated scope was stored (PUT /a/led 2.04, GET /s/temp 4.03)" $?
kill -TERM "$GW_PID"; wait "$GW_PID"; GW_PID=
check "counted: ace_deny_resource 4, ace_deny_method 1, ace_expired 1, ace_superseded 2" \
	$(grep -Eq "ace_deny_resource +4$" "$W/gw.1.log" && grep -Eq "ace_deny_method +1$" \
		"$W/gw.1.log" && grep -Eq "ace_expired +1$" "$W/gw.1.log" &&
		grep -Eq "ace_superseded +2$" "$W/gw.1.log"; echo $?)

# forward mode: what the scope allows goes upstream (coap-server-notls), the rest is refused on
# the worker and never reaches it
if upstream_up 10.78.0.3; then
	sed -i 's|"state_db"|"mode": "forward", "upstream": "10.78.0.3:5683", "state_db"|' "$W/gw.json"
	start_gw forward
	check "forward: oscore-gw starts in forward mode" $?
	post --scope wLed --id c5 --id1 05 --n1 55 --out "$W/c5.json" >"$W/p5.log" 2>&1
	client "$W/c5.json" --timeout 5 --method PUT --payload on --expect 2.01 10.78.0.1:5683 /a/led \
		>"$W/f1.log" 2>&1
	check "forward: PUT /a/led (in scope) reaches the upstream: 2.01" $?
	client "$W/c5.json" --expect 4.05 10.78.0.1:5683 /a/led >"$W/f2.log" 2>&1 &&
		client "$W/c5.json" --expect 4.03 10.78.0.1:5683 /s/temp >"$W/f3.log" 2>&1
	check "forward: GET /a/led 4.05 and GET /s/temp 4.03 from the gateway" $?
	refusals forward
	# repost (RFC 9203 §6): the old context goes upstream until the new one is used
	post --scope wLed --id c5 --id1 05 --n1 5555 --out "$W/c5b.json" >"$W/p5b.log" 2>&1
	client "$W/c5.json" --timeout 5 --method PUT --payload old --expect 2.04 10.78.0.1:5683 \
		/a/led >"$W/f6.log" 2>&1
	check "forward repost: 2.01, the old context still reaches the upstream (PUT 2.04)" \
		$(grep -q "code 2.01" "$W/p5b.log" && grep -q "^answer 0: 2.04" "$W/f6.log"; echo $?)
	client "$W/c5b.json" --timeout 5 --method PUT --payload on --expect 2.04 10.78.0.1:5683 \
		/a/led >"$W/f7.log" 2>&1
	check "forward repost: the new context reaches the upstream (PUT 2.04)" $?
	gone "$W/c5.json"
	check "forward repost: once the new context is used the old one is gone (unprotected 4.01)" $?
	# update of access rights (RFC 9203 §4.1) on the new context: wLed -> rLed
	upd=$($PEER token --key "$K1" --id c5 --scope rLed)
	client "$W/c5b.json" --method POST --payload-hex "$upd" --expect 2.01 10.78.0.1:5683 \
		/authz-info >"$W/f8.log" 2>&1
	check "forward: update of access rights: protected 2.01 from the gateway" $?
	client "$W/c5b.json" --timeout 5 --expect 2.05 10.78.0.1:5683 /a/led >"$W/f9.log" 2>&1 &&
		client "$W/c5b.json" --method PUT --payload x --expect 4.05 10.78.0.1:5683 /a/led \
		>"$W/f10.log" 2>&1
	check "forward: after the update (rLed): GET /a/led reaches the upstream (2.05 on), PUT 4.05" \
		$(grep -q "^answer 0: 2.05 .*payload=on" "$W/f9.log" && grep -q "^answer 0: 4.05" \
		  "$W/f10.log"; echo $?)
	kill -TERM "$GW_PID"; wait "$GW_PID"; GW_PID=
	grep -Eq "fwd_requests +4$" "$W/gw.forward.log"
	check "forward: forwarded only the three PUTs and the GET in scope (fwd_requests 4)" $?
	start_gw forward-restart
	client "$W/c5b.json" --timeout 5 --method PUT --payload y --expect 4.05 10.78.0.1:5683 \
		/a/led >"$W/f4.log" 2>&1
	check "forward restart: first request (Echo round) outside the restored scope: 4.05, not forwarded" \
		$(grep -q "echo retry" "$W/f4.log" && grep -q "^answer 0: 4.05" "$W/f4.log"; echo $?)
	client "$W/c5b.json" --timeout 5 --expect 2.05 10.78.0.1:5683 /a/led >"$W/f5.log" 2>&1
	check "forward restart: GET /a/led (the restored, updated scope) reaches the upstream: 2.05" $?
	# expiry during Observe (RFC 9200 §5.10.3): the device observing /time (a notification a
	# second) under a token with exp 4 s ahead gets, at exp, one final 4.01 protected under its
	# context with the gateway's own Partial IV, its token and no Observe (RFC 7641 §3.2); then
	# nothing more, and the context is gone
	post --scope rTime --exp 4 --id c9 --id1 09 --n1 99 --out "$W/c9.json" >"$W/p9o.log" 2>&1
	client "$W/c9.json" --timeout 4 --observe 1 --watch 5.5 10.78.0.1:5683 /time >"$W/o1.log" 2>&1
	o_rc=$?
	last=$(grep -E "^answer [0-9]+: " "$W/o1.log" | grep -v max-age= | tail -1)
	check "forward: expiry during Observe: a verified final 4.01 (own Partial IV, no Observe), then nothing ($last)" \
		$([ "$o_rc" -eq 0 ] && grep -q "^answer 1: 2.05 NON piv=[0-9]* observe=1" "$W/o1.log" &&
		  [ "$(grep -c ' 4.01 ' "$W/o1.log")" -eq 1 ] &&
		  echo "$last" | grep -Eq "^answer 1[0-9]{2}: 4.01 NON piv=[0-9]+ observe=0 payload=$" &&
		  grep -q "watch: [0-9]* datagram(s), 0 failed" "$W/o1.log"; echo $?)
	gone "$W/c9.json"
	check "forward: after the final 4.01 the expired token's context is gone (unprotected 4.01)" $?
	# revocation during Observe: the same final 4.01 (the token is no longer valid, §5.10.3)
	post --scope rTime --id ca --id1 0a --n1 aa --out "$W/ca.json" >"$W/pao.log" 2>&1
	client "$W/ca.json" --timeout 4 --observe 1 --watch 2 10.78.0.1:5683 /time >"$W/o2.log" 2>&1 &
	o_pid=$!
	for _ in $(seq 50); do grep -q "^answer 1: " "$W/o2.log" && break; sleep 0.1; done
	"$CTL" --prefix "$GW_PREFIX" revoke as1 ca >"$W/reva.log" 2>&1
	wait "$o_pid"
	o_rc=$?
	last=$(grep -E "^answer [0-9]+: " "$W/o2.log" | grep -v max-age= | tail -1)
	check "forward: revocation during Observe: a verified final 4.01, then nothing ($last)" \
		$([ "$o_rc" -eq 0 ] && grep -q "revoked" "$W/reva.log" &&
		  [ "$(grep -c ' 4.01 ' "$W/o2.log")" -eq 1 ] &&
		  echo "$last" | grep -Eq "^answer 1[0-9]{2}: 4.01 NON piv=[0-9]+ observe=0 payload=$"; echo $?)
	kill -TERM "$GW_PID"; wait "$GW_PID"; GW_PID=
	grep -Eq "fwd_requests +3$" "$W/gw.forward-restart.log"
	check "forward restart: only the GET and the two registrations were forwarded (fwd_requests 3)" $?
	grep -Eq "fwd_observe_final_401 +2$" "$W/gw.forward-restart.log"
	check "forward: counted fwd_observe_final_401 2 (expiry, revocation)" $?
else
	echo "SKIP: forward-mode round (no coap-server-notls)"
fi
# under ASan+UBSan a report goes to the gateway's log; DPDK heap misuse shows only as EAL: Error
! grep -l "AddressSanitizer\|runtime error\|LeakSanitizer\|EAL: Error" "$W"/gw.*.log
check "no sanitizer report or EAL error in the gateway's logs" $?
exit $((fails > 0))
