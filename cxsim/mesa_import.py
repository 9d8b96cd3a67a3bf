"""Mesa, imported without reading the source of every frame on the stack.

While `mesa.model` is imported, Mesa's logging helpers ask `inspect` for two names: the module
that makes a logger (`create_module_logger`: `inspect.stack()` then `inspect.getmodule` of its
frame) and the class a method is logged for (`method_logger`: `inspect.getouterframes`). Each
call looks up the source file and module of every frame on the stack, and for a frame of the
import machinery that means a scan of every loaded module: a quarter of each process's import of
the model (1.50 -> 1.13 CPU-s, `perf stat`), more under Hydra's deep stack. The names are in the
frames themselves. Here Mesa is imported with those two functions reading them from the frames
(`_names_only`, `_module_of`), and `inspect` is put back as it was; the modules that use Mesa take
it from here.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import sys
import threading

_lock = threading.Lock()


def _names_only(frame, context=1) -> list[inspect.FrameInfo]:
    """`inspect.getouterframes` without the source: each frame's name, file and line, no code context."""
    frames = []
    while frame is not None:
        code = frame.f_code
        frames.append(inspect.FrameInfo(frame, code.co_filename, frame.f_lineno, code.co_name, None, None))
        frame = frame.f_back
    return frames


def _module_of(getmodule, target, _filename=None):
    """`inspect.getmodule`, for a frame the module it runs in, by name (no scan of every module)."""
    if inspect.isframe(target):
        return sys.modules.get(target.f_globals.get("__name__"))
    return getmodule(target, _filename)


def imported(name: str = "mesa"):
    """The Mesa module `name`, imported (if no one has yet) without the decorators' source reading."""
    if name in sys.modules:
        return sys.modules[name]
    with _lock:
        originals = inspect.getouterframes, inspect.getmodule
        inspect.getouterframes = _names_only
        inspect.getmodule = functools.partial(_module_of, originals[1])
        try:
            return importlib.import_module(name)
        finally:
            inspect.getouterframes, inspect.getmodule = originals


mesa = imported()
