"""Fitting a company's organisation to what it has measured.

* `observed`: the observed-data file (contacts, transfers, churn, satisfaction, ...);
* `inference`: sequential approximate Bayesian computation;
* `calibrate`: `cxsim-calibrate`, the pipeline: design, fit, check, report;
* `facts`: `cxsim-facts`, the stylized facts against the default orgs (and the file the defaults are fitted to).

Builds on `cxsim.decide` (company files, sweeps of a company's org) and the
layers below it; nothing imports calibration.
"""
