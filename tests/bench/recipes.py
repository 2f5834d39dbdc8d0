#!/usr/bin/env python3
"""Steps each training recipe needs to leave the pre-ICL plateau (issue: training recipes).

For every run file given, prints the first evaluation step at which the held-out ICL error at
k = 2D falls below the averaging estimator's on the same prompts (the moment the classroom
banner asks students to watch for), and the error at k = 2D at the end. Run files come from
`icl-lab train ... --out`; see scripts/bench.sh for the recipes and seeds compared.

    python3 tests/bench/recipes.py RUN.json [RUN.json ...]
"""
import json
import sys


def left_plateau(run):
    d = run["config"]["task"]["dim"]
    k = 2 * d
    avg = next(b["curve"] for b in run["baselines"] if b["name"] == "averaging")
    avg_k = avg["mean"][avg["k"].index(k)]
    for e in run["evals"]:
        c = e["curve"]
        if c["mean"][c["k"].index(k)] < avg_k:
            return e["step"], k, avg_k
    return None, k, avg_k


def main(paths):
    print(f"{'run':<40} {'steps':>6} {'left plateau at':>16} {'err(2D) end':>12} {'averaging':>10}")
    for p in paths:
        run = json.load(open(p))
        step, k, avg_k = left_plateau(run)
        last = run["evals"][-1]["curve"]
        end = last["mean"][last["k"].index(k)]
        print(f"{p:<40} {run['steps']:>6} {str(step) if step is not None else 'never':>16} {end:>12.3f} {avg_k:>10.3f}")


if __name__ == "__main__":
    main(sys.argv[1:])
