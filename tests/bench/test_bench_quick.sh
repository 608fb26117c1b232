#!/bin/sh
# oscore-bench --quick completes, and its summary.json has every field the issue asks for (ratios,
# stage cycles, memory per context, sweeps, e2e status, targets). Speeds are not checked: they
# belong to the benchmark output, not to a test.
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
         "cycles_per_msg_stage", "memory", "e2e", "targets", "sweeps"],
    "headline": ["contexts", "payload", "burst", "pipeline_mps", "openssl_pipeline_mps",
                 "ccm_pair_mps", "ccm_decrypt_mps", "ccm_one_key_mps", "pipeline_errors"],
    "ratios": ["pipeline_over_ccm", "pipeline_over_ccm_decrypt", "pipeline_over_openssl",
               "contexts_large_over_1k", "contexts_large", "workers_2_over_1"],
    "memory": ["sizeof_osc_ctx", "table_bytes_per_ctx", "hash_and_lists_bytes_per_ctx",
               "table_mb_at_1m", "measured_contexts", "derive_us_per_ctx"],
    "e2e": ["ran", "why", "workers_1_mps", "workers_2_mps"],
    "targets": ["pipeline_over_ccm", "pipeline_over_openssl", "contexts_1m_over_1k",
                "bytes_per_context", "workers_2_over_1"],
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
rows = open(os.path.join(d, "bench.csv")).read().splitlines()
if len(rows) < 10 or not rows[0].startswith("sweep,contexts,payload,burst,mode"):
    print("FAIL: bench.csv header or rows"); bad += 1
print("summary.json: all fields present" if not bad else "summary.json: %d problems" % bad)
sys.exit(1 if bad else 0)
PY
