"""Deciding who should own CX: regimes compared, for the default orgs or a company's own.

* `compare`: `cxsim-compare`, every regime on common seeds, a table ranked by profit;
* `company`: a company's file (its org, candidate regimes, uncertain assumptions);
* `reorg`: `cxsim-reorg`, a company's options under uncertainty and the transition's cost;
* `decision_report`: the report a company takes into the decision.

Imports `cxsim.analysis` and the layers below it only.
"""
