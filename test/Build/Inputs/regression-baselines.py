"""Summarizes the baselines of an icl_linear_regression run for FileCheck."""
import json
import sys

error = {}
for line in open(sys.argv[1]):
    row = json.loads(line)
    error.setdefault(row["name"].split("/")[1], {})[row["k"]] = row["value"]
ols, ridge, gd = error["least_squares"], error["ridge"], error["one_step_gd"]
print(f"least squares k=0 {ols[0]:.3f}")
print(f"least squares k=4 {ols[4]:.3f}")
if max(ols[k] for k in range(8, 20)) < 1e-4:
    print("least squares k=8..19 below 1e-4")
close = all(abs(ridge[k] - ols[k]) < 0.1 for k in range(8))
print(f"ridge within 0.1 of least squares below k=8: {'yes' if close else 'no'}")
worse = all(gd[k] > ols[k] for k in range(2, 20))
print(f"one step worse than least squares from k=2: {'yes' if worse else 'no'}")
