#!/usr/bin/env bash
# The gateway's main job on the embedded default, no NIC and no hugepages: a generated capture of
# OSCORE requests from 40 devices (plus replays, tampered tags, unknown kids, malformed and
# non-CoAP frames) goes through oscore-gw on DPDK's net_pcap in respond mode; the protected answers
# are written to a capture, counted, and decrypted again by tshark's OSCORE dissector.
#   dataplane/demo.sh [BUILD_DIR]
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/oscore-gw-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT

bash "$(dirname "$0")/../oscore/selfcheck.sh" "$build"
echo
echo "== capture: $work/in.pcap"
"$build/tests/dataplane/gen_capture" "$work"
echo "== oscore-gw: net_pcap in, net_pcap out, respond mode, 1 worker"
"$build/dataplane/oscore-gw" --no-huge --no-pci --no-shconf --file-prefix "oscgw-demo$$" -m 512 \
	--log-level=warning -l 0-1 --vdev "net_pcap0,rx_pcap=$work/in.pcap,tx_pcap=$work/out.pcap" \
	-- --config "$work/gw.json" --idle-exit 2 --stats-json "$work/stats.json"
echo "== tshark decrypts the answers with the devices' contexts"
mergecap -w "$work/merged.pcap" "$work/in.pcap" "$work/out.pcap"
mkdir -p "$work/profile/wireshark"
cp "$work/oscore_contexts" "$work/profile/wireshark/oscore_contexts"
XDG_CONFIG_HOME="$work/profile" tshark -r "$work/merged.pcap" -Y 'oscore && coap.code >= 64' \
	-T fields -e oscore.code 2>/dev/null | sort | uniq -c |
	awk '{ n += $1; if ($2 != "") d += $1 } END { printf "%d protected answers, %d decrypted by tshark\n", n, d }'
echo "(tshark tries only the first context with a given kid: the answers to the device whose"
echo " Recipient ID collides with another's need a profile of their own; tests/dataplane checks them)"
