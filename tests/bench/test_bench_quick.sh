#!/bin/sh
# oscore-bench --quick completes, and its summary.json has every field issues 4 and 11 ask for
# (ratios, stage cycles, memory per context, sweeps, e2e status, targets, the bare IPsec-MB and
# dpdk-testpmd references with ceiling and cycles beyond crypto and I/O per payload), and
# --compare prints each figure against an earlier summary. Speeds are not checked: they belong to
# the benchmark output, not to a test.
#   test_bench_quick.sh OSCORE_BENCH OSCORE_GW
set -u
W=$(mktemp -d "${TMPDIR:-/tmp}/bench-quick.XXXXXX")
trap 'rm -rf "$W"' EXIT
timeout 240 "$1" --quick --out "$W" --gw "$2" >"$W/log" 2>&1
rc=$?
cat "$W/log"
[ $rc -eq 0 ] || { echo "FAIL: oscore-bench --quick exited $rc"; exit 1; }
python3 - "$W" <<'PY'
import json, os, sys
d = sys.argv[1]
s = json.load(open(os.path.join(d, "summary.json")))
need = {
    "": ["cpu", "ipsec_mb_arch", "quick", "secs_per_measurement", "headline", "ratios",
         "cycles_per_msg_stage", "memory", "e2e", "targets", "sweeps", "tsc_hz", "references"],
    "headline": ["contexts", "payload", "burst", "pipeline_mps", "openssl_pipeline_mps",
                 "ccm_pair_mps", "ccm_decrypt_mps", "ccm_one_key_mps", "pipeline_errors"],
    "ratios": ["pipeline_over_ccm", "pipeline_over_ccm_decrypt", "pipeline_over_openssl",
               "contexts_large_over_1k", "contexts_large", "workers_2_over_1"],
    "memory": ["sizeof_osc_ctx", "table_bytes_per_ctx", "hash_and_lists_bytes_per_ctx",
               "table_mb_at_1m", "measured_contexts", "derive_us_per_ctx"],
    "e2e": ["ran", "why", "workers_1_mps", "workers_2_mps"],
    "targets": ["pipeline_over_ccm", "pipeline_over_openssl", "contexts_1m_over_1k",
                "bytes_per_context", "workers_2_over_1", "e2e_over_ceiling_16",
                "e2e_over_ceiling_64", "pipeline_over_bare_ccm_16", "pipeline_over_bare_ccm_64"],
    "sweeps": ["contexts", "payload", "burst"],
}
bad = 0
for sec, keys in need.items():
    obj = s if sec == "" else s[sec]
    for k in keys:
        if k not in obj:
            print("FAIL: summary.json lacks %s.%s" % (sec or "(top)", k)); bad += 1
stages = ["rx_copy", "parse", "lookup", "prepare", "aead", "finish", "protect", "tx", "total"]
for mode in ("pipeline", "openssl_pipeline"):
    for st in stages:
        if st not in s["cycles_per_msg_stage"][mode]:
            print("FAIL: no %s stage %s" % (mode, st)); bad += 1
if s["headline"]["pipeline_errors"] != 0:
    print("FAIL: the pipeline refused messages it should verify"); bad += 1
if len(s["sweeps"]["payload"]) != 4 or len(s["sweeps"]["contexts"]) < 2 or len(s["sweeps"]["burst"]) < 2:
    print("FAIL: sweeps incomplete"); bad += 1
for f in ("bench.csv", "sweep_contexts.dat", "sweep_payload.dat", "sweep_burst.dat"):
    if not os.path.getsize(os.path.join(d, f)):
        print("FAIL: %s empty" % f); bad += 1
refs = s.get("references", [])
if [r.get("payload") for r in refs] != [16, 64]:
    print("FAIL: references are not at 16 and 64 bytes"); bad += 1
for r in refs:
    for k in ("bare_ccm_pair_mps", "io_floor_pps", "serial_ceiling_mps", "e2e_1w_mps",
              "pipeline_mps", "e2e_over_ceiling", "pipeline_over_bare_ccm", "cyc_bare_ccm_pair",
              "cyc_io", "cyc_e2e", "cyc_pipeline", "cyc_beyond_crypto_and_io",
              "cyc_pipeline_beyond_crypto"):
        if k not in r:
            print("FAIL: references[%s] lacks %s" % (r.get("payload"), k)); bad += 1
    if not r.get("bare_ccm_pair_mps", 0) > 0:
        print("FAIL: bare IPsec-MB reference not measured"); bad += 1
    if s["e2e"]["ran"] and not r.get("io_floor_pps", 0) > 0:
        print("FAIL: e2e ran but the dpdk-testpmd floor is missing: %s" % s["e2e"]["io_why"]); bad += 1
rows = open(os.path.join(d, "bench.csv")).read().splitlines()
if len(rows) < 10 or not rows[0].startswith("sweep,contexts,payload,burst,mode"):
    print("FAIL: bench.csv header or rows"); bad += 1
print("summary.json: all fields present" if not bad else "summary.json: %d problems" % bad)
sys.exit(1 if bad else 0)
PY
[ $? -eq 0 ] || exit 1
# --compare against itself: every figure listed, none changed.
"$1" --compare "$W/summary.json" --with "$W/summary.json" >"$W/cmp" 2>&1 || { cat "$W/cmp"; echo "FAIL: --compare"; exit 1; }
grep -q 'references\[1\].cyc_beyond_crypto_and_io' "$W/cmp" || { cat "$W/cmp"; echo "FAIL: --compare lacks figures"; exit 1; }
if grep '%' "$W/cmp" | grep -vq '+0.0 %'; then cat "$W/cmp"; echo "FAIL: --compare of a file with itself shows a change"; exit 1; fi
echo "compare: $(grep -c -- '->' "$W/cmp") figures"
