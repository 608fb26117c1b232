#!/bin/bash
# Control-plane configuration (issue 5): contexts from a libcoap file are loaded, a bad libcoap
# line is refused naming file:line, and a configured Recipient ID outside the "direct" namespace
# is refused.
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
# two devices sharing the secret
master_secret,hex,"0102030405060708090a0b0c0d0e0f10"
sender_id,hex,"01"
recipient_id,hex,"0a"
recipient_id,hex,"0b"
EOF2
printf 'master_secret,hex,"00"\nsender_id,hex,"01"\nrecipient_id,hex,"0a"\nbogus,hex,"00"\n' >"$W/bad.conf"
base='"port": "net_null0", "ipv4": "10.0.0.1", "summary_interval": 0'
echo "{ $base, \"contexts_libcoap\": \"devs.conf\" }" >"$W/ok.json"
echo "{ $base, \"contexts_libcoap\": \"bad.conf\" }" >"$W/bad.json"
echo "{ $base, \"contexts_libcoap\": \"devs.conf\",
  \"id_namespaces\": {\"direct\": [{\"prefix\": \"0a\", \"min_len\": 1, \"max_len\": 1}],
                      \"ace\": [{\"prefix\": \"0b\", \"min_len\": 1, \"max_len\": 1}]} }" >"$W/ns.json"
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
# issue 14: --check-config agrees with the gateway and names the same file:line
[ "$(cat "$W/ok.check")" -eq 0 ]
check "--check-config accepts ok.json" $?
for n in bad ns overlap; do
	[ "$(cat "$W/$n.check")" -eq 1 ]
	check "--check-config refuses $n.json" $?
done
grep -q "bad.conf:4" "$W/bad.checklog"
check "--check-config names bad.conf:4" $?
[ "$fails" -eq 0 ] || { tail -n 3 "$W"/*.log; exit 1; }
