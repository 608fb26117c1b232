#!/bin/bash
# oscore-gw --check-config (issue 14): good configurations pass (exit 0) and say what would run,
# without the EAL; bad ones exit 1 and name file and line (syntax) or file and field path, all of
# them in one run (every bad context of a contexts file, the libcoap line, the state database).
#   test_check_config.sh OSCORE_GW [GEN_CAPTURE] [EXAMPLE_CONFIG...]
set -u
GW=$1
GEN=${2:-}
shift $(($# < 2 ? $# : 2))
W=$(mktemp -d "${TMPDIR:-/tmp}/oscgw-check.XXXXXX")
trap 'rm -rf "$W"' EXIT
fails=0
check() { if [ "$2" -eq 0 ]; then echo "PASS: $1"; else echo "FAIL: $1"; fails=$((fails + 1)); fi; }
cc() { timeout 60 "$GW" --check-config "$W/$1" >"$W/$1.log" 2>&1; }
good() { cc "$1"; check "$1 accepted ($2)" $?; }
# bad FILE WHAT PATTERN...: exit 1 and every pattern in the output
bad() {
	local f=$1 what=$2 rc p
	shift 2
	cc "$f"
	rc=$?
	[ "$rc" -eq 1 ]
	check "$f refused with exit 1 ($what; got $rc)" $?
	for p in "$@"; do
		grep -qF -- "$p" "$W/$f.log"
		check "$f: names '$p'" $?
	done
}
base='"port": "net_null0", "ipv4": "10.0.0.1", "summary_interval": 0'
ctx='{"master_secret": "0102030405060708090a0b0c0d0e0f10", "sender_id": "01", "recipient_id": "0a"}'

# good ones
echo "{ $base, \"contexts\": [$ctx] }" >"$W/respond.json"
good respond.json "respond mode"
grep -q "direct 1" "$W/respond.json.log" && grep -q "port: net_null0" "$W/respond.json.log" &&
	grep -q "mode: respond" "$W/respond.json.log"
check "respond.json: says port, mode and contexts per method" $?
echo "{ $base, \"mode\": \"forward\", \"upstream\": \"10.0.1.2:5683\", \"upstream_port\": \"net_null1\",
  \"neighbours\": [{\"ip\": \"10.0.1.2\", \"mac\": \"02:00:00:00:01:02\"}], \"contexts\": [$ctx],
  \"metrics_listen\": \"127.0.0.1:9464\" }" >"$W/forward.json"
good forward.json "forward mode"
grep -q "forward to 10.0.1.2:5683 on port net_null1" "$W/forward.json.log" &&
	grep -q "http://127.0.0.1:9464/metrics" "$W/forward.json.log"
check "forward.json: says the upstream and the metrics endpoint" $?
printf 'master_secret,hex,"0102030405060708090a0b0c0d0e0f10"\nsender_id,hex,"01"\nrecipient_id,hex,"0a"\n' >"$W/devs.conf"
chmod 600 "$W/devs.conf"
ctx_b='{"master_secret": "0f0e0d0c0b0a09080706050403020100", "sender_id": "01", "recipient_id": "0b"}'
echo "{ $base, \"contexts_libcoap\": \"devs.conf\", \"state_db\": \"new/../state.db\", \"contexts\": [$ctx_b],
  \"id_namespaces\": {\"direct\": [{\"prefix\": \"0a\", \"min_len\": 1, \"max_len\": 1},
                                  {\"prefix\": \"0b\", \"min_len\": 1, \"max_len\": 1}]} }" >"$W/libcoap.json"
mkdir "$W/new"
good libcoap.json "libcoap file, namespaces, a state database to be created"
grep -q "direct 2" "$W/libcoap.json.log" && grep -q "created at start" "$W/libcoap.json.log"
check "libcoap.json: 2 contexts, state_db created at start" $?
[ ! -e "$W/state.db" ]
check "--check-config created no state database" $?
# an existing store: the gateway makes it (and stores the two contexts), the check reads it
timeout 60 "$GW" --no-huge --no-pci --no-shconf --file-prefix "oscgw-check-$$" -m 256 -l 0-1 \
	--log-level=warning --vdev net_null0 -- --config "$W/libcoap.json" --duration 1 \
	>"$W/gw.log" 2>&1
check "the gateway ran once with libcoap.json" $?
sum=$(md5sum <"$W/state.db")
good libcoap.json "existing state database"
grep -q "2 contexts stored" "$W/libcoap.json.log" &&
	grep -q "stored contexts per method: direct 2" "$W/libcoap.json.log"
check "libcoap.json: the store's 2 contexts counted per method" $?
[ "$(md5sum <"$W/state.db")" = "$sum" ]
check "the state database is unchanged by the check" $?
if [ -n "$GEN" ]; then
	mkdir "$W/cap" && "$GEN" "$W/cap" >/dev/null && cp "$W/cap/gw.json" "$W/capture.json" &&
		cp "$W/cap/"*contexts* "$W/" 2>/dev/null
	good capture.json "gen_capture's configuration (dataplane_pcap_replay)"
fi
for ex in "$@"; do # the installed example, its state directory where systemd would make it
	mkdir -p -m 700 "$W/state" && sed "s#/var/lib/oscore-gw/[a-z]*/#$W/state/#" "$ex" >"$W/example.json"
	good example.json "$(basename "$ex")"
done

# bad ones
printf '{"port": "net_null0",\n "ipv4": "10.0.0.1",\n "burst": 32,,\n}\n' >"$W/syntax.json"
bad syntax.json "JSON syntax" "syntax.json: line 3 column"
cat >"$W/ctx.json" <<'EOF'
[{"master_secret": "0102", "sender_id": "01", "recipient_id": "0a"},
 {"master_secret": "0102", "sender_id": "01", "recipient_id": "0a0b0c0d0e0f0a0b"},
 {"master_secret": "01zz", "sender_id": "01", "recipient_id": "0c"},
 {"master_secret": "0102", "sender_id": "01", "recipient_id": "0d", "aead_alg": 99},
 {"master_secret": "0102", "sender_id": "01", "recipient_id": "0e", "b2": true}]
EOF
printf 'master_secret,hex,"00"\nsender_id,hex,"01"\nrecipient_id,hex,"0a"\nbogus,hex,"00"\n' >"$W/bad.conf"
echo "not a database" >"$W/junk.db"
echo "{ $base, \"contexts_file\": \"ctx.json\", \"contexts_libcoap\": \"bad.conf\",
  \"state_db\": \"/nonexistent-$$/state.db\" }" >"$W/many.json"
bad many.json "every error in one run" "ctx.json: contexts[1].recipient_id: 8 bytes" \
	"ctx.json: contexts[2].master_secret: not a hex digit" "ctx.json: contexts[3].aead_alg" \
	"many.json: contexts_libcoap: $W/bad.conf:4: unknown keyword" \
	"many.json: state_db: /nonexistent-$$/state.db: missing" "5 error(s)"
! grep -q "contexts\[4\]" "$W/many.json.log"
check "many.json: the good context with \"b2\" is not reported" $?
[ "$(grep -c 'contexts\[1\]' "$W/many.json.log")" -eq 1 ]
check "many.json: the parser's own error is not repeated" $?
echo "{ $base, \"state_db\": \"junk.db\" }" >"$W/junk.json"
bad junk.json "state_db not a database" "junk.json: state_db: $W/junk.db: file is not a database"
echo "{ $base, \"metrics_listen\": \"localhost\" }" >"$W/listen.json"
bad listen.json "metrics_listen" "listen.json: metrics_listen: expected"
echo "{ $base, \"bogus\": 1 }" >"$W/unknown.json"
bad unknown.json "unknown key" "unknown.json: bogus: unknown key"
echo "{ $base, \"burst\": 99, \"metrics_listen\": \"x\", \"mode\": \"sideways\", \"bogus\": 1,
  \"state_db\": 7, \"contexts\": [{\"master_secret\": \"00\"}] }" >"$W/top.json"
bad top.json "every bad top-level key in one run" "top.json: burst: 99 outside 1..64" \
	"top.json: metrics_listen: expected" "top.json: mode: expected" "top.json: bogus: unknown key" \
	"top.json: state_db: expected a file name" "top.json: contexts[0]: missing sender_id" \
	"6 error(s)"
echo "{ $base, \"contexts\": [{\"master_secret\": \"00\"}] }" >"$W/missing.json"
bad missing.json "context without sender_id" "missing.json: contexts[0]: missing sender_id"
echo "{ \"ipv4\": \"10.0.0.1\" }" >"$W/noport.json"
bad noport.json "no port" "noport.json: (top): missing port"
timeout 10 "$GW" --check-config "$W/none.json" >"$W/none.log" 2>&1
[ $? -eq 1 ] && grep -q "none.json" "$W/none.log"
check "a missing file: exit 1, named" $?

[ "$fails" -eq 0 ] || { for f in "$W"/*.log; do echo "== $f"; cat "$f"; done; exit 1; }
echo "test_check_config: all checks passed"
