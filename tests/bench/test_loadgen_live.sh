#!/bin/sh
# oscore-loadgen live against a loopback OSCORE responder, IPv4 and IPv6: every request answered
# and verified (the loadgen exits non-zero otherwise). Loopback only; bounded by timeouts.
#   test_loadgen_live.sh OSCORE_LOADGEN LG_RESPONDER
set -u
LG=$1
RESP=$2
W=$(mktemp -d "${TMPDIR:-/tmp}/lg-live.XXXXXX")
trap 'rm -rf "$W"' EXIT
fails=0
check() { if [ "$2" -eq 0 ]; then echo "PASS: $1"; else echo "FAIL: $1"; fails=$((fails + 1)); fi; }

timeout 60 "$LG" capture --out "$W" --clients 50 --requests 1 --seed 3 --kid-ctx 0.2 >/dev/null
check "capture wrote contexts.json" $?
for addr in 127.0.0.1 ::1; do
	timeout 60 "$RESP" "$W/contexts.json" "$addr" 2 >"$W/port" &
	pid=$!
	for i in 1 2 3 4 5 6 7 8 9 10; do [ -s "$W/port" ] && break; sleep 0.2; done
	port=$(cat "$W/port")
	target="$addr:$port"
	[ "$addr" = ::1 ] && target="[::1]:$port"
	timeout 60 "$LG" live --contexts "$W/contexts.json" --target "$target" --requests 2000 \
		--clients 50 --rate 20000 --timeout 2000 >"$W/out" 2>"$W/err"
	rc=$?
	cat "$W/out"
	check "live over $addr: every one of 2000 requests answered and verified" $rc
	grep -q "answered 2000, failed 0, timed out 0" "$W/out"
	check "live over $addr: report shows 2000 answered" $?
	grep -q "latency_us p50 [0-9]* p99 [0-9]* p99.9" "$W/out"
	check "live over $addr: latency quantiles printed" $?
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	rm -f "$W/port"
done
# A contexts file the responder does not hold: every answer is missing, and the exit says so.
timeout 60 "$RESP" "$W/contexts.json" 127.0.0.1 2 >"$W/port" &
pid=$!
for i in 1 2 3 4 5 6 7 8 9 10; do [ -s "$W/port" ] && break; sleep 0.2; done
mkdir -p "$W/other"
timeout 60 "$LG" capture --out "$W/other" --clients 10 --requests 1 --seed 99 >/dev/null
timeout 60 "$LG" live --contexts "$W/other/contexts.json" --target "127.0.0.1:$(cat "$W/port")" \
	--requests 20 --timeout 200 --quiet >"$W/out" 2>&1
[ $? -ne 0 ]
check "live exits non-zero when answers are missing" $?
kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
[ "$fails" -eq 0 ] || { echo "test_loadgen_live: $fails failed"; exit 1; }
echo "test_loadgen_live: all checks passed"
