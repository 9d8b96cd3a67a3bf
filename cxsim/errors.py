"""One error type for everything a user can get wrong."""


class ConfigError(ValueError):
    """A bad value or reference in a config; the message is one line naming the key."""
