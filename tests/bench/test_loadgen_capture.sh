#!/bin/sh
# oscore-loadgen capture decodes in tshark: every frame is CoAP to 5683, every well-formed request
# is OSCORE, and with the generated oscore_contexts (a private profile) tshark decrypts exactly the
# requests that should decrypt (good ones and their replays; not tampered or unknown ones).
# The same seed gives the same capture byte for byte. For operators (issue 14): --out is created,
# the files holding Master Secrets are 0600, the gw.json for 200k clients is accepted by the
# gateway's --check-config, and the progress line shows on a terminal only, never with --quiet.
#   test_loadgen_capture.sh OSCORE_LOADGEN [OSCORE_GW]
set -u
LG=$1
GW=${2:-}
W=$(mktemp -d "${TMPDIR:-/tmp}/lg-cap.XXXXXX")
trap 'rm -rf "$W"' EXIT
fails=0
check() { if [ "$2" -eq 0 ]; then echo "PASS: $1"; else echo "FAIL: $1"; fails=$((fails + 1)); fi; }
field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["capture"][sys.argv[2]])' "$1" "$2"; }

mkdir -p "$W/a" "$W/b" "$W/c" "$W/prof/wireshark"
timeout 60 "$LG" capture --out "$W/a" --clients 30 --requests 4 --seed 11 --replays 0.1 \
	--tampered 0.1 --unknown 0.05 --ipv6 0.3 --kid-ctx 0.3 --payload 0-200 --kid-len 1-3
check "capture (no malformed) written" $?
for f in in.pcap contexts.json gw.json oscore_contexts expected.json; do
	[ -s "$W/a/$f" ]
	check "$f is there" $?
done
frames=$(field "$W/a/expected.json" frames)
osc=$(field "$W/a/expected.json" oscore_frames)
dec=$(field "$W/a/expected.json" decryptable)
got=$(tshark -r "$W/a/in.pcap" -Y 'udp.dstport == 5683 && coap' 2>/dev/null | wc -l)
[ "$got" -eq "$frames" ]
check "tshark shows $frames CoAP frames (got $got)" $?
got=$(tshark -r "$W/a/in.pcap" -Y oscore 2>/dev/null | wc -l)
[ "$got" -eq "$osc" ]
check "tshark shows $osc OSCORE frames (got $got)" $?
cp "$W/a/oscore_contexts" "$W/prof/wireshark/"
got=$(XDG_CONFIG_HOME="$W/prof" tshark -r "$W/a/in.pcap" -Y 'oscore' -T fields -e oscore.code \
	2>/dev/null | awk '$1 != ""' | wc -l)
[ "$got" -eq "$dec" ]
check "tshark decrypts $dec requests with the generated contexts (got $got)" $?

timeout 60 "$LG" capture --out "$W/b" --clients 30 --requests 4 --seed 11 --replays 0.1 \
	--tampered 0.1 --unknown 0.05 --ipv6 0.3 --kid-ctx 0.3 --payload 0-200 --kid-len 1-3 >/dev/null
cmp -s "$W/a/in.pcap" "$W/b/in.pcap" && cmp -s "$W/a/contexts.json" "$W/b/contexts.json"
check "same seed, same capture and contexts" $?

timeout 60 "$LG" capture --out "$W/c" --clients 300 --requests 2 --seed 12 --malformed 0.2 \
	--ipv6 0.5 --methods GET,FETCH >/dev/null
check "capture with malformed frames written" $?
frames=$(field "$W/c/expected.json" frames)
got=$(tshark -r "$W/c/in.pcap" -Y 'udp.dstport == 5683' 2>/dev/null | wc -l)
[ "$got" -eq "$frames" ]
check "tshark reads all $frames frames of the malformed mix (got $got)" $?

"$LG" capture --out "$W/c" --clients 300 --requests 2 --seed 1 --kid-len 1-1 >/dev/null 2>&1
[ $? -eq 2 ]
check "300 clients do not fit 1-byte kids: refused" $?
# --out made with its parents; secrets 0600 whatever the umask, also over an existing 0644 file
mkdir -p "$W/m" && touch "$W/m/contexts.json" && chmod 644 "$W/m/contexts.json"
(umask 022; timeout 60 "$LG" capture --out "$W/m" --clients 20 --requests 1 --seed 3 >/dev/null &&
	timeout 60 "$LG" capture --out "$W/new/sub/dir" --clients 20 --requests 1 --seed 3 >/dev/null)
check "capture into a missing nested --out" $?
for d in m new/sub/dir; do
	for f in contexts.json oscore_contexts; do
		mode=$(stat -c %a "$W/$d/$f" 2>/dev/null)
		[ "$mode" = 600 ]
		check "$d/$f holds Master Secrets: mode 600 (got ${mode:-none})" $?
	done
done

# progress: on a terminal (script(1) gives the run one), not with --quiet, not into a pipe
if command -v script >/dev/null; then
	script -qec "$LG capture --out $W/p --clients 3000 --requests 3 --seed 4" /dev/null \
		>"$W/tty.log" 2>&1
	grep -q "frames written, .* of 9000 requests" "$W/tty.log"
	check "progress line on a terminal" $?
	script -qec "$LG capture --quiet --out $W/p --clients 3000 --requests 3 --seed 4" /dev/null \
		>"$W/quiet.log" 2>&1
	! grep -q "frames written" "$W/quiet.log"
	check "--quiet: no progress line" $?
fi
"$LG" capture --out "$W/p" --clients 3000 --requests 3 --seed 4 >/dev/null 2>"$W/pipe.err"
[ ! -s "$W/pipe.err" ]
check "stderr not a terminal: no progress line" $?

# the generated configuration fits its population: 200k clients are accepted by the gateway
timeout 60 "$LG" capture --out "$W/big" --clients 200000 --requests 1 --seed 5 --quiet >/dev/null
check "200k-client capture written" $?
grep -q '"max_contexts": 200000' "$W/big/gw.json"
check "gw.json: max_contexts 200000" $?
if [ -n "$GW" ]; then
	timeout 60 "$GW" --check-config "$W/big/gw.json" >"$W/big/check.log" 2>&1
	check "oscore-gw --check-config accepts the 200k-client gw.json" $?
	grep -q "direct 200000" "$W/big/check.log"
	check "... and would load its 200000 contexts" $?
fi
[ "$fails" -eq 0 ] || { echo "test_loadgen_capture: $fails failed"; exit 1; }
echo "test_loadgen_capture: all checks passed"
