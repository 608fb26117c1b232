# Sourced by the live gateway tests (bash): two network namespaces, $P-dev for the devices and
# $P-gw for oscore-gw on net_af_packet over the veth end gdev, and the helpers each such test
# needs. The sourcing script sets GW (the gateway binary), P (a name unique to the run) and W (its
# work directory, holding gw.json) first. It may define cleanup_extra to stop what else it started:
# start background programs with ip netns exec directly, so that $! is the program itself (through
# a shell function $! would be a subshell, and killing it would orphan the program).
NS_DEV=$P-dev NS_GW=$P-gw
GW_PID=
UP_PID=
fails=0

if [ "$(id -u)" -ne 0 ]; then echo "SKIP: needs root"; exit 77; fi
cleanup() {
	if declare -F cleanup_extra >/dev/null; then cleanup_extra; fi
	[ -n "$UP_PID" ] && kill "$UP_PID" 2>/dev/null
	[ -n "$GW_PID" ] && kill -KILL "$GW_PID" 2>/dev/null && wait "$GW_PID" 2>/dev/null
	for ns in "$NS_DEV" "$NS_GW"; do ip netns del "$ns" 2>/dev/null; done
	if [ "$fails" -eq 0 ]; then rm -rf "$W"; else echo "work dir kept: $W"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
check() { if [ "$2" -eq 0 ]; then echo "PASS: $1"; else echo "FAIL: $1"; fails=$((fails + 1)); fi; }
in_dev() { ip netns exec "$NS_DEV" "$@"; }
in_gw() { ip netns exec "$NS_GW" "$@"; }

# netns_up SUBNET: the device at SUBNET.2/24, the gateway's link up (it takes SUBNET.1 itself);
# the gateway side's kernel IPv6 is off so that the kernel sends nothing on the gateway's port.
# The device's veth computes its UDP checksums itself (tx offload off): the gateway verifies them,
# and net_af_packet (DPDK 22.11) does not say when the kernel left one unfinished (README).
netns_up() {
	ip netns add "$NS_DEV" && ip netns add "$NS_GW" &&
	ip link add vdev netns "$NS_DEV" type veth peer name gdev netns "$NS_GW" &&
	in_dev ethtool -K vdev tx off >/dev/null &&
	in_gw sysctl -qw net.ipv6.conf.gdev.disable_ipv6=1 && in_gw ip link set gdev up &&
	in_dev ip addr add "$1.2/24" dev vdev && in_dev ip link set vdev up && in_dev ip link set lo up
	check "topology" $?
}

# start_gw NAME [GATEWAY OPTIONS...]: oscore-gw with $W/gw.json, its output in $W/gw.NAME.log,
# on the lcores of GW_LCORES (EAL words; default -l 0-1) and net_af_packet options GW_VDEV_ARGS
# (",qpairs=2"),
# its EAL file prefix (for oscore-gwctl --prefix) in GW_PREFIX; returns once it serves (0) or
# after 15 s (1, with the log shown). Every configuration is first checked by --check-config
# (issue 14): a configuration the tests run must pass it.
start_gw() {
	local name=$1

	shift
	GW_PREFIX=$P-$name
	if ! "$GW" --check-config "$W/gw.json" >"$W/check.$name.log" 2>&1; then
		echo "FAIL: oscore-gw --check-config refuses $W/gw.json"
		cat "$W/check.$name.log"
		return 1
	fi
	# shellcheck disable=SC2086 # GW_LCORES: EAL words
	ip netns exec "$NS_GW" "$GW" --no-huge --no-pci --no-shconf --file-prefix "$GW_PREFIX" -m 512 \
		${GW_LCORES:--l 0-1} --log-level=warning \
		--vdev "net_af_packet0,iface=gdev${GW_VDEV_ARGS:-}" -- --config "$W/gw.json" \
		"$@" >"$W/gw.$name.log" 2>&1 &
	GW_PID=$!
	for _ in $(seq 150); do grep -q "queue(s)" "$W/gw.$name.log" && return 0; sleep 0.1; done
	cat "$W/gw.$name.log"
	return 1
}

# kill_loop KILLS MARK SERVED WHAT: KILLS times, start oscore-gw, call MARK (the caller notes
# its clients' answer counts), wait up to 20 s until SERVED says the run has answered since, let
# it serve a random 0.4-0.8 s more and SIGKILL it; then a final run is started (left running in
# GW_PID). Checks that every run started and answered WHAT before its kill (so that a slow start,
# ASan or a busy machine, cannot make the crash loop's counts depend on load), and the final run.
kill_loop() {
	local kills=$1 mark=$2 served_fn=$3 what=$4 served=0 started=0 run

	for run in $(seq 1 "$kills"); do
		start_gw "$run" && started=$((started + 1))
		"$mark"
		for _ in $(seq 1 200); do
			"$served_fn" && { served=$((served + 1)); break; }
			sleep 0.1
		done
		sleep "0.$((RANDOM % 5 + 4))"
		kill -KILL "$GW_PID"; wait "$GW_PID" 2>/dev/null; GW_PID=
	done
	check "oscore-gw restarted after each of $kills SIGKILLs" $((started != kills))
	check "every run answered $what before it was killed ($served of $kills)" \
		$((served != kills))
	start_gw final && sleep 1
	check "a final run serves again" $?
}

# upstream_up ADDR: coap-server-notls at ADDR:5683 next to the devices (-d: a PUT creates its
# resource), its pid in UP_PID (stopped by cleanup); 1 when libcoap3-bin is not installed.
upstream_up() {
	command -v coap-server-notls >/dev/null || return 1
	in_dev ip addr add "$1/24" dev vdev || return 1
	ip netns exec "$NS_DEV" coap-server-notls -A "$1" -p 5683 -d 4 -v 0 >"$W/server.log" 2>&1 &
	UP_PID=$!
}
