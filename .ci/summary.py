#!/usr/bin/env python3
"""Counts test cases over meson test logs: each Criterion binary contributes its own cases
(from its 'Synthesis' line), any other test counts as one. Prints 'tests: N passed, N failed'."""
import json
import re
import sys

SYNTH = re.compile(r"Synthesis: Tested: (\d+) \| Passing: (\d+) \| Failing: (\d+) \| Crashing: (\d+)")


def count(logfile):
    passed = failed = 0
    with open(logfile) as f:
        for line in f:
            t = json.loads(line)
            ok = t["result"] in ("OK", "EXPECTEDFAIL", "SKIP")
            m = SYNTH.findall(t.get("stdout") or "") + SYNTH.findall(t.get("stderr") or "")
            if m:
                tested, passing, failing, crashing = map(int, m[-1])
                passed += passing
                failed += failing + crashing + (0 if ok or failing or crashing else 1)
            elif ok:
                passed += 1
            else:
                failed += 1
    return passed, failed


def main():
    passed = failed = 0
    for log in sys.argv[1:]:
        p, f = count(log)
        print(f"{log}: {p} passed, {f} failed")
        passed += p
        failed += f
    print(f"tests: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
