"""TT24 rules as data and the pure evaluation engine.

This package does no I/O beyond reading its own rulebook files and imports no framework:
import-linter enforces that (see pyproject.toml).
"""
