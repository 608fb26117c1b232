#!/bin/sh
# Build the CoAP / OSCORE option libFuzzer harness with clang and fuzz it for a bounded time.
#
#   tests/fuzz/run-fuzz.sh [SECONDS]     (default 60; CC=clang-14 etc. to pick the compiler)
#
# The seed corpus is copied to a temporary work dir, so the repository is never written. Exits
# non-zero if libFuzzer finds a crash, sanitizer report, leak, timeout, OOM or roundtrip mismatch;
# the work dir (binary, grown corpus, reproducers) is then kept and printed. KEEP=1 keeps it always.
set -eu

secs=${1:-60}
case $secs in '' | *[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;; esac
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/fuzz-coap.XXXXXX")
cc=${CC:-clang}

# -fno-sanitize-recover: a UBSan report must abort, or libFuzzer would not see it.
"$cc" -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-I"$root" "$root/oscore/osc_coap.c" "$root/oscore/osc_option.c" \
	"$root/tests/fuzz/fuzz_coap_oscore.c" -o "$work/fuzz_coap_oscore"
mkdir "$work/corpus" "$work/artifacts"
cp "$root"/tests/fuzz/corpus/* "$work/corpus/"

set +e
"$work/fuzz_coap_oscore" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 \
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
