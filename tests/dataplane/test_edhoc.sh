#!/bin/bash
# EDHOC (RFC 9528) through oscore-gw (issue 12): the project's initiator (edhoc_client) runs the
# handshake with the gateway's responder on POST /.well-known/edhoc; the context it yields serves
# protected requests (osc_client).
#  1. respond mode: methods 0-3, suites 0-3, CCS credentials (the gateway's P-256 one is an X.509
#     certificate sent by x5t) and X.509 on both sides (the devices' certificates sent as
#     x5chain, verified against a CA made here with the openssl CLI; the gateway's pinned by the
#     device). C_R skips the Recipient IDs of configured contexts (00, 01) and is never reused.
#     RFC 9668: message_3 inside the first OSCORE request (EDHOC option) installs the context and
#     gets the protected answer. Refused, each with its EDHOC error and nothing installed: a
#     tampered message_3 (plain and combined), an untrusted CCS, a certificate of another CA, a
#     critical unknown EAD item in message_1 and in message_3 (non-critical ones are ignored),
#     message_3 again for a completed C_R, message_3 after the session expired.
#  2. a restart with state_db keeps the contexts; an unsupported suite gets ERR_CODE 2, SUITES_R.
#  3. message_1 per source (burst 3, then one per 1000 s: no timing assumption) and message_4.
#  4. forward mode (coap-server-notls upstream): protected requests after a plain message_3, and
#     the RFC 9668 combined request forwarded upstream under the context it made; C_R from an
#     "edhoc" namespace part with a 2-byte prefix.
#   test_edhoc.sh OSCORE_GW OSC_CLIENT EDHOC_CLIENT
set -u
GW=$1 CLIENT=$2 EDHOC=$3
P=edhocgw-$$
W=$(mktemp -d "${TMPDIR:-/tmp}/oscgw-edhoc.XXXXXX")
KEYS="$(dirname "$0")/edhoc_keys.py"
. "$(dirname "$0")/netns_gw.sh"
netns_up 10.83.0

"$KEYS" gw 0x31 >"$W/gw.keys" && "$KEYS" dev 0x21 >"$W/dev.keys" && "$KEYS" rogue 0x41 >"$W/rogue.keys"
check "CCS credentials generated" $?
# X.509 (P-256): a CA and the certificates it signs, and a second CA nobody trusts
p256() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$W/$1.key"; }
mkca() {
	p256 "$1" && openssl req -x509 -new -key "$W/$1.key" -subj "/CN=$1" -days 2 \
		-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" \
		-out "$W/$1.pem" && openssl x509 -in "$W/$1.pem" -outform DER -out "$W/$1.der"
}
mkcert() { # NAME CA
	p256 "$1" && openssl req -new -key "$W/$1.key" -subj "/CN=$1" -out "$W/$1.csr" &&
		openssl x509 -req -in "$W/$1.csr" -CA "$W/$2.pem" -CAkey "$W/$2.key" -set_serial "$RANDOM" \
			-days 2 -outform DER -out "$W/$1.der"
}
{ mkca ca && mkca otherca && mkcert gwx ca && mkcert devx ca && mkcert roguex otherca; } >"$W/openssl.log" 2>&1
check "X.509 CA and certificates made with openssl" $?
/usr/bin/python3 - "$W" <<'PY'
import json, sys
from cryptography.hazmat.primitives.serialization import load_pem_private_key
w = sys.argv[1]
k = {n: json.load(open("%s/%s.keys" % (w, n))) for n in ("gw", "dev", "rogue")}
def d(name):
    key = load_pem_private_key(open("%s/%s.key" % (w, name), "rb").read(), None)
    return "%064x" % key.private_numbers().private_value
# the gateway: Ed25519 and X25519 CCS (suites 0/1), a P-256 certificate sent by x5t (suites 2/3)
gw_own = k["gw"]["own"][:2] + [{"x509": "gwx.der", "private_key": d("gwx"), "id_cred": "x5t"}]
gw_pub = k["gw"]["pub"][:2] + [{"x509": "gwx.der"}]
gw = {"port": "net_af_packet0", "ipv4": "10.83.0.1", "mbufs": 2047, "summary_interval": 0,
      "state_db": "state.db",
      "contexts": [{"master_secret": "0102030405060708090a0b0c0d0e0f10", "sender_id": "51",
                    "recipient_id": "00"},
                   {"master_secret": "1112131415161718191a1b1c1d1e1f20", "sender_id": "51",
                    "recipient_id": "01"}],
      "edhoc": {"credentials": gw_own, "trusted": k["dev"]["pub"], "ca": ["ca.der"],
                "suites": [0, 2, 1, 3], "methods": [0, 1, 2, 3], "session_timeout_ms": 2000,
                "max_sessions": 16, "message_1_source_rate": 0}}
json.dump(gw, open(w + "/gw.json", "w"), indent=1)
for n in ("dev", "rogue"):
    json.dump({"credentials": k[n]["own"], "trusted": gw_pub, "suites": [0, 1, 2, 3]},
              open("%s/%s.json" % (w, n), "w"))
for n in ("devx", "roguex"):
    json.dump({"credentials": [{"x509": n + ".der", "private_key": d(n), "id_cred": "x5chain"}],
               "trusted": gw_pub, "suites": [2, 3]}, open("%s/%s.json" % (w, n), "w"))
PY
check "configurations written" $?

edhoc() { in_dev "$EDHOC" --timeout 3 "$@" 10.83.0.1:5683; }
client() { in_dev "$CLIENT" --timeout 3 "$@" 10.83.0.1:5683 /x; }
# round NAME CONF METHOD SUITE: a handshake, then two protected requests under its context
round() {
	edhoc --conf "$W/$2.json" --method "$3" --suite "$4" --out "$W/ctx.$1.json" >"$W/hs.$1.log" 2>&1
	check "handshake $1: method $3 suite $4" $?
	client --contexts "$W/ctx.$1.json" --count 2 >"$W/req.$1.log" 2>&1
	check "protected requests under the $1 context" \
		$(grep -q "2 of 2 exchanges verified" "$W/req.$1.log"; echo $?)
}

start_gw 1
check "oscore-gw starts with an edhoc section" $?
round ccs00 dev 0 0
grep -q "C_R 02$" "$W/hs.ccs00.log"
check "the first C_R skips the configured contexts' Recipient IDs 00 and 01" $?
round ccs02 dev 0 2
round ccs30 dev 3 0
round ccs32 dev 3 2
round ccs11 dev 1 1
round ccs23 dev 2 3
round x509_02 devx 0 2
round x509_13 devx 1 3
round x509_22 devx 2 2
round x509_33 devx 3 3
for ms in "0 0" "3 2"; do
	set -- $ms
	edhoc --conf "$W/dev.json" --method "$1" --suite "$2" --combined --out "$W/comb$1$2.json" \
		>"$W/comb$1$2.log" 2>&1
	check "RFC 9668 combined request, method $1 suite $2: protected answer verified" \
		$([ $? -eq 0 ] && grep -q "combined answer verified, inner 2.05" "$W/comb$1$2.log"; echo $?)
	client --contexts "$W/comb$1$2.json" --count 2 >"$W/combreq$1$2.log" 2>&1
	check "protected requests after the combined request" \
		$(grep -q "2 of 2 exchanges verified" "$W/combreq$1$2.log"; echo $?)
done
edhoc --conf "$W/dev.json" --method 3 --suite 0 --ead3 000541aa >"$W/eadok.log" 2>&1
check "padding and a non-critical unknown EAD item in message_3 are ignored" $?
cat "$W"/hs.*.log "$W"/comb??.log "$W/eadok.log" | sed -n 's/^edhoc: completed .*C_R //p' | sort >"$W/c_r"
[ "$(wc -l <"$W/c_r")" = 13 ] && [ "$(uniq -d "$W/c_r" | wc -l)" = 0 ]
check "13 handshakes, 13 different C_R: none reused while its context lives" $?
edhoc --conf "$W/dev.json" --method 3 --suite 0 --combined --tamper >"$W/combt.log" 2>&1
check "combined request with a tampered message_3: unprotected 4.00 with an EDHOC error" \
	$([ $? -eq 1 ] && grep -q "combined answer 4.00" "$W/combt.log" &&
	  grep -q "ERR_CODE 1" "$W/combt.log"; echo $?)
refused() { # NAME WHAT EDHOC_ARGS...: answered 4.00 with an EDHOC error
	local name=$1 what=$2

	shift 2
	edhoc "$@" >"$W/$name.log" 2>&1
	check "$what: 4.00 with an EDHOC error" \
		$([ $? -eq 1 ] && grep -q "answer 4.00 cf=64" "$W/$name.log" &&
		  grep -q "ERR_CODE" "$W/$name.log"; echo $?)
}
refused tamper "tampered message_3" --conf "$W/dev.json" --method 0 --suite 0 --tamper
refused rogue "untrusted initiator CCS" --conf "$W/rogue.json" --method 0 --suite 0
refused roguex "certificate of an untrusted CA (x5chain)" --conf "$W/roguex.json" --method 0 --suite 2
refused ead1 "critical unknown EAD item in message_1" --conf "$W/dev.json" --method 0 --suite 0 --ead1 2441aa
refused ead3 "critical unknown EAD item in message_3" --conf "$W/dev.json" --method 3 --suite 2 --ead3 2441aa
edhoc --conf "$W/dev.json" --method 3 --suite 0 --msg3-twice >"$W/twice.log" 2>&1
check "message_3 again for a completed C_R is refused" \
	$([ $? -eq 0 ] && [ "$(grep -c "answer 4.00 cf=64" "$W/twice.log")" = 1 ]; echo $?)
# (the only wait: longer than the session timeout, so it expires however slow the machine)
edhoc --conf "$W/dev.json" --method 0 --suite 2 --delay-msg3 2.5 >"$W/late.log" 2>&1
check "message_3 after the session expired is refused" \
	$([ $? -eq 1 ] && grep -q "answer 4.00 cf=64" "$W/late.log"; echo $?)
kill -TERM "$GW_PID"; wait "$GW_PID"; GW_PID=
grep -E "^ +edhoc_" "$W/gw.1.log"
check "counted: 14 completed (2 combined), 1 message_1 and 7 message_3 refused: nothing else installed" \
	$(grep -Eq "edhoc_completed +14$" "$W/gw.1.log" && grep -Eq "edhoc_combined +2$" "$W/gw.1.log" &&
	  grep -Eq "edhoc_msg1_error +1$" "$W/gw.1.log" &&
	  grep -Eq "edhoc_msg3_error +7$" "$W/gw.1.log" &&
	  ! grep -Eq "edhoc_install_failed" "$W/gw.1.log"; echo $?)

/usr/bin/python3 - "$W/gw.json" <<'PY'
import json, sys
g = json.load(open(sys.argv[1]))
g["edhoc"]["suites"] = [2, 0]
json.dump(g, open(sys.argv[1], "w"))
PY
start_gw 2
check "oscore-gw restarts (suites 2, 0 now)" $?
for n in ccs32 x509_33; do
	client --contexts "$W/ctx.$n.json" --count 2 >"$W/restart.$n.log" 2>&1
	check "the $n context made by EDHOC survives the restart (state_db)" \
		$(grep -q "2 of 2 exchanges verified" "$W/restart.$n.log"; echo $?)
done
edhoc --conf "$W/dev.json" --method 0 --suite 1 >"$W/suite.log" 2>&1
check "unsupported suite: ERR_CODE 2 with SUITES_R 2,0" \
	$([ $? -eq 1 ] && grep -q "ERR_CODE 2 SUITES_R 2,0" "$W/suite.log"; echo $?)
kill -TERM "$GW_PID"; wait "$GW_PID"; GW_PID=

# message_1 costs the responder an ECDH and a signature: limited per source, here to a burst of
# 3 and then one per 1000 s, so that the 4th is refused however long the first three took.
# message_4 on: sent after message_3; a combined request is then refused.
/usr/bin/python3 - "$W/gw.json" <<'PY'
import json, sys
g = json.load(open(sys.argv[1]))
g["edhoc"].update({"message_1_source_rate": 0.001, "message_1_source_burst": 3, "message_4": True})
json.dump(g, open(sys.argv[1], "w"))
PY
start_gw 3
check "oscore-gw starts with a per-source message_1 limit" $?
edhoc --conf "$W/dev.json" --method 3 --suite 0 >"$W/rate1.log" 2>&1
check "message_4 configured: sent after message_3 and verified by the initiator" \
	$(grep -q "edhoc: message_4 verified" "$W/rate1.log"; echo $?)
edhoc --conf "$W/dev.json" --method 3 --suite 0 --combined >"$W/combm4.log" 2>&1
check "message_4 configured: a combined request is refused with an EDHOC error" \
	$([ $? -eq 1 ] && grep -q "combined answer 4.00" "$W/combm4.log" &&
	  grep -q "ERR_CODE 1" "$W/combm4.log"; echo $?)
edhoc --conf "$W/dev.json" --method 3 --suite 2 >"$W/rate3.log" 2>&1
check "the source's third message_1 passes" $?
edhoc --conf "$W/dev.json" --method 3 --suite 0 >"$W/rate4.log" 2>&1
check "message_1 beyond the source's burst: 5.03" \
	$([ $? -eq 1 ] && grep -q "answer 5.03" "$W/rate4.log"; echo $?)
kill -TERM "$GW_PID"; wait "$GW_PID"; GW_PID=
grep -Eq "edhoc_msg1_rate_source +1$" "$W/gw.3.log"
check "counted edhoc_msg1_rate_source 1" $?

# forward mode: the device's requests go to coap-server-notls; the combined request too, under the
# context it made (RFC 9668 §3.3.1: processed as any OSCORE request once EDHOC completed)
if upstream_up 10.83.0.3; then
	/usr/bin/python3 - "$W/gw.json" <<'PY'
import json, sys
g = json.load(open(sys.argv[1]))
g.update({"mode": "forward", "upstream": "10.83.0.3:5683", "state_db": "state-fwd.db",
          "id_namespaces": {"direct": [{"prefix": "", "min_len": 1, "max_len": 1}],
                            "edhoc": [{"prefix": "e0d1", "min_len": 3, "max_len": 3}]}})
g["edhoc"].update({"message_1_source_rate": 0, "message_4": False})
json.dump(g, open(sys.argv[1], "w"))
PY
	start_gw forward
	check "forward: oscore-gw restarts in forward mode" $?
	edhoc --conf "$W/devx.json" --method 3 --suite 2 --out "$W/fwd.json" >"$W/fwdhs.log" 2>&1
	check "forward: handshake (X.509, method 3, suite 2)" $?
	grep -q "C_R e0d100$" "$W/fwdhs.log"
	check "C_R from the edhoc namespace with a 2-byte prefix: e0d100" $?
	in_dev "$CLIENT" --timeout 3 --contexts "$W/fwd.json" --count 2 10.83.0.1:5683 \
		/.well-known/core >"$W/fwdreq.log" 2>&1
	check "forward: protected requests answered by the upstream (2.05 with its resources)" \
		$(grep -q "2 of 2 exchanges verified" "$W/fwdreq.log" &&
		  grep -q "answer 0: 2.05 .*</time>" "$W/fwdreq.log"; echo $?)
	edhoc --conf "$W/dev.json" --method 0 --suite 0 --combined --path /.well-known/core \
		--out "$W/fwdcomb.json" >"$W/fwdcomb.log" 2>&1
	check "forward: the combined request is forwarded: the upstream's 2.05, protected" \
		$([ $? -eq 0 ] && grep -q "combined answer verified, inner 2.05 payload .*</time>" \
		  "$W/fwdcomb.log"; echo $?)
	kill -TERM "$GW_PID"; wait "$GW_PID"; GW_PID=
	grep -Eq "fwd_requests +3$" "$W/gw.forward.log" && grep -Eq "edhoc_combined +1$" "$W/gw.forward.log" &&
		! grep -q "edhoc_fwd_retry" "$W/gw.forward.log"
	check "forward: counted fwd_requests 3, edhoc_combined 1, no edhoc_fwd_retry" $?
else
	echo "SKIP: forward-mode round (no coap-server-notls)"
fi
! grep -l -e AddressSanitizer -e LeakSanitizer -e "runtime error" -e "EAL: Error" "$W"/gw.*.log
check "no sanitizer report or EAL error from any gateway run" $?
if [ "$fails" -ne 0 ]; then
	for f in "$W"/*.log; do echo "== $f"; cat "$f"; done
	exit 1
fi
echo "test_edhoc: all checks passed"
