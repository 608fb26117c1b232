# Sourced by the live forward-mode tests (bash): three network namespaces joined by two veth pairs,
#   device ($P-dev) --veth-- gateway ($P-gw, oscore-gw on net_af_packet, two ports) --veth--
#   upstream ($P-up, coap-server-notls),
# on 10.77.0.0/24 and fd77::/64 (the gateway is .1 / ::1 on both links, the device .2, the
# upstream .3), and the helpers these tests share. The sourcing script sets GW, CLIENT (osc_client),
# P (unique to the run, with the test's name) and W (its work directory) first; it may define
# cleanup_extra to stop what else it started (started with ip netns exec directly, so that $! is
# the program itself).
NS_DEV=$P-dev NS_GW=$P-gw NS_UP=$P-up
GW_PID= SRV_PID=
fails=0

if [ "$(id -u)" -ne 0 ] || ! command -v coap-server-notls >/dev/null; then
	echo "SKIP: needs root and coap-server-notls (libcoap3-bin)"
	exit 77
fi

cleanup() {
	if declare -F cleanup_extra >/dev/null; then cleanup_extra; fi
	[ -n "$GW_PID" ] && kill -TERM "$GW_PID" 2>/dev/null && wait "$GW_PID" 2>/dev/null
	[ -n "$SRV_PID" ] && kill -TERM "$SRV_PID" 2>/dev/null && wait "$SRV_PID" 2>/dev/null
	for ns in "$NS_DEV" "$NS_GW" "$NS_UP"; do ip netns del "$ns" 2>/dev/null; done
	if [ "$fails" -eq 0 ]; then rm -rf "$W"; else echo "work dir kept: $W"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

check() { # check NAME STATUS
	if [ "$2" -eq 0 ]; then echo "PASS: $1"; else echo "FAIL: $1"; fails=$((fails + 1)); fi
}
in_dev() { ip netns exec "$NS_DEV" "$@"; }
in_gw() { ip netns exec "$NS_GW" "$@"; }
in_up() { ip netns exec "$NS_UP" "$@"; }

topology() {
	ip netns add "$NS_DEV" && ip netns add "$NS_GW" && ip netns add "$NS_UP" &&
	ip link add vdev netns "$NS_DEV" type veth peer name gdev netns "$NS_GW" &&
	ip link add vup netns "$NS_UP" type veth peer name gup netns "$NS_GW" || return 1
	# checksums complete on the wire: the gateway verifies them (netns_gw.sh, README)
	in_dev ethtool -K vdev tx off >/dev/null && in_up ethtool -K vup tx off >/dev/null || return 1
	for i in gdev gup; do # the kernel stays silent on the gateway's links: DPDK owns them
		in_gw sysctl -qw "net.ipv6.conf.$i.disable_ipv6=1" && in_gw ip link set "$i" up || return 1
	done
	in_dev ip addr add 10.77.0.2/24 dev vdev && in_dev ip addr add fd77::2/64 dev vdev nodad &&
	in_up ip addr add 10.77.0.3/24 dev vup && in_up ip addr add fd77::3/64 dev vup nodad &&
	in_dev ip link set vdev up && in_up ip link set vup up && in_dev ip link set lo up &&
	in_up ip link set lo up
}

# The gateway's configuration: forward mode to $1, with extra keys $2; three contexts.
write_config() {
	cat >"$W/gw.json" <<JSON
{ "port": "net_af_packet0", "upstream_port": "net_af_packet1",
  "ipv4": "10.77.0.1", "ipv6": "fd77::1", "mode": "forward", "upstream": "$1", $2
  "mbufs": 2047,
  "contexts": [
    { "master_secret": "0102030405060708090a0b0c0d0e0f10", "master_salt": "9e7ca92223786340",
      "sender_id": "01", "recipient_id": "" },
    { "master_secret": "1112131415161718191a1b1c1d1e1f20", "sender_id": "01",
      "recipient_id": "0b", "id_context": "37cbf3210017a2d3" },
    { "master_secret": "2122232425262728292a2b2c2d2e2f30", "sender_id": "02",
      "recipient_id": "0c", "aead_alg": "AES-CCM-16-64-128" } ] }
JSON
}

# Start oscore-gw in its namespace; wait (bounded) until its worker runs.
start_gw() { # start_gw RUN
	ip netns exec "$NS_GW" "$GW" --no-huge --no-pci --no-shconf --file-prefix "$P-$1" -m 512 -l 0-1 \
		--log-level=warning --vdev net_af_packet0,iface=gdev --vdev net_af_packet1,iface=gup \
		-- --config "$W/gw.json" --stats-json "$W/stats.$1.json" >"$W/gw.$1.log" 2>&1 &
	GW_PID=$!
	for _ in $(seq 50); do
		grep -q "queue(s)" "$W/gw.$1.log" 2>/dev/null && return 0
		kill -0 "$GW_PID" 2>/dev/null || break
		sleep 0.2
	done
	cat "$W/gw.$1.log"
	return 1
}

stop_gw() { # stop_gw RUN
	kill -TERM "$GW_PID" 2>/dev/null
	for _ in $(seq 50); do kill -0 "$GW_PID" 2>/dev/null || break; sleep 0.2; done
	kill -KILL "$GW_PID" 2>/dev/null
	wait "$GW_PID"
	local rc=$?
	GW_PID=
	sed -n '/counters/,$p' "$W/gw.$1.log"
	return $rc
}

client() { # client LOGNAME ARGS...
	local log=$W/client.$1.log
	shift
	in_dev timeout 30 "$CLIENT" --contexts "$W/gw.json" "$@" >"$log" 2>&1
	local rc=$?
	sed 's/^/    /' "$log"
	return $rc
}

# stats_check RUN 'python expression over c (counters) and e (osc_err)'
stats_check() {
	python3 - "$W/stats.$1.json" "$2" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
c, e = s["counters"], s["osc_err"]
ok = eval("(" + sys.argv[2] + ")")
if not ok:
    print("    counters:", {k: v for k, v in c.items() if v}, "osc_err:", {k: v for k, v in e.items() if v})
sys.exit(0 if ok else 1)
PY
}

# A fresh upstream per run: an observation left from an earlier run would keep notifying.
start_upstream() {
	if [ -n "$SRV_PID" ]; then kill -TERM "$SRV_PID"; wait "$SRV_PID" 2>/dev/null; fi
	# -d: PUT creates resources (the 1 KB answer of run 4)
	ip netns exec "$NS_UP" coap-server-notls -p 5683 -d 8 -v 0 >>"$W/server.log" 2>&1 &
	SRV_PID=$!
	sleep 0.5
	kill -0 "$SRV_PID" 2>/dev/null
	check "coap-server-notls runs in $NS_UP" $?
}


# No sanitizer report and no DPDK heap error (which ASan cannot see) in any gateway log of the run.
no_sanitizer_reports() {
	! grep -lE "ERROR: AddressSanitizer|runtime error:|LeakSanitizer|EAL: Error" "$W"/gw.*.log
}
