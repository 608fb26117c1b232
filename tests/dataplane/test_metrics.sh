#!/bin/bash
# Metrics for monitoring (issue 14): oscore-gw replays a loadgen capture through net_pcap with
# "metrics_listen" on loopback; a scrape with curl passes `promtool check metrics`, `oscore-gwctl
# metrics` prints the same text (one formatter), every counter of the scrape equals the gateway's
# exit summary (--stats-json), per-worker series add up to the sums, and the gauges (contexts per
# method, slots, App. B.1.1 write-ahead) are there. Then `oscore-gwctl watch --count 2` on a
# gateway looping the capture (infinite_rx, loadtest_replay) shows two screens of non-zero rates.
#   test_metrics.sh OSCORE_GW OSCORE_LOADGEN OSCORE_GWCTL
set -u
GW=$1 LG=$2 CTL=$3
W=$(mktemp -d "${TMPDIR:-/tmp}/oscgw-metrics.XXXXXX")
PREFIX=oscgw-metrics-ops-$$
GW_PID=
fails=0
cleanup() {
	[ -n "$GW_PID" ] && kill -KILL "$GW_PID" 2>/dev/null && wait "$GW_PID" 2>/dev/null
	if [ "$fails" -eq 0 ]; then rm -rf "$W"; else echo "work dir kept: $W"; fi
}
trap cleanup EXIT
check() { if [ "$2" -eq 0 ]; then echo "PASS: $1"; else echo "FAIL: $1"; fails=$((fails + 1)); fi; }

"$LG" capture --out "$W" --clients 60 --requests 4 --seed 9 --replays 0.1 --tampered 0.1 \
	--unknown 0.05 --malformed 0.05 --ipv6 0.3 --quiet >/dev/null
check "loadgen capture" $?
frames=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["capture"]["frames"])' \
	"$W/expected.json")

# a loopback port of its own; another listener there makes the gateway refuse to start: try 3
started=1
for try in 0 1 2; do
	PORT=$((20000 + ($$ * 7 + try * 997) % 40000))
	python3 - "$W/gw.json" "$PORT" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c.update({"metrics_listen": "127.0.0.1:" + sys.argv[2], "summary_interval": 0,
          "state_db": "state.db"})
json.dump(c, open(sys.argv[1], "w"))
PY
	"$GW" --no-huge --no-pci --no-shconf --file-prefix "$PREFIX" -m 512 -l 0-1 \
		--log-level=warning --vdev "net_pcap0,rx_pcap=$W/in.pcap,tx_pcap=$W/out.pcap" \
		-- --config "$W/gw.json" --duration 60 --stats-json "$W/stats.json" >"$W/gw.log" 2>&1 &
	GW_PID=$!
	for _ in $(seq 100); do
		curl -sf "http://127.0.0.1:$PORT/metrics" >"$W/scrape.txt" 2>/dev/null &&
			grep -qx "oscore_gw_rx_packets_total $frames" "$W/scrape.txt" && { started=0; break; }
		kill -0 "$GW_PID" 2>/dev/null || break
		sleep 0.2
	done
	[ "$started" -eq 0 ] && break
	kill -KILL "$GW_PID" 2>/dev/null; wait "$GW_PID" 2>/dev/null; GW_PID=
done
check "scraped all $frames frames counted (port $PORT)" $started
[ "$started" -eq 0 ] || { cat "$W/gw.log"; exit 1; }

# the capture is done: nothing changes any more, the scrapes are the exit summary
curl -sf -D "$W/headers" "http://127.0.0.1:$PORT/metrics" >"$W/scrape.txt"
check "GET /metrics" $?
grep -qi "^content-type: text/plain; version=0.0.4" "$W/headers"
check "Prometheus text content type" $?
tail -n 1 "$W/scrape.txt" | grep -qx "# EOF"
check "ends with # EOF" $?
if command -v promtool >/dev/null; then
	promtool check metrics <"$W/scrape.txt" >"$W/promtool.log" 2>&1
	check "promtool check metrics passes ($(wc -l <"$W/promtool.log") complaints)" $?
else
	echo "FAIL: promtool missing (Debian package prometheus, .ci/install-deps)"
	fails=$((fails + 1))
fi
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/other")
[ "$code" = 404 ]
check "GET /other: 404 (got $code)" $?
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$PORT/metrics")
[ "$code" = 405 ]
check "POST /metrics: 405 (got $code)" $?
"$CTL" --prefix "$PREFIX" metrics >"$W/gwctl.txt" 2>"$W/gwctl.err"
check "oscore-gwctl metrics" $?
diff <(grep -v '^oscore_gw_start_time' "$W/scrape.txt") \
	<(grep -v '^oscore_gw_start_time' "$W/gwctl.txt") >"$W/diff.txt"
check "oscore-gwctl metrics prints the same text as GET /metrics" $?
awk '$1 == "#" && $2 == "HELP" && $3 ~ /^oscore_gw_[a-z0-9_]+_total$/ &&
	$3 == "oscore_gw_" $4 "_total" { print "no help text: " $3; bad = 1 } END { exit bad }' \
	"$W/scrape.txt"
check "every counter has a help text of its own (dp_stats.c helps[])" $?
grep -qx 'oscore_gw_contexts{method="direct"} 60' "$W/scrape.txt" &&
	grep -qx 'oscore_gw_context_slots 1024' "$W/scrape.txt"
check "contexts per method and slots" $?
grep -qx 'oscore_gw_ssn_writeahead_contexts 60' "$W/scrape.txt" &&
	grep -q '^oscore_gw_ssn_durable_headroom_min [1-9]' "$W/scrape.txt"
check "App. B.1.1 write-ahead gauges" $?

kill -TERM "$GW_PID"
wait "$GW_PID"
check "oscore-gw exits 0 on SIGTERM" $?
GW_PID=
python3 - "$W/stats.json" "$W/scrape.txt" <<'PY'
import json, re, sys
stats = json.load(open(sys.argv[1]))
series = {}
for line in open(sys.argv[2]):
    if line.startswith("#"):
        continue
    name, value = line.rsplit(" ", 1)
    series[name] = int(value)
bad = 0
for k, v in stats["counters"].items():
    got = series.get("oscore_gw_%s_total" % k)
    parts = sum(x for n, x in series.items() if re.fullmatch(r'oscore_gw_worker_%s_total\{worker="[^"]+"\}' % k, n))
    if got != v or parts != v:
        print("counter %s: summary %s, metrics %s, workers add up to %s" % (k, v, got, parts)); bad += 1
for k, v in stats["osc_err"].items():
    got = series.get('oscore_gw_oscore_errors_total{reason="%s"}' % k)
    if got != v:
        print("osc_err %s: summary %s, metrics %s" % (k, v, got)); bad += 1
n = len(stats["counters"]) + len(stats["osc_err"])
print("%d of %d counters equal the exit summary" % (n - bad, n))
sys.exit(1 if bad else 0)
PY
check "every counter of the scrape equals the exit summary" $?
python3 - "$W/expected.json" "$W/stats.json" <<'PY'
import json, sys
exp, got = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
bad = [(k, v, got["counters"][k]) for k, v in exp["counters"].items() if got["counters"][k] != v]
bad += [(k, v, got["osc_err"][k]) for k, v in exp["osc_err"].items() if got["osc_err"][k] != v]
for b in bad:
    print("%s: loadgen expected %s, the gateway counted %s" % b)
sys.exit(1 if bad else 0)
PY
check "the gateway counted what oscore-loadgen's expected.json says" $?

# watch: the capture in a loop, so that the rates are never zero while it runs
python3 - "$W/gw.json" "$W/loop.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
for k in ("metrics_listen", "state_db"):
    c.pop(k)
c["loadtest_replay"] = True
json.dump(c, open(sys.argv[2], "w"))
PY
"$GW" --no-huge --no-pci --no-shconf --file-prefix "$PREFIX-loop" -m 512 -l 0-1 \
	--log-level=warning --vdev "net_pcap0,rx_pcap=$W/in.pcap,infinite_rx=1" --vdev net_null0 \
	-- --config "$W/loop.json" --duration 60 >"$W/loop.log" 2>&1 &
GW_PID=$!
for _ in $(seq 100); do grep -q "queue(s)" "$W/loop.log" && break; sleep 0.1; done
timeout 30 "$CTL" --prefix "$PREFIX-loop" watch --count 2 >"$W/watch.txt" 2>&1
check "oscore-gwctl watch --count 2 exits 0" $?
[ "$(grep -c '^oscore-gw .*rates over' "$W/watch.txt")" -eq 2 ]
check "two screens" $?
[ "$(awk '$1 == "rx_packets" && $3 > 0' "$W/watch.txt" | wc -l)" -eq 2 ]
check "rx_packets rate above 0 on both" $?
! grep -q $'\033' "$W/watch.txt"
check "no terminal control codes into a file" $?
if command -v script >/dev/null; then
	script -qec "$CTL --prefix $PREFIX-loop watch --count 1" /dev/null >"$W/watch.tty" 2>&1
	grep -q $'\033\[H\033\[2J' "$W/watch.tty"
	check "redrawn in place on a terminal" $?
fi
kill -TERM "$GW_PID"; wait "$GW_PID"; GW_PID=
[ "$fails" -eq 0 ] || { cat "$W/gw.log" "$W/gwctl.err" "$W/watch.txt"; head -c 2000 "$W/diff.txt"; exit 1; }
echo "test_metrics: all checks passed"
