#!/bin/bash
# Install like a daemon (issue 14): `meson install --destdir` lays out binaries (the daemon and its
# control tool in sbin), the five man pages, the example instance and the systemd unit in their
# FHS places, and nothing else; the unit runs one instance per configuration with a restart on
# failure and a 0700 state directory; the installed example passes --check-config and the unit
# passes systemd-analyze verify.
#   test_install.sh BUILD_ROOT PREFIX BINDIR SBINDIR SYSCONFDIR MANDIR
set -u
B=$1 PREFIX=$2
rel() { case $1 in /*) echo "${1#/}" ;; *) echo "${PREFIX#/}/$1" ;; esac; }
BIN=$(rel "$3") SBIN=$(rel "$4") ETC=$(rel "$5") MAN=$(rel "$6")
UNITDIR=${PREFIX#/}/lib/systemd/system
W=$(mktemp -d "${TMPDIR:-/tmp}/oscgw-install.XXXXXX")
trap 'rm -rf "$W"' EXIT
fails=0
check() { if [ "$2" -eq 0 ]; then echo "PASS: $1"; else echo "FAIL: $1"; fails=$((fails + 1)); fi; }

meson install -C "$B" --destdir "$W/root" --no-rebuild --quiet >"$W/install.log" 2>&1
check "meson install --destdir" $?
cat >"$W/want" <<EOF
$BIN/oscore-bench
$BIN/oscore-loadgen
$BIN/oscore-tool
$ETC/oscore-gw/example.env
$ETC/oscore-gw/example.json
$MAN/man1/oscore-bench.1
$MAN/man1/oscore-loadgen.1
$MAN/man5/oscore-gw.json.5
$MAN/man8/oscore-gw.8
$MAN/man8/oscore-gwctl.8
$SBIN/oscore-gw
$SBIN/oscore-gwctl
$UNITDIR/oscore-gw@.service
EOF
sort -o "$W/want" "$W/want"
(cd "$W/root" && find . -type f -o -type l | sed 's#^\./##' | sort) >"$W/got"
diff "$W/want" "$W/got"
check "installed files are exactly the expected list ($(wc -l <"$W/got") files)" $?
for f in "$SBIN/oscore-gw" "$SBIN/oscore-gwctl" "$BIN/oscore-loadgen"; do
	[ -x "$W/root/$f" ]
	check "$f executable" $?
done
for m in man1/oscore-bench.1 man1/oscore-loadgen.1 man5/oscore-gw.json.5 man8/oscore-gw.8 \
	man8/oscore-gwctl.8; do
	head -n 20 "$W/root/$MAN/$m" | grep -q '^\.TH'
	check "$m is a man page" $?
done
U=$W/root/$UNITDIR/oscore-gw@.service
grep -qx "ExecStart=/$SBIN/oscore-gw \$OSCORE_GW_EAL --file-prefix oscore-gw-%i -- --config /$ETC/oscore-gw/%i.json" "$U"
check "unit: ExecStart runs /$ETC/oscore-gw/%i.json from /$SBIN" $?
grep -qx "ExecStartPre=/$SBIN/oscore-gw --check-config /$ETC/oscore-gw/%i.json" "$U"
check "unit: the configuration is checked before each start" $?
grep -qx "Restart=on-failure" "$U" && grep -qx "StateDirectory=oscore-gw/%i" "$U" &&
	grep -qx "StateDirectoryMode=0700" "$U" && grep -qx "EnvironmentFile=-/$ETC/oscore-gw/%i.env" "$U"
check "unit: restart on failure, state directory 0700, per-instance EAL options" $?
if command -v systemd-analyze >/dev/null; then
	sed "s#/$SBIN/#$W/root/$SBIN/#g" "$U" >"$W/oscore-gw@example.service"
	MANPATH=$W/root/$MAN systemd-analyze verify "$W/oscore-gw@example.service" \
		>"$W/verify.log" 2>&1
	rc=$?
	grep -v "sysinit.target not found" "$W/verify.log"
	check "systemd-analyze verify oscore-gw@example.service" $rc
fi
# the example instance, its state directory where systemd would make it
sed "s#/var/lib/oscore-gw/example#$W/state#" "$W/root/$ETC/oscore-gw/example.json" >"$W/example.json"
mkdir -m 700 "$W/state"
"$W/root/$SBIN/oscore-gw" --check-config "$W/example.json" >"$W/check.log" 2>&1
check "installed example.json passes the installed oscore-gw --check-config" $?
[ "$fails" -eq 0 ] || { cat "$W/install.log" "$W/check.log"; exit 1; }
echo "test_install: all checks passed"
