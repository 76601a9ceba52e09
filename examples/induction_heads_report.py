"""Table and curves of one examples/induction_heads.kiln run.

Usage: induction_heads_report.py METRICS.jsonl CURVES.png
Prints copy accuracy every 250 steps and the last per-head scores; draws
copy accuracy and each head's scores against the step (if matplotlib is
installed)."""
import json
import sys
from collections import defaultdict

series = defaultdict(list)
for line in open(sys.argv[1]):
    row = json.loads(line)
    series[row["name"]].append((row["step"], row["value"]))

print("step  copy_accuracy  probe/loss")
loss = dict(series["probe/loss"])
for step, value in series["copy_accuracy"]:
    if step % 250 == 0:
        print(f"{step:4d}  {value:13.3f}  {loss[step]:10.3f}")
print("\nlast scores     " + "  ".join(f"head{h}" for h in range(4)))
for kind in ("previous_token", "induction"):
    for layer in range(2):
        values = [series[f"{kind}/layer{layer}/head{h}"][-1][1] for h in range(4)]
        print(f"{kind:>14} L{layer} " + "  ".join(f"{v:5.2f}" for v in values))

try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    sys.exit(0)
fig, axes = plt.subplots(1, 3, figsize=(15, 4))
steps, values = zip(*series["copy_accuracy"])
axes[0].plot(steps, values, color="black")
axes[0].set_title("copy accuracy (repeated half)")
for index, kind in enumerate(("induction", "previous_token"), start=1):
    for layer, style in ((0, "--"), (1, "-")):
        for head in range(4):
            steps, values = zip(*series[f"{kind}/layer{layer}/head{head}"])
            axes[index].plot(steps, values, style, label=f"L{layer}H{head}")
    axes[index].set_title(f"{kind.replace('_', '-')} score per head")
    axes[index].legend(fontsize=7, ncol=2)
for axis in axes:
    axis.set_xlabel("train step")
fig.tight_layout()
fig.savefig(sys.argv[2], dpi=100)
print(f"\ncurves: {sys.argv[2]}")
