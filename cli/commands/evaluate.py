"""`dvht evaluate` (a self-assessment file's verdict) and `dvht rules` (what a level needs).

Neither touches the database: they must start fast, so the core loads inside the handlers.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from cli import text
from cli.common import CliError, input_errors
from cli.documents import parse_tt24, read_document

if TYPE_CHECKING:
    from cli.common import Commands


def add_commands(commands: Commands) -> None:
    evaluate = commands.add_parser("evaluate", help=text.HELP_EVALUATE)
    evaluate.add_argument("file", metavar="TỆP", help=text.HELP_FILE)
    evaluate.add_argument("--json", action="store_true", help=text.HELP_JSON)
    evaluate.set_defaults(handler=_cmd_evaluate)

    rules = commands.add_parser("rules", help=text.HELP_RULES)
    rules.add_argument("--tier", choices=["huyen", "tinh"], help=text.HELP_TIER)
    rules.add_argument("--unit-type", dest="unit_type", help=text.HELP_UNIT_TYPE)
    rules.add_argument("--level", type=int, choices=[1, 2], default=2, help=text.HELP_LEVEL)
    rules.set_defaults(handler=_cmd_rules)


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from dvht_core.evaluate import evaluate
    from dvht_core.loader import TT22_ID, TT24_BY_TIER, load_rulebook, load_unit_types
    from dvht_core.report import evaluation_document

    data = read_document(args.file)
    ruleset = data.get("ruleset") if isinstance(data, dict) else None
    if ruleset == TT22_ID:
        return _evaluate_tt22(data, as_json=args.json)
    if ruleset is not None and ruleset not in ("tt24", *TT24_BY_TIER.values()):
        raise CliError(text.unknown_ruleset(ruleset))
    assessment = parse_tt24(data)
    rulebook = load_rulebook(TT24_BY_TIER[assessment.tier])
    if ruleset not in (None, "tt24", rulebook.id):
        raise CliError(text.ruleset_tier_mismatch(ruleset, assessment.tier))
    document = evaluation_document(rulebook, assessment, evaluate(rulebook, assessment))
    if args.json:
        _write_json(document)
    else:
        unit = load_unit_types().get(assessment.unit_type)
        sys.stdout.write(text.evaluation_table(document, rulebook, unit))
    for warning in document["warnings"]:
        sys.stderr.write(text.warning_line(warning))
    return 0


def _evaluate_tt22(data: dict[str, Any], *, as_json: bool) -> int:
    """Score a file against the older TT22 100-point rubric (history and migration)."""
    from dvht_core.loader import load_tt22_file
    from dvht_core.tt22 import parse_tt22_answers, score_tt22, tt22_document

    rulebook = load_tt22_file()
    with input_errors():
        answers, members = parse_tt22_answers(data)
        result = score_tt22(rulebook, answers, members=members)
    document = tt22_document(rulebook, result)
    if as_json:
        _write_json(document)
    else:
        sys.stdout.write(text.tt22_table(document, rulebook))
    for warning in result.warnings:
        sys.stderr.write(text.warning_line(warning))
    return 0


def _write_json(document: dict[str, Any]) -> None:
    import json

    sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")


def _cmd_rules(args: argparse.Namespace) -> int:
    from dvht_core.gaps import requirements
    from dvht_core.loader import load_unit_types, rulebook_for_tier

    catalogue = load_unit_types()
    unit_type_id = args.unit_type or "ubnd_xa"
    unit = catalogue.get(unit_type_id)
    if unit is None:
        raise CliError(text.unknown_unit_type(unit_type_id, catalogue))
    tier = args.tier or (unit.tiers[0] if len(unit.tiers) == 1 else "huyen")
    if tier not in unit.tiers:
        raise CliError(text.unit_type_not_in_tier(unit, tier))
    rulebook = rulebook_for_tier(tier)
    grouped = requirements(rulebook, unit.id, args.level)
    sys.stdout.write(text.requirements_text(rulebook, unit, args.level, grouped))
    return 0
