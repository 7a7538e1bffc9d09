"""The `dvht` command line.

Every error is one Vietnamese line on stderr and exit status 2, never a traceback. Commands
import only what they use, so `dvht evaluate` starts fast (no aiogram, SQLAlchemy or typst).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from bot import cli_chat, cli_db, cli_report, cli_text
from bot.cli_errors import CliError

EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one Vietnamese line with status 2."""

    def error(self, message: str) -> NoReturn:
        raise CliError(cli_text.usage_error(self.prog, message))


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="dvht", description=cli_text.DESCRIPTION)
    commands = parser.add_subparsers(dest="command", metavar="LỆNH", parser_class=_Parser)
    commands.required = True

    evaluate = commands.add_parser("evaluate", help=cli_text.HELP_EVALUATE)
    evaluate.add_argument("file", metavar="TỆP", help=cli_text.HELP_FILE)
    evaluate.add_argument("--json", action="store_true", help=cli_text.HELP_JSON)
    evaluate.set_defaults(handler=_cmd_evaluate)

    rules = commands.add_parser("rules", help=cli_text.HELP_RULES)
    rules.add_argument("--tier", choices=["huyen", "tinh"], help=cli_text.HELP_TIER)
    rules.add_argument("--unit-type", dest="unit_type", help=cli_text.HELP_UNIT_TYPE)
    rules.add_argument("--level", type=int, choices=[1, 2], default=2, help=cli_text.HELP_LEVEL)
    rules.set_defaults(handler=_cmd_rules)
    cli_db.add_commands(commands)
    cli_chat.add_commands(commands)
    cli_report.add_commands(commands)
    return parser


def read_document(path_text: str) -> Any:
    """Parse an evaluate file (YAML, or JSON by extension) into Python data."""
    path = Path(path_text)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CliError(cli_text.file_missing(path_text)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(cli_text.file_unreadable(path_text, exc)) from None
    if path.suffix.lower() == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise CliError(cli_text.bad_json(path_text, exc.lineno, exc.colno)) from None
    from dvht_core.loader import yaml_load_text

    try:
        return yaml_load_text(text)
    except ValueError as exc:
        raise CliError(cli_text.bad_yaml(path_text, str(exc))) from None


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from dvht_core.assessment import parse_assessment
    from dvht_core.errors import InputError
    from dvht_core.evaluate import evaluate
    from dvht_core.loader import TT22_ID, TT24_BY_TIER, load_rulebook, load_unit_types
    from dvht_core.report import evaluation_document

    data = read_document(args.file)
    ruleset = data.get("ruleset") if isinstance(data, dict) else None
    if ruleset == TT22_ID:
        return _evaluate_tt22(data, as_json=args.json)
    if ruleset is not None and ruleset not in ("tt24", *TT24_BY_TIER.values()):
        raise CliError(cli_text.unknown_ruleset(ruleset))
    rulebooks = {tier: load_rulebook(rid) for tier, rid in TT24_BY_TIER.items()}
    try:
        assessment = parse_assessment(data, rulebooks, load_unit_types())
    except InputError as exc:
        raise CliError(cli_text.input_error(exc.field, exc.message)) from None
    rulebook = rulebooks[assessment.tier]
    if ruleset not in (None, "tt24", rulebook.id):
        raise CliError(cli_text.ruleset_tier_mismatch(ruleset, assessment.tier))
    document = evaluation_document(rulebook, assessment, evaluate(rulebook, assessment))
    if args.json:
        sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    else:
        unit = load_unit_types().get(assessment.unit_type)
        sys.stdout.write(cli_text.evaluation_table(document, rulebook, unit))
    for warning in document["warnings"]:
        sys.stderr.write(cli_text.warning_line(warning))
    return 0


def _evaluate_tt22(data: dict[str, Any], *, as_json: bool) -> int:
    """Score a file against the older TT22 100-point rubric (history and migration)."""
    from dvht_core.errors import InputError
    from dvht_core.loader import load_tt22_file
    from dvht_core.tt22 import parse_tt22_answers, score_tt22, tt22_document

    rulebook = load_tt22_file()
    try:
        answers, members = parse_tt22_answers(data)
        result = score_tt22(rulebook, answers, members=members)
    except InputError as exc:
        raise CliError(cli_text.input_error(exc.field, exc.message)) from None
    document = tt22_document(rulebook, result)
    if as_json:
        sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(cli_text.tt22_table(document, rulebook))
    for warning in result.warnings:
        sys.stderr.write(cli_text.warning_line(warning))
    return 0


def _cmd_rules(args: argparse.Namespace) -> int:
    from dvht_core.gaps import requirements
    from dvht_core.loader import load_unit_types, rulebook_for_tier

    catalogue = load_unit_types()
    unit_type_id = args.unit_type or "ubnd_xa"
    unit = catalogue.get(unit_type_id)
    if unit is None:
        raise CliError(cli_text.unknown_unit_type(unit_type_id, catalogue))
    tier = args.tier or (unit.tiers[0] if len(unit.tiers) == 1 else "huyen")
    if tier not in unit.tiers:
        raise CliError(cli_text.unit_type_not_in_tier(unit, tier))
    rulebook = rulebook_for_tier(tier)
    grouped = requirements(rulebook, unit.id, args.level)
    sys.stdout.write(cli_text.requirements_text(rulebook, unit, args.level, grouped))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `dvht` script; returns the exit status."""
    try:
        args = _build_parser().parse_args(argv)
        status: int = args.handler(args)
        return status
    except CliError as exc:
        sys.stderr.write(f"dvht: {exc}\n")
        return EXIT_USAGE
    except BrokenPipeError:  # `dvht rules | head`: the reader left; not an error
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        sys.stderr.write(f"dvht: {cli_text.INTERRUPTED}\n")
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
