"""The config layer: what a run's configuration is, and how it is made.

* `schema`: the config's shape (structured dataclasses registered with Hydra);
* `composition`: compose `cxsim/conf/config.yaml` with overrides, from anywhere;
* `cache`: composed configs kept on disk between processes (Hydra composes each once);
* `files`: your own org, regime and mechanisms files, by path where a preset's name goes (and the
  line-aware reading of every user's YAML file);
* `validation`: the checks a type system cannot express (ranges, references);
* `resolvers`: the OmegaConf resolvers the config files use (a run's seed);
* `names`: users' names made safe for file names;
* `errors`: the one-line errors a user can cause;
* `serial`: copies and files of a config, faster than OmegaConf's own and equal to them.

Imports nothing else of cxsim: everything above may read configs through it.
"""
