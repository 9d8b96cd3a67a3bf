"""cxsim's fast sweep: Hydra's sweeper and joblib launcher doing the same work in less time.

Hydra finds the sweeper here (`hydra/sweeper=cxsim`, cxsim's default), under the top-level
`hydra_plugins` namespace it scans. The modules:

* `cxsim_sweeper`: Hydra's basic sweeper, validating a sample of the jobs instead of all;
* `_compose`: a sweep's configs composed once per shape, what differs applied as Hydra applies it;
* `_joblib`: the joblib launcher's workers started early, each job's shared state sent once per worker;
* `_job`: Hydra's `run_job`, step by step, without what a sweep's runs do not need;
* `_hydra_private`: every private part of Hydra the others use, checked on import.

It belongs to the runs layer (`cxsim.runs`): it imports the config and the store, nothing above.
"""
