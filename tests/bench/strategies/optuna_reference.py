#!/usr/bin/env python3
"""Outside reference for search_bench: Optuna's TPE and NSGA-II on exactly the bench's problems.

The space comes from `search_bench --space PROBLEM`, and every point Optuna proposes is evaluated
by `search_bench --evaluate PROBLEM --seed S` (one long-lived process per run, JSON lines), so
the functions and the noise are the bench's own. Writes, per problem and sampler, the canonical
points evaluated (in order) for each seed to --out; search_bench scores them like its own runs.
"""
import argparse
import json
import subprocess
import sys

import optuna


def load_space(bench, problem):
    out = subprocess.run([bench, "--space", problem], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def holds(when, decided):
    """A parameter's condition: {"param": p, "in"|"not_in": [...]}; its parent must be active."""
    parent = when["param"]
    if parent not in decided:
        return False
    if "in" in when:
        return decided[parent] in when["in"]
    return decided[parent] not in when["not_in"]


def suggest_point(trial, parameters):
    point = {}
    pending = dict(parameters)
    while pending:
        progressed = False
        for name in list(pending):
            spec = pending[name]
            when = spec.get("when")
            if when and when["param"] in pending:
                continue  # parent not decided yet
            del pending[name]
            progressed = True
            if when and not holds(when, point):
                continue
            kind = spec["type"]
            if kind == "int":
                point[name] = trial.suggest_int(name, int(spec["min"]), int(spec["max"]),
                                                step=int(spec.get("step", 1)), log=spec.get("log", False))
            elif kind == "float":
                point[name] = trial.suggest_float(name, spec["min"], spec["max"], log=spec.get("log", False))
            else:
                point[name] = trial.suggest_categorical(name, spec["values"])
        if not progressed:
            raise RuntimeError("conditions form a cycle")
    return point


def run(bench, problem, doc, sampler_name, seed, budget):
    directions = [o["goal"] for o in doc["objectives"]]
    if sampler_name == "optuna-tpe":
        sampler = optuna.samplers.TPESampler(seed=seed)
    else:
        sampler = optuna.samplers.NSGAIISampler(seed=seed)
    study = optuna.create_study(directions=directions, sampler=sampler)
    evaluator = subprocess.Popen([bench, "--evaluate", problem, "--seed", str(seed)],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    evaluated = []

    def objective(trial):
        point = suggest_point(trial, doc["space"]["parameters"])
        evaluator.stdin.write(json.dumps(point) + "\n")
        evaluator.stdin.flush()
        reply = json.loads(evaluator.stdout.readline())
        evaluated.append(reply["point"])
        values = [reply["metrics"][o["metric"]] for o in doc["objectives"]]
        return values[0] if len(values) == 1 else values

    study.optimize(objective, n_trials=budget)
    evaluator.stdin.close()
    evaluator.wait()
    return evaluated


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bench", required=True)
    parser.add_argument("--problems", required=True)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--budget", type=int, default=100)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    result = {}
    for problem in args.problems.split(","):
        doc = load_space(args.bench, problem)
        result[problem] = {}
        for sampler_name in ("optuna-tpe", "optuna-nsga2"):
            # Seeds 1..N like the bench's own runs (the noise depends on the seed too).
            result[problem][sampler_name] = [run(args.bench, problem, doc, sampler_name, s, args.budget)
                                             for s in range(1, args.seeds + 1)]
    with open(args.out, "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    sys.exit(main())
