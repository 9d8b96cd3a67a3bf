"""The errors a user can cause: one line each, never a traceback."""

from hydra.errors import CompactHydraException


class ConfigError(ValueError):
    """A bad value or reference in a config; the message is one line naming the key."""


class OutputError(ConfigError, CompactHydraException):
    """Results cannot be written (a full disk, a folder gone or read-only): one line naming the folder.

    A CompactHydraException, so Hydra shows its message alone if it reaches Hydra.
    """


def message(exc: Exception) -> str:
    """The one line a command prints for a user's mistake: a ConfigError, or a file it cannot read or write."""
    if isinstance(exc, OSError) and not isinstance(exc, ConfigError):
        return f"{exc.filename or ''}: {exc.strerror}"
    return str(exc)
