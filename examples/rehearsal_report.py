"""Summarizes the rehearsal arms written by examples/rehearsal_arms.sh.

Reads RUNS/<policy>-<seed>/metrics.jsonl, prints the final mean accuracy over
tasks of each arm (mean ± s.d. over seeds), and draws the mean accuracy over
the tasks seen so far after each task to RUNS/curves.png when matplotlib is
available.
"""
import json
import statistics
import sys
from pathlib import Path

POLICIES = ["powerlaw", "uniform", "none"]


def read_runs(root):
    runs = {}
    for path in sorted(root.glob("*-*/metrics.jsonl")):
        policy, seed = path.parent.name.rsplit("-", 1)
        curve = {}
        with open(path) as f:
            for line in f:
                record = json.loads(line)
                if record["name"] == "final/mean_accuracy":
                    curve[record["task"]] = record["value"]
        if curve:
            runs.setdefault(policy, {})[int(seed)] = curve
    return runs


def main():
    root = Path(sys.argv[1])
    runs = read_runs(root)
    print()
    print("final/mean_accuracy after the last task (mean ± s.d. over seeds)")
    for policy in POLICIES:
        finals = [c[max(c)] for c in runs.get(policy, {}).values()]
        if not finals:
            print(f"  {policy:<9} (no runs)")
            continue
        sd = statistics.stdev(finals) if len(finals) > 1 else 0.0
        print(f"  {policy:<9} {statistics.mean(finals):.4f} ± {sd:.4f}"
              f"   ({len(finals)} seeds)")
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("no matplotlib: curves not drawn")
        return
    fig, ax = plt.subplots(figsize=(6, 4))
    for policy in POLICIES:
        curves = list(runs.get(policy, {}).values())
        if not curves:
            continue
        tasks = sorted(set.intersection(*(set(c) for c in curves)))
        means = [statistics.mean(c[t] for c in curves) for t in tasks]
        ax.plot([t + 1 for t in tasks], means, marker="o", label=policy)
    ax.set_xlabel("tasks trained")
    ax.set_ylabel("mean accuracy over tasks seen")
    ax.set_title("Permuted Fashion-MNIST with rehearsal")
    ax.legend()
    fig.tight_layout()
    fig.savefig(root / "curves.png", dpi=120)
    print(f"curves: {root / 'curves.png'}")


if __name__ == "__main__":
    main()
