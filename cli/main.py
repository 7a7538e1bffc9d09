"""The `dvht` command line: the parser and `main()`.

Every error is one Vietnamese line on stderr and exit status 2, never a traceback: what a command
does not name itself (a bug, an error nobody foresaw) is caught last in `main` and printed as
one line with its type and message. Importing
this module and the command modules costs argparse and the strings only: each handler imports
what it uses when it runs, so `dvht evaluate` starts fast (no aiogram, SQLAlchemy or typst).
Dependencies point one way: this module → `cli.commands.*` → `cli.common`, `cli.text`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from typing import Any, NoReturn

from cli import text
from cli.commands import (
    broadcast,
    chat,
    database,
    deadline,
    dispatch,
    dossier,
    evaluate,
    exchange,
    office,
    report,
    review,
    roster,
    units,
    web,
)
from cli.common import CliError

EXIT_USAGE = 2
SUMMARY_LIMIT = 300
COMMAND_GROUPS = (
    evaluate,
    database,
    units,
    exchange,
    chat,
    report,
    roster,
    dossier,
    deadline,
    dispatch,
    broadcast,
    office,
    review,
    web,
)
"""In the order `dvht --help` lists their commands."""


class _Formatter(argparse.HelpFormatter):
    """argparse's help layout with the Vietnamese usage prefix (its own is “usage: ”)."""

    def add_usage(
        self,
        usage: str | None,
        actions: Iterable[argparse.Action],
        groups: Iterable[argparse._MutuallyExclusiveGroup],
        prefix: str | None = None,
    ) -> None:
        super().add_usage(usage, actions, groups, text.USAGE_PREFIX if prefix is None else prefix)


class _Parser(argparse.ArgumentParser):
    """argparse in Vietnamese: the help's headings and -h line, and usage errors as one
    Vietnamese line with status 2 (argparse's English messages translated by
    `text.argparse_message`). Every subcommand's parser is one of these (`parser_class`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        add_help = kwargs.pop("add_help", True)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = text.HELP_POSITIONALS
        self._optionals.title = text.HELP_OPTIONS
        if add_help:
            self.add_argument(
                "-h", "--help", action="help", default=argparse.SUPPRESS, help=text.HELP_HELP
            )

    def add_argument(self, *args: Any, **kwargs: Any) -> argparse.Action:
        """An option's value is named in Vietnamese in the help (`text.METAVARS`, by its
        destination), not argparse's upper-cased English (“--unit UNIT”)."""
        action = super().add_argument(*args, **kwargs)
        named = action.metavar is not None or action.choices is not None
        if action.option_strings and action.nargs != 0 and not named:
            action.metavar = text.METAVARS.get(action.dest)
        return action

    def error(self, message: str) -> NoReturn:
        raise CliError(text.usage_error(self.prog, text.argparse_message(message)))


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="dvht", description=text.DESCRIPTION)
    commands = parser.add_subparsers(dest="command", metavar="LỆNH", parser_class=_Parser)
    commands.required = True
    for group in COMMAND_GROUPS:
        group.add_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `dvht` script; returns the exit status."""
    try:
        args = build_parser().parse_args(argv)
        status: int = args.handler(args)
        return status
    except CliError as exc:
        sys.stderr.write(f"dvht: {exc}\n")
        return EXIT_USAGE
    except BrokenPipeError:  # `dvht rules | head`: the reader left; not an error
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        sys.stderr.write(f"dvht: {text.INTERRUPTED}\n")
        return 130
    except Exception as exc:  # the last resort: one line, never a traceback or a secret
        sys.stderr.write(f"dvht: {text.unexpected_error(_summary(exc), _crash_report(exc))}\n")
        return EXIT_USAGE


def _crash_report(exc: Exception) -> str | None:
    """The redacted traceback, for whoever fixes the bug, in a file only its owner can read
    (the terminal gets one line); None when it cannot be written."""
    import os
    import tempfile
    import time
    import traceback

    from bot.redaction import redact

    details = redact("".join(traceback.format_exception(exc)))
    name = f"dvht-loi-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.txt"
    path = os.path.join(tempfile.gettempdir(), name)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8", errors="replace") as report:
            report.write(details)
    except OSError:
        return None
    return path


def _summary(exc: Exception) -> str:
    """The exception's type and message on one line, without any secret `dvht serve`
    installed (`bot.redaction`, imported only here: it costs nothing to a command that
    succeeds)."""
    from bot.redaction import redact

    line = " ".join(redact(f"{type(exc).__name__}: {exc}").split())
    return line if len(line) <= SUMMARY_LIMIT else line[: SUMMARY_LIMIT - 1] + "…"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
