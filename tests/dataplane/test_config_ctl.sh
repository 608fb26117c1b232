#!/bin/bash
# Control-plane configuration (issue 5): contexts from a libcoap file are loaded, a bad libcoap
# line is refused naming file:line, and a configured Recipient ID outside the "direct" namespace
# is refused. Issue 8: duplicate contexts, a shared Sender Key and sender_id == recipient_id are
# refused naming file and field.
#   test_config_ctl.sh OSCORE_GW
set -u
GW=$1
W=$(mktemp -d "${TMPDIR:-/tmp}/oscgw-cfg.XXXXXX")
trap 'rm -rf "$W"' EXIT
fails=0
check() { if [ "$2" -eq 0 ]; then echo "PASS: $1"; else echo "FAIL: $1"; fails=$((fails + 1)); fi; }
run() { # run NAME: --check-config (its exit status in $W/NAME.check), then the gateway on net_null for 1 s
	"$GW" --check-config "$W/$1.json" >"$W/$1.checklog" 2>&1
	echo $? >"$W/$1.check"
	timeout 30 "$GW" --no-huge --no-pci --no-shconf --file-prefix "osccfg-$$-$1" -m 256 -l 0-1 \
		--log-level=warning --vdev net_null0 -- --config "$W/$1.json" --duration 1 >"$W/$1.log" 2>&1
}
cat >"$W/devs.conf" <<'EOF2'
# two devices sharing the secret, and so the gateway's Sender Key (issue 8: refused)
master_secret,hex,"0102030405060708090a0b0c0d0e0f10"
sender_id,hex,"01"
recipient_id,hex,"0a"
recipient_id,hex,"0b"
EOF2
printf 'master_secret,hex,"0102"\nsender_id,hex,"01"\nrecipient_id,hex,"0a"\n' >"$W/dev.conf"
printf 'master_secret,hex,"00"\nsender_id,hex,"01"\nrecipient_id,hex,"0a"\nbogus,hex,"00"\n' >"$W/bad.conf"
printf 'master_secret,hex,"00"\nsender_id,hex,"01"\nrecipient_id,hex,"01"\n' >"$W/self.conf"
base='"port": "net_null0", "ipv4": "10.0.0.1", "summary_interval": 0'
ctx_a='{"master_secret": "0102030405060708090a0b0c0d0e0f10", "sender_id": "01", "recipient_id": "0b"}'
echo "{ $base, \"contexts_libcoap\": \"dev.conf\", \"contexts\": [$ctx_a] }" >"$W/ok.json"
echo "{ $base, \"contexts_libcoap\": \"bad.conf\" }" >"$W/bad.json"
echo "{ $base, \"contexts_libcoap\": \"dev.conf\", \"contexts\": [$ctx_a],
  \"id_namespaces\": {\"direct\": [{\"prefix\": \"0a\", \"min_len\": 1, \"max_len\": 1}],
                      \"ace\": [{\"prefix\": \"0b\", \"min_len\": 1, \"max_len\": 1}]} }" >"$W/ns.json"
# issue 8: the same context twice, a shared Sender Key, sender_id == recipient_id
echo "{ $base, \"contexts\": [$ctx_a, $ctx_a] }" >"$W/dup.json"
echo "{ $base, \"contexts\": [$ctx_a, ${ctx_a/\"0b\"/\"0c\"}] }" >"$W/sharedsender.json"
echo "{ $base, \"contexts_libcoap\": \"devs.conf\" }" >"$W/devs.json"
echo "{ $base, \"contexts\": [${ctx_a/\"0b\"/\"01\"}] }" >"$W/self.json"
echo "{ $base, \"contexts_libcoap\": \"self.conf\" }" >"$W/selfconf.json"
echo "{ $base, \"id_namespaces\": {\"direct\": [{\"prefix\": \"\", \"min_len\": 1, \"max_len\": 1}],
                      \"ace\": [{\"prefix\": \"0b\", \"min_len\": 1, \"max_len\": 2}]} }" >"$W/overlap.json"
run ok
check "libcoap file: gateway starts with its 2 contexts" "$(grep -q '2 context(s)' "$W/ok.log"; echo $?)"
run bad
grep -q "bad.conf:4" "$W/bad.log"
check "bad libcoap line refused with file:line ($(grep -o 'bad.conf:[^\n]*' "$W/bad.log" | head -1))" $?
run ns
grep -q "outside the \"direct\" namespace" "$W/ns.log"
check "recipient_id 0b of the ace part refused for a configured (direct) context" $?
run overlap
grep -q "overlapping" "$W/overlap.log"
check "overlapping namespace parts refused" $?
run dup
grep -q "dup.json: contexts\[1\].recipient_id: same recipient_id, id_context and keys as contexts\[0\]" "$W/dup.log"
check "the same context twice refused, naming file and field" $?
run sharedsender
grep -q "sharedsender.json: contexts\[1\].sender_id: same Sender Key as contexts\[0\]" "$W/sharedsender.log"
check "two contexts with one Sender Key refused (own Partial IVs would repeat nonces)" $?
run devs
grep -q "contexts\[1\].sender_id: same Sender Key as contexts\[0\]" "$W/devs.log"
check "libcoap file with two recipient_ids under one sender refused the same way" $?
run self
grep -q "self.json: contexts\[0\].recipient_id: equal to sender_id" "$W/self.log"
check "sender_id == recipient_id refused (JSON)" $?
run selfconf
grep -q "self.conf:3: recipient_id: equal to sender_id" "$W/selfconf.log"
check "sender_id == recipient_id refused (libcoap file, file:line)" $?
# issue 14: --check-config agrees with the gateway and names the same file:line
[ "$(cat "$W/ok.check")" -eq 0 ]
check "--check-config accepts ok.json" $?
for n in bad ns overlap dup sharedsender devs self selfconf; do
	[ "$(cat "$W/$n.check")" -eq 1 ]
	check "--check-config refuses $n.json" $?
done
grep -q "bad.conf:4" "$W/bad.checklog"
check "--check-config names bad.conf:4" $?
[ "$fails" -eq 0 ] || { tail -n 3 "$W"/*.log; exit 1; }
