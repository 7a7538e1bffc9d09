"""One module per group of `dvht` commands; each adds its parsers with `add_commands`."""
