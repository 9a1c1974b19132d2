"""Errors the command reports as exit 2 with one line."""


class ConfigError(ValueError):
    """A pipeline file or command-line value is wrong; the message names the key path."""

    def __init__(self, key_path: str, message: str) -> None:
        self.key_path = key_path
        super().__init__(f"{key_path}: {message}" if key_path else message)
