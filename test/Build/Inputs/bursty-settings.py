"""Checks the four settings of examples/bursty_icl.kiln (issue #9's
acceptance) from their metrics.jsonl files in DIR: K = 4096 bursty learns in
context abruptly (<= 0.6 at 1000 steps, >= 0.95 at 4000); K = 512 with
i.i.d. contexts learns in weights (>= 0.95 by 3000) and never in context;
K = 64 and K = 512 bursty never learn in context in 10,000 steps. In-context
accuracy is among the context's two labels, so chance is 0.5 and "never"
means every evaluation within 0.06 of it (1000 prompts: 3.8 standard
errors). Prints a line per setting."""
import json
import os
import sys

CHANCE_BAND = 0.06


def series(name, kind):
    path = os.path.join(sys.argv[1], name, "metrics.jsonl")
    rows = [json.loads(line) for line in open(path)]
    return {r["step"]: r["value"] for r in rows if r["name"] == kind}


def at_chance(values):
    return all(abs(v - 0.5) <= CHANCE_BAND for v in values)


ok = True


def report(name, passed, text):
    global ok
    ok = ok and passed
    print(f"{name}: {'ok' if passed else 'FAILED'} ({text})")


icl = series("k4096-bursty", "icl_accuracy")
report("k4096-bursty", icl[1000] <= 0.6 and icl[4000] >= 0.95,
       f"in context {icl[1000]:.3f} at 1000, {icl[4000]:.3f} at 4000")

icl = series("k512-iid", "icl_accuracy")
iwl = series("k512-iid", "iwl_accuracy")
reached = min((s for s, v in iwl.items() if v >= 0.95), default=None)
report("k512-iid", reached is not None and reached <= 3000 and
       at_chance(icl.values()),
       f"in weights >= 0.95 from step {reached}; in context "
       f"{min(icl.values()):.3f} to {max(icl.values()):.3f}")

for name in ("k64-bursty", "k512-bursty"):
    icl = series(name, "icl_accuracy")
    report(name, max(icl) >= 10000 and at_chance(icl.values()),
           f"in context {min(icl.values()):.3f} to {max(icl.values()):.3f} "
           f"over {max(icl)} steps")
sys.exit(0 if ok else 1)
