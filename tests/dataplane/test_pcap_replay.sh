#!/bin/sh
# Capture replay through oscore-gw (issue 3, "Done when" 1): a generated capture of good requests,
# replays, tampered tags, unknown kids, malformed messages and non-CoAP frames goes in through
# net_pcap; the counters must equal the generator's expectation exactly, and tshark's OSCORE
# dissector, given the contexts, must decrypt every protected answer.
#   test_pcap_replay.sh OSCORE_GW GEN_CAPTURE
set -u
GW=$1
GEN=$2
W=$(mktemp -d "${TMPDIR:-/tmp}/oscgw-test.XXXXXX")
trap 'rm -rf "$W"' EXIT
fails=0

check() { # check NAME CONDITION-EXIT-STATUS
	if [ "$2" -eq 0 ]; then echo "PASS: $1"; else echo "FAIL: $1"; fails=$((fails + 1)); fi
}

"$GEN" "$W"
check "gen_capture wrote the capture, config and expectation" $?

timeout 120 "$GW" --no-huge --no-pci --no-shconf --file-prefix "oscgw-test$$" -m 512 \
	--log-level=warning -l 0-1 \
	--vdev "net_pcap0,rx_pcap=$W/in.pcap,tx_pcap=$W/out.pcap" \
	-- --config "$W/gw.json" --idle-exit 2 --stats-json "$W/stats.json" >"$W/gw.log" 2>&1
rc=$?
cat "$W/gw.log"
check "oscore-gw ran and exited 0 on idle" $rc
# DPDK's heap is not under ASan: a double rte_free shows only as EAL's "Invalid memory" line.
! grep -q "EAL: Error" "$W/gw.log"
check "no EAL error at exit (no double or foreign rte_free in the teardown)" $?
! grep -q "runtime error:" "$W/gw.log"
check "no UBSan report in the gateway's log" $?

# Every counter must equal the expected value; counters the generator does not name must be 0.
python3 - "$W/expected.json" "$W/stats.json" <<'PY'
import json, sys
exp = json.load(open(sys.argv[1]))
try:
    got = json.load(open(sys.argv[2]))
except Exception as e:
    print("FAIL: stats JSON unreadable:", e)
    sys.exit(1)
bad = 0
for group in ("counters", "osc_err"):
    for name, value in got[group].items():
        want = exp[group].get(name, 0)
        ok = value == want
        bad += not ok
        if want or value:
            print("%s: %s.%s = %d (expected %d)" % ("PASS" if ok else "FAIL", group, name, value, want))
    for name in exp[group]:
        if name not in got[group]:
            print("FAIL: %s.%s missing from the stats" % (group, name))
            bad += 1
sys.exit(1 if bad else 0)
PY
check "every counter equals the expected value" $?

# tshark needs the requests to decrypt the answers (nonce and AAD come from the request, §8.3):
# merge in and out chronologically. It tries only the first context with a given kid, so the
# collision partner gets a profile of its own; an answer counts as decrypted if either decrypts it.
mergecap -w "$W/merged.pcap" "$W/in.pcap" "$W/out.pcap"
check "mergecap merged in.pcap and out.pcap" $?
for prof in main collision; do
	mkdir -p "$W/$prof/wireshark"
	src="$W/oscore_contexts"
	[ "$prof" = collision ] && src="$W/oscore_contexts.collision"
	cp "$src" "$W/$prof/wireshark/oscore_contexts"
	XDG_CONFIG_HOME="$W/$prof" tshark -r "$W/merged.pcap" -Y 'oscore && coap.code >= 64' \
		-T fields -e frame.number -e oscore.code 2>/dev/null >"$W/answers.$prof"
done
# protected answers of every kind: the worker's, re-sent from the deduplication cache, the control
# lcore's
want=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["tshark_protected"])' "$W/expected.json")
total=$(cut -f1 "$W/answers.main" | sort -u | wc -l)
decrypted=$(cat "$W/answers.main" "$W/answers.collision" | awk -F'\t' '$2 != "" { print $1 }' | sort -u | wc -l)
codes=$(cat "$W/answers.main" "$W/answers.collision" | awk -F'\t' '$2 != "" { print $2 }' | sort | uniq -c | tr -s ' \n' ' ')
echo "tshark: $total protected answers, $decrypted decrypted; inner codes (count, 68 = 2.04, 69 = 2.05): $codes"
[ "$total" -eq "$want" ]
check "out.pcap holds $want protected answers" $?
[ "$decrypted" -eq "$want" ]
check "tshark decrypted every protected answer" $?

# Issue 8, on the wire as tshark reads it: the capture holds requests from sources no answer may
# go to and with IPv4 options, and no answer goes to such an address or carries options; every
# rejected CON got exactly one RST (RFC 7252 §4.2).
bad_dst='ip.dst == 224.0.0.0/4 || ip.dst == 127.0.0.0/8 || ip.dst == 0.0.0.0/8 ||
	ip.dst == 255.255.255.255 || ip.dst == 10.0.0.255 || ip.dst == 10.0.0.1 ||
	ipv6.dst == ff00::/8 || ipv6.dst == ::/128 || ipv6.dst == ::1/128 || ipv6.dst == fd00::1/128 ||
	ipv6.dst == ::ffff:0:0/96 || ip.hdr_len > 20'
n_in=$(tshark -r "$W/in.pcap" -Y "$(echo "$bad_dst" | sed 's/\.dst/.src/g')" 2>/dev/null | wc -l)
n_out=$(tshark -r "$W/out.pcap" -Y "$bad_dst" 2>/dev/null | wc -l)
echo "tshark: $n_in requests from refused sources or with IPv4 options, $n_out answers to such"
[ "$n_in" -ge 13 ] && [ "$n_out" -eq 0 ]
check "no answer to a broadcast, multicast, loopback, unspecified or own address, none with options" $?
want=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["counters"]["answer_rst"])' "$W/expected.json")
rsts=$(tshark -r "$W/out.pcap" -Y 'coap.type == 3 && coap.code == 0 && !coap.token' 2>/dev/null | wc -l)
[ "$rsts" -eq "$want" ]
check "out.pcap holds $want RSTs (Empty, no token)" $?

# Every answer's UDP checksum and IPv4 header checksum as tshark computes them (dp_cksum.h):
# status 1 is Good, 0 Bad.
tshark -r "$W/out.pcap" -o udp.check_checksum:TRUE -o ip.check_checksum:TRUE -T fields \
	-e udp.checksum.status -e ip.checksum.status 2>/dev/null >"$W/cksums"
n_udp=$(awk -F'\t' '$1 != ""' "$W/cksums" | wc -l)
good_udp=$(awk -F'\t' '$1 == "1"' "$W/cksums" | wc -l)
bad_ip=$(awk -F'\t' '$2 != "" && $2 != "1"' "$W/cksums" | wc -l)
echo "tshark: $n_udp UDP answers, $good_udp with a good UDP checksum, $bad_ip IPv4 headers not good"
[ "$n_udp" -gt 0 ] && [ "$good_udp" -eq "$n_udp" ] && [ "$bad_ip" -eq 0 ]
check "every answer's UDP and IPv4 header checksum is right" $?

if [ "$fails" -ne 0 ]; then
	echo "test_pcap_replay: $fails check(s) failed; work dir kept: $W"
	trap - EXIT
	exit 1
fi
echo "test_pcap_replay: all checks passed"
