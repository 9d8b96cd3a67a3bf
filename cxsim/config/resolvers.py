"""The OmegaConf resolvers that `cxsim/conf/config.yaml` uses.

* `cxsim_seed`: a run's seed from the sweep's master seed and its replicate
  (not its regime), so every regime meets the same customers for a replicate
  (common random numbers) and a rerun is identical;
* `cxsim_file_name`: names from users' files made safe for folder names;
* `cxsim_job_subdir`: where Hydra keeps its copy of a run's config.

They belong to the config layer: composing a config must not need the code
that runs sweeps.
"""

from __future__ import annotations

import numpy as np
from omegaconf import OmegaConf

from cxsim.config.names import file_name


def derived_seed(master_seed: int, replicate: int) -> int:
    """A run's seed from the sweep's master seed and its replicate (not its regime)."""
    return int(np.random.SeedSequence([int(master_seed), int(replicate)]).generate_state(1)[0] >> 1)


def job_subdir(mode) -> str | None:
    """Hydra's copy of the config: `.hydra/` beside a single run's outputs; none for each job of a
    multirun, whose run folder in the store holds its config (three YAML files fewer per job)."""
    return None if "MULTIRUN" in str(mode) else ".hydra"


RESOLVERS = {"cxsim_seed": derived_seed, "cxsim_file_name": file_name, "cxsim_job_subdir": job_subdir}


def register() -> None:
    """Register the resolvers once per process (OmegaConf's registry is global)."""
    for name, function in RESOLVERS.items():
        if not OmegaConf.has_resolver(name):
            OmegaConf.register_new_resolver(name, function)
