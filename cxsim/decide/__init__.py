"""Deciding who should own CX: regimes compared, for the default orgs or a company's own.

* `compare`: `cxsim-compare`, every regime on common seeds, a table ranked by value (or profit);
* `crossover`: the assumption the leader's lead hinges on, one at a time, and where it swaps;
* `stress`: each regime constant moved by a share, and which moves change the rank groups;
* `joint`: every assumption at once (`--joint`): how often each regime is best, and where it flips;
* `explain`: why A beats B (`--explain`): the P&L bridge and the mechanisms' Shapley shares;
* `company`: a company's file (its org, candidate regimes, uncertain assumptions, targets);
* `reorg`: `cxsim-reorg`, a company's options under uncertainty and the transition's cost;
* `decision_report`: the report a company takes into the decision;
* `sweep_report`: `cxsim-report --crossover` on a stored sweep.

Many runs go through `cxsim.runs.evaluator`. Imports `cxsim.analysis` and the layers below it only.
"""
