#!/bin/bash
# Answers whose checksums the port fills in (TX checksum offload, dp_port_tx_cksum): the capture of
# test_pcap_replay.sh goes in through net_pcap and the answers leave by net_tap ("tx_port"), which
# offers the offload, in a network namespace of this run; tshark there must find every answer's
# UDP and IPv4 header checksum right, and every protected answer test_pcap_replay.sh expects.
#   test_tx_offload.sh OSCORE_GW GEN_CAPTURE
set -u
GW=$1
GEN=$2
NS=oscgw-txoff-$$
TAP=txoff$$
if [ "$(id -u)" -ne 0 ]; then echo "SKIP: needs root"; exit 77; fi
if [ ! -c /dev/net/tun ]; then echo "SKIP: net_tap needs /dev/net/tun"; exit 77; fi
W=$(mktemp -d "${TMPDIR:-/tmp}/oscgw-txoff.XXXXXX")
TS_PID=
fails=0

cleanup() {
	[ -n "$TS_PID" ] && kill "$TS_PID" 2>/dev/null && wait "$TS_PID" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	if [ "$fails" -eq 0 ]; then rm -rf "$W"; else echo "work dir kept: $W"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
check() { if [ "$2" -eq 0 ]; then echo "PASS: $1"; else echo "FAIL: $1"; fails=$((fails + 1)); fi; }

"$GEN" "$W" >/dev/null
check "gen_capture wrote the capture and config" $?
python3 - "$W/gw.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["tx_port"] = "net_tap0"
json.dump(c, open(sys.argv[1], "w"))
PY
ip netns add "$NS" && ip netns exec "$NS" ip link set lo up
check "namespace $NS" $?
# the tap appears when the gateway starts: tshark listens on every interface of the namespace
ip netns exec "$NS" tshark -q -i any -w "$W/out.pcapng" -f udp >"$W/tshark.log" 2>&1 &
TS_PID=$!
for _ in $(seq 50); do grep -q "Capturing on" "$W/tshark.log" && break; sleep 0.1; done
timeout 60 ip netns exec "$NS" "$GW" --no-huge --no-pci --no-shconf \
	--file-prefix "oscgw-txoff$$" -m 512 --log-level=warning -l 0-1 \
	--vdev "net_pcap0,rx_pcap=$W/in.pcap" --vdev "net_tap0,iface=$TAP" \
	-- --config "$W/gw.json" --idle-exit 2 --stats-json "$W/stats.json" >"$W/gw.log" 2>&1
check "oscore-gw ran and exited 0 on idle" $?
cat "$W/gw.log"
grep -q "port 1 (net_tap): answers' IPv4 header and UDP checksums filled in by the port" "$W/gw.log"
check "net_tap got the TX checksum offload" $?
! grep -q "EAL: Error\|runtime error:" "$W/gw.log"
check "no EAL error or sanitizer report" $?
sleep 1
kill -INT "$TS_PID" && wait "$TS_PID" 2>/dev/null
TS_PID=
tshark -r "$W/out.pcapng" -o udp.check_checksum:TRUE -o ip.check_checksum:TRUE -T fields \
	-e udp.checksum.status -e ip.checksum.status -e oscore 2>/dev/null >"$W/cksums"
n_udp=$(awk -F'\t' '$1 != ""' "$W/cksums" | wc -l)
good_udp=$(awk -F'\t' '$1 == "1"' "$W/cksums" | wc -l)
bad_ip=$(awk -F'\t' '$2 != "" && $2 != "1"' "$W/cksums" | wc -l)
n_osc=$(tshark -r "$W/out.pcapng" -Y 'oscore && coap.code >= 64' 2>/dev/null | wc -l)
want=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["tshark_protected"])' "$W/expected.json")
echo "tshark on $TAP: $n_udp UDP answers, $good_udp with a good UDP checksum, $bad_ip IPv4 headers not good, $n_osc protected (expected $want)"
[ "$n_udp" -gt 0 ] && [ "$good_udp" -eq "$n_udp" ] && [ "$bad_ip" -eq 0 ]
check "every answer's UDP and IPv4 header checksum is right" $?
[ "$want" -gt 0 ] && [ "$n_osc" -eq "$want" ]
check "every protected answer reached the tap (the worker's, the deduplication cache's, the control lcore's)" $?

[ "$fails" -eq 0 ] && echo "test_tx_offload: all checks passed"
exit $((fails != 0))
