"""Checks an induction_heads run's metrics.jsonl: copy accuracy starts near
chance, ends above 0.95, and the jump from below 0.2 to above 0.9 takes at
most a quarter of the run (the phase change); the second layer holds a head
with an induction score above 0.5. Prints what it found."""
import json
import sys

rows = [json.loads(line) for line in open(sys.argv[1])]
copy = [(r["step"], r["value"]) for r in rows if r["name"] == "copy_accuracy"]
heads = {r["name"]: r["value"] for r in rows if r["name"].startswith("induction/")}
last_low = max(step for step, value in copy if value < 0.2)
first_high = min(step for step, value in copy if value > 0.9)
steps = copy[-1][0]
best = max(value for name, value in heads.items() if "/layer1/" in name)
print(f"copy_accuracy first {copy[0][1]:.3f} last {copy[-1][1]:.3f}; "
      f"below 0.2 until step {last_low}, above 0.9 from step {first_high}; "
      f"{len(heads)} induction scores, best in layer 1 {best:.3f}")
ok = (copy[0][1] < 0.1 and copy[-1][1] > 0.95 and
      0 < first_high - last_low <= steps / 4 and len(heads) == 8 and best > 0.5)
sys.exit(0 if ok else 1)
