"""Channel adapters and the composition root, including the `dvht` command line."""
