"""Composed configs kept between processes.

Hydra takes 0.15-0.3 s to compose a config, and every process composes again the few configs it
uses: each command, each worker of a pool, each test's interpreter. The same composition, pickled,
is kept on disk here, so only the first process to need it pays; a copy from disk takes a few
milliseconds.

What a composition depends on is in its key: the overrides (your own files' options are named by
their content, `cxsim.config.files`), the config files and the config layer's code (path and
modification time of each), and the versions of Python, Hydra and OmegaConf. A changed file is a
new key, never a stale config. Only valid configs are kept: a composition that fails is not stored.

The folder is `$CXSIM_CACHE_DIR`, else `$XDG_CACHE_HOME/cxsim/composed` (`~/.cache/cxsim/composed`);
`CXSIM_CACHE_DIR=off` turns the disk cache off. A file that cannot be read or written is skipped:
a cache never stops a run. The folder keeps at most `MOST_FILES` configs, the newest.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from pathlib import Path

import hydra
import omegaconf

MOST_FILES = 2_000  # about 50 kB each: 100 MB at most
LAYER = Path(__file__).resolve().parent  # the config layer's code: a change to it composes again


def folder() -> Path | None:
    """Where the composed configs are kept; None when the disk cache is off."""
    chosen = os.environ.get("CXSIM_CACHE_DIR")
    if chosen == "off":
        return None
    if chosen:
        return Path(chosen)
    home = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(home) / "cxsim" / "composed"


def key(overrides: tuple[str, ...], fingerprint: tuple) -> str:
    """The composition's name: everything it depends on, hashed."""
    code = tuple((p.name, p.stat().st_mtime_ns) for p in sorted(LAYER.glob("*.py")))
    versions = (sys.version_info[:2], hydra.__version__, omegaconf.__version__)
    return hashlib.sha256(repr((overrides, fingerprint, str(LAYER), code, versions)).encode()).hexdigest()


def read(name: str) -> bytes | None:
    """The kept composition (a pickle), or None: not kept, or the file is damaged."""
    where = folder()
    if where is None:
        return None
    try:
        data = (where / name).read_bytes()
    except OSError:
        return None
    digest, payload = data[:32], data[32:]
    return payload if hashlib.sha256(payload).digest() == digest else None


def write(name: str, payload: bytes) -> None:
    """Keep a composition: written whole under a temporary name, then renamed (another process
    reads it whole or not at all)."""
    where = folder()
    if where is None:
        return
    try:
        where.mkdir(parents=True, exist_ok=True, mode=0o700)
        with tempfile.NamedTemporaryFile(dir=where, delete=False, suffix=".tmp") as f:
            f.write(hashlib.sha256(payload).digest() + payload)
        os.replace(f.name, where / name)
        prune(where)
    except OSError:
        return


def prune(where: Path) -> None:
    """The newest MOST_FILES configs stay; the rest go (checked on each write: writes are rare)."""
    kept = list(where.iterdir())
    if len(kept) <= MOST_FILES:
        return
    kept.sort(key=lambda p: p.stat().st_mtime_ns)
    for p in kept[:len(kept) - MOST_FILES // 2]:
        p.unlink(missing_ok=True)
