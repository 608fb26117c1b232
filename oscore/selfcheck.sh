#!/usr/bin/env bash
# Self-check of the OSCORE core through oscore-tool: derive the RFC 8613 C.1 contexts, protect the
# C.4 request as the client, verify it as the server, answer it as in C.7 and C.8, verify the
# answers as the client, and show that a replayed or tampered request is refused. Prints each step.
#   oscore/selfcheck.sh [BUILD_DIR]
set -euo pipefail
tool=${1:-build}/oscore/oscore-tool
secret=0102030405060708090a0b0c0d0e0f10
salt=9e7ca92223786340
client=(--secret $secret --salt $salt --sender-id '' --recipient-id 01)
server=(--secret $secret --salt $salt --sender-id 01 --recipient-id '')
fail=0

step() { # name, expected output, command...
	local name=$1 want=$2 got
	shift 2
	got=$("$@" 2>&1) || true
	if [ "$got" = "$want" ]; then
		printf '  ok    %-46s %s\n' "$name" "${got//$'\n'/ }"
	else
		printf '  FAIL  %-46s got %s, want %s\n' "$name" "$got" "$want"
		fail=1
	fi
}

echo "oscore-gw self-check with $tool"
step "C.1.1 client context" "sender_key=f0910ed7295e6ad4b54fc793154302ff
recipient_key=ffb14e093c94c9cac9471648b4f98710
common_iv=4622d4dd6d944168eefb54987c" "$tool" derive "${client[@]}"
req=44015d1f00003974396c6f63616c686f737483747631
preq=44025d1f00003974396c6f63616c686f7374620914ff612f1092f1776f1c1668b3825e
step "C.4 client protects GET /tv1 at SSN 20" $preq "$tool" protect "${client[@]}" --ssn 20 --message $req
step "C.4 server verifies it" $req "$tool" unprotect "${server[@]}" --message $preq
resp=64455d1f00003974ff48656c6c6f20576f726c6421
p7=64445d1f0000397490ffdbaad1e9a7e7b2a813d3c31524378303cdafae119106
p8=64445d1f00003974920100ff4d4c13669384b67354b2b6175ff4b8658c666a6cf88e
bind=(--request-kid '' --request-piv 14)
step "C.7 server answers with the request nonce" $p7 "$tool" protect "${server[@]}" "${bind[@]}" --message $resp
step "C.8 server answers with own Partial IV 0" $p8 "$tool" protect "${server[@]}" "${bind[@]}" --ssn 0 --message $resp
step "C.7 client verifies the answer" $resp "$tool" unprotect "${client[@]}" "${bind[@]}" --message $p7
step "C.8 client verifies the answer" $resp "$tool" unprotect "${client[@]}" "${bind[@]}" --message $p8
step "tampered tag is refused (4.00)" "oscore-tool: unprotect failed: decrypt: Decryption failed" \
	"$tool" unprotect "${server[@]}" --message "${preq%?}f"
step "unknown kid is refused (4.01)" \
	"oscore-tool: unprotect failed: context_not_found: Security context not found" \
	"$tool" unprotect --secret $secret --salt $salt --sender-id 01 --recipient-id 02 --message $preq
if [ "$fail" = 0 ]; then echo "self-check passed"; else echo "self-check FAILED"; fi
exit "$fail"
