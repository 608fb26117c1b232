#!/bin/sh
# Build a libFuzzer harness with clang and fuzz it for a bounded time.
#
#   tests/fuzz/run-fuzz.sh [SECONDS] [HARNESS]   (default 60 s; CC=clang-14 etc. picks the compiler)
#
# HARNESS: coap_oscore (default: CoAP and OSCORE option codecs), oscore_message (whole messages
# through verification, and protect-then-verify round trips; links IPsec-MB and OpenSSL) or
# ctl_conf (libcoap OSCORE configuration files, control/ctl_conf_libcoap.c), dp_wire (received
# frames through the dataplane's classifier and CoAP type/code screen; DPDK headers only),
# group_json (a Group OSCORE group as oscore-gwctl group add and the "groups" configuration give
# it: JSON, hex, CCS credentials, keys), group_message (Group OSCORE verification in group and
# pairwise mode, and protect-then-verify round trips), ace_authz (the ACE resource server:
# /authz-info payloads, access tokens, claims, AIF scopes, COSE_Keys), edhoc_msg1 or
# edhoc_msg3 (the EDHOC Responder's message_1 and message_3 processing, control/edhoc/;
# message_3 also as a correctly encrypted fuzzed PLAINTEXT_3), edhoc_coap (the gateway's
# EDHOC responder over CoAP, control/ctl_edhoc.c: /.well-known/edhoc and RFC 9668 combined
# requests), group_send (sending to a group, control/ctl_group_send.c: requesters'
# requests, members' answers, the aggregate).
#
# The seed corpus is copied to a temporary work dir, so the repository is never written. Exits
# non-zero if libFuzzer finds a crash, sanitizer report, leak, timeout, OOM or roundtrip mismatch;
# the work dir (binary, grown corpus, reproducers) is then kept and printed. KEEP=1 keeps it always.
set -eu

secs=${1:-60}
harness=${2:-coap_oscore}
case $secs in '' | *[!0-9]*) echo "usage: $0 [SECONDS] [HARNESS]" >&2; exit 2 ;; esac
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/fuzz-$harness.XXXXXX")
cc=${CC:-clang}
case $harness in
coap_oscore)
	srcs="$root/oscore/osc_coap.c $root/oscore/osc_option.c"
	libs=""
	corpus=corpus ;;
oscore_message)
	srcs="$(ls "$root"/oscore/osc_*.c "$root"/crypto/cry_*.c "$root"/control/ctl_b2.c)"
	libs="-lIPSec_MB -lcrypto -lcbor -lpthread"
	corpus=corpus-message ;;
ctl_conf)
	srcs="$(ls "$root"/oscore/osc_*.c "$root"/crypto/cry_*.c) $root/control/ctl_conf_libcoap.c"
	libs="-lIPSec_MB -lcrypto -lcbor -lpthread"
	corpus=corpus-ctl-conf ;;
dp_wire)
	srcs="$root/dataplane/dp_classify.c $root/dataplane/dp_icmp6.c $root/dataplane/dp_unreach.c
	      $root/dataplane/dp_plain.c"
	libs="$(pkg-config --cflags libdpdk)"
	corpus=corpus-wire ;;
group_message)
	srcs="$(ls "$root"/oscore/osc_*.c "$root"/crypto/cry_*.c) $root/tests/oscore/group_fixture.c"
	libs="-lIPSec_MB -lcrypto -lcbor -lpthread"
	corpus=corpus-group ;;
group_json)
	srcs="$(ls "$root"/oscore/osc_*.c "$root"/crypto/cry_*.c) $root/control/ctl_config_group.c
		$root/control/ctl_config_group_send.c $root/control/ctl_where.c
		$root/control/ctl_group.c $root/control/ctl_tomb.c $root/control/ctl_store.c"
	libs="-lIPSec_MB -lcrypto -lcbor -ljansson -lsqlite3 -lpthread"
	corpus=corpus-group-json ;;
ace_authz)
	srcs="$(ls "$root"/oscore/osc_*.c "$root"/crypto/cry_*.c "$root"/control/ace/ctl_ace_*.c) $root/control/ctl_where.c"
	libs="-lIPSec_MB -lcrypto -lcbor -ljansson -lm -lpthread"
	corpus=corpus-ace ;;
edhoc_msg1 | edhoc_msg3)
	srcs="$(ls "$root"/oscore/osc_*.c "$root"/crypto/cry_*.c "$root"/control/edhoc/edh_*.c)"
	libs="-lIPSec_MB -lcrypto -lcbor -lpthread"
	corpus=corpus-$harness ;;
group_send)
	srcs="$(ls "$root"/oscore/osc_*.c "$root"/crypto/cry_*.c) $root/control/ctl_group_send.c
		$root/control/ctl_clock.c $root/control/ctl_group.c $root/control/ctl_group_serve.c $root/control/ctl_plane.c
		$root/control/ctl_ns.c $root/control/ctl_echo.c $root/control/ctl_tomb.c
		$root/control/ctl_store.c $root/tests/oscore/group_fixture.c
		$root/tests/control/gw_group_fixture.c"
	libs="-lIPSec_MB -lcrypto -lcbor -ljansson -lsqlite3 -lpthread"
	corpus=corpus-group-send ;;
edhoc_coap)
	srcs="$(ls "$root"/oscore/osc_*.c "$root"/crypto/cry_*.c "$root"/control/edhoc/edh_*.c)
		$root/control/ctl_edhoc.c $root/control/ctl_config_edhoc.c $root/control/ctl_plane.c
		$root/control/ctl_ns.c $root/control/ctl_rate.c"
	libs="-lIPSec_MB -lcrypto -lcbor -ljansson -lpthread"
	corpus=corpus-edhoc_coap ;;
*)
	echo "usage: $0 [SECONDS] [coap_oscore|oscore_message|ctl_conf|dp_wire|group_message|group_json|ace_authz|edhoc_msg1|edhoc_msg3|edhoc_coap|group_send]" >&2
	exit 2 ;;
esac

# -fno-sanitize-recover: a UBSan report must abort, or libFuzzer would not see it.
# shellcheck disable=SC2086 # srcs and libs are word lists
"$cc" -g -O1 -mcx16 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-I"$root" $srcs "$root/tests/fuzz/fuzz_$harness.c" $libs -o "$work/fuzz_$harness"
mkdir "$work/corpus" "$work/artifacts"
cp "$root/tests/fuzz/$corpus"/* "$work/corpus/"

set +e
"$work/fuzz_$harness" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 \
	-print_final_stats=1 -artifact_prefix="$work/artifacts/" "$work/corpus"
rc=$?
set -e

found=$(ls -A "$work/artifacts")
if [ "$rc" -ne 0 ] || [ -n "$found" ]; then
	echo "run-fuzz: FAILED (libFuzzer exit $rc); reproducers and corpus in $work" >&2
	exit 1
fi
echo "run-fuzz: clean after ${secs}s, corpus $(ls "$work/corpus" | wc -l) inputs"
if [ "${KEEP:-0}" = 1 ]; then echo "run-fuzz: kept $work"; else rm -rf "$work"; fi
