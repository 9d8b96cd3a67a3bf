"""Running the model: one run, many runs, and where their results go.

* `api`: `simulate` and `Result` for scripts and notebooks;
* `cli`: the `cxsim` and `cxsim-sweep` commands (Hydra entry points);
* `evaluator`: many runs at once, serially, on a process pool or as a resumable Hydra multirun into a
  store, for every tool that needs them;
* `sweep`: a multirun's jobs, resume, progress, launching a sweep from code;
* `store`: a sweep's results on disk, one folder per finished run;
* `resume`: a sweep job's key before composing, so a rerun skips finished runs fast.

The Hydra plugins (the sweeper and the joblib launcher's glue, which Hydra
finds under the top-level `hydra_plugins` namespace) belong to this layer.
Imports `cxsim.config`, `cxsim.mechanisms` and `cxsim.model` only.
"""
