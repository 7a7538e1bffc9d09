"""Answers to quick questions, from the rulebook and, when the unit has answers, its figures."""

from __future__ import annotations

from dataclasses import replace

from conversations import catalogue as say
from conversations import roster_gaps
from conversations.buttons import REPORT, SUBMIT
from conversations.context import Context, default_rulebook, unit_type_name
from conversations.intents import Intent
from conversations.messages import Button, Outbound
from conversations.questions import UNIT_CHOICES
from conversations.submission import readiness
from dvht_core import calendar, workflow
from dvht_core.evaluate import LEVEL_NAMES, Evaluation, evaluate
from dvht_core.forecast import forecast
from dvht_core.gaps import (
    gaps_by_indicator,
    gaps_to_reach,
    missing_evidence,
    requirements,
    targets_above,
)
from dvht_core.loader import load_unit_types
from dvht_core.model import Level, Rulebook
from dvht_core.offices import reform_date


def answer(ctx: Context, intent: Intent) -> list[Outbound]:
    kind = intent.kind
    if kind == "help":
        return [Outbound(say.HELP, kind="answer")]
    if kind == "deadline":
        return [Outbound(_deadline(ctx), kind="answer")]
    if kind == "days_left":
        return [Outbound(say.days_left_answer(ctx.calendar, ctx.today), kind="answer")]
    if kind == "office":
        if ctx.unit is None:  # no unit yet: both tiers
            both = [replace(ctx.calendar, tier=tier) for tier in ("huyen", "tinh")]
            return [Outbound(say.office_answer_by_tier(both), kind="answer")]
        return [Outbound(say.office_answer(ctx.calendar), kind="answer")]
    if kind == "criterion_info":
        return [Outbound(_criterion(ctx, intent.criterion), kind="answer")]
    if kind == "indicator_info":
        return [Outbound(_indicator(ctx, intent.indicator), kind="answer")]
    if kind == "need_level":
        return [Outbound(_need(ctx, 1 if intent.level == 1 else 2), kind="answer")]
    if ctx.unit is None:
        return [Outbound(say.NO_UNIT_YET, kind="hint")]
    if kind == "missing_evidence":
        return [Outbound(_missing(ctx), kind="answer")]
    if kind == "progress":
        return [Outbound(_progress(ctx), kind="answer")]
    if kind == "report":
        return [Outbound(say.REPORT_CAPTION, kind="report")]  # the service attaches the PDF
    if kind == "dossier":  # the service builds the ZIP after the transaction
        return [Outbound(say.DOSSIER_PREPARING, kind="dossier")]
    return result(ctx)


def result(ctx: Context, finished: str | None = None) -> list[Outbound]:
    """The unit's level now, each criterion, what is unmet and the way to the next level."""
    evaluation = _evaluate(ctx)
    if evaluation is None:
        text = say.NO_UNIT_YET if ctx.unit is None else say.NO_ANSWERS_YET
        return [Outbound(text, kind="hint")]
    rulebook = _rulebook(ctx)
    assessment = ctx.as_assessment()
    assert assessment is not None
    lines = [
        say.result_heading(evaluation.level, LEVEL_NAMES[evaluation.level], evaluation.reason)
    ]
    for criterion in rulebook.criteria:
        lines.append(
            say.criterion_line(
                criterion.id, criterion.title, evaluation.criteria[criterion.id].level
            )
        )
    unmet = [r for r in evaluation.indicators.values() if r.level == 0]
    if unmet:
        lines.append(say.UNMET_HEADING)
        lines += [say.unmet_line(r.indicator_id, r.reason) for r in unmet]
    missing = missing_evidence(rulebook, assessment)
    if missing:
        lines.append(say.missing_line([m.indicator_id for m in missing]))
    # The nearest level only, each indicator once: a unit below level 1 reads what level 1
    # needs first (as in the report), and asks for level 2's list when it wants it.
    for target in targets_above(evaluation.level)[:1]:
        found = gaps_by_indicator(rulebook, assessment, evaluation, target)
        if found:
            lines.append(say.gap_heading(target))
            lines += [f"• {g.text}" for g in found[:12]]
            if len(found) > 12:
                lines.append(say.more_items(len(found) - 12, target))
            lines += roster_gaps.named(ctx, rulebook, assessment, target)  # admins only
            if target == 1:
                lines.append(say.LEVEL_2_AFTERWARDS)
    lines += [say.warning_line(w) for w in evaluation.warnings]
    return [Outbound("\n".join(lines), _result_buttons(ctx), kind="result")]


def _result_buttons(ctx: Context) -> tuple[Button, ...]:
    """“Báo cáo”, and “Nộp hồ sơ” for a unit admin whose dossier can be submitted now
    (issue 15; anyone may type /nop, and is told why not)."""
    record, unit = ctx.assessment, ctx.unit
    if record is None or unit is None or not workflow.is_editable(record.status):
        return (REPORT,)
    admin = any(m.unit_id == unit.id and m.role == "unit_admin" for m in ctx.memberships)
    if admin and readiness(record).submittable:
        return (REPORT, SUBMIT)
    return (REPORT,)


def _evaluate(ctx: Context) -> Evaluation | None:
    assessment = ctx.as_assessment()
    if assessment is None:
        return None
    return evaluate(_rulebook(ctx), assessment)


def _rulebook(ctx: Context) -> Rulebook:
    return ctx.rulebook or default_rulebook()


def _deadline(ctx: Context) -> str:
    """The unit's deadline and office from its calendar; the dates that concern only some unit
    types (a school's QĐ 4725 self-assessment) from the rulebook of its tier, to those types
    only (all of them before a unit exists)."""
    rulebook, unit_type = _rulebook(ctx), _unit_type_or_none(ctx)
    unit_calendar = ctx.calendar
    year = unit_calendar.year
    tier = unit_calendar.tier
    completion = next(
        (
            e.day
            for e in calendar.year_entries(year, tier=tier, unit_type=unit_type)
            if e.key == "completion"
        ),
        None,
    )
    extra = [
        say.provincial_date(e.text, e.day, e.province)
        for e in calendar.year_entries(
            year, tier=tier, unit_type=unit_type, province=unit_calendar.province
        )
        if e.province is not None
    ]
    extra += [e.text for e in rulebook.calendar if unit_type is None or e.applies(unit_type)]
    return say.calendar_deadline(
        unit_calendar,
        ctx.today,
        source=rulebook.submission.source,
        completion=completion,
        reformed=tier == "huyen" and unit_calendar.deadline >= reform_date(),
        extra=extra,
        upgrade_months=rulebook.upgrade_wait_months,
    )


def _unit_type_or_none(ctx: Context) -> str | None:
    return ctx.unit.unit_type if ctx.unit else None


def _unit_type(ctx: Context) -> str:
    return ctx.unit.unit_type if ctx.unit else "ubnd_xa"


def _need(ctx: Context, level: Level) -> str:
    rulebook, unit_type = _rulebook(ctx), _unit_type(ctx)
    assessment = ctx.as_assessment()
    if assessment is not None and assessment.answers:
        evaluation = evaluate(rulebook, assessment)
        # Level 2 asked by a unit below level 1: level 1's shortfalls first, then what level 2
        # adds (as the report lists them).
        sections = [
            "\n".join(
                [
                    say.need_with_figures(
                        section.target, [g.text for g in section.indicators], section.repeated
                    ),
                    *roster_gaps.named(ctx, rulebook, assessment, section.target),
                ]
            )
            for section in gaps_to_reach(rulebook, assessment, evaluation, level)
        ]
        return "\n\n".join(sections) if sections else say.level_reached(level)
    grouped = requirements(rulebook, unit_type, level)
    items = [(r.indicator_id, r.short, r.bar) for _, reqs in grouped for r in reqs]
    example = ctx.unit is None
    return say.need_from_rulebook(level, _type_name(rulebook, unit_type), items, example=example)


def _type_name(rulebook: Rulebook, unit_type: str) -> str:
    """The unit type's name; for a type assessed at both tiers, as the onboarding named it for
    this tier (“Trường tiểu học, THCS” for a district-tier school), not the catalogue's name for
    every tier (which adds THPT)."""
    found = load_unit_types().get(unit_type)
    if found is not None and len(found.tiers) == 1:
        return found.plain
    for _, label, tier, code in UNIT_CHOICES:
        if tier == rulebook.tier and code == unit_type:
            return label
    return unit_type_name(unit_type)


def _criterion(ctx: Context, criterion_id: str | None) -> str:
    rulebook, unit_type = _rulebook(ctx), _unit_type(ctx)
    for criterion, applicable in rulebook.plan(unit_type).criteria:
        if criterion.id == criterion_id:
            return say.criterion_info(
                criterion.id, criterion.title, [(i.id, i.short) for i in applicable]
            )
    return say.no_such_criterion(criterion_id)


def _indicator(ctx: Context, indicator_id: str | None) -> str:
    rulebook, unit_type = _rulebook(ctx), _unit_type(ctx)
    indicator = rulebook.indicator(indicator_id) if indicator_id else None
    if indicator is None:
        return _no_such_indicator(rulebook, unit_type, indicator_id or "")
    current = None
    if ctx.assessment is not None and indicator.id in ctx.assessment.answers:
        evaluation = _evaluate(ctx)
        if evaluation is not None:
            current = evaluation.indicators[indicator.id].reason
    bars = (say.bar_text(indicator, 1, unit_type), say.bar_text(indicator, 2, unit_type))
    return say.indicator_info(
        indicator, unit_type, indicator.applies(unit_type), bars, current, indicator.source
    )


def _no_such_indicator(rulebook: Rulebook, unit_type: str, indicator_id: str) -> str:
    """Lists the indicators that do exist for this unit, criterion by criterion.

    The intent keeps only ids that exist (`Intent.indicator` is None for “chỉ tiêu 3.7”), so
    the answer cannot guess the criterion meant: it names all of them, each once.
    """
    groups = [(c.id, [i.id for i in inds]) for c, inds in rulebook.plan(unit_type).criteria]
    return say.quick_no_such_indicator(indicator_id, groups)


def _missing(ctx: Context) -> str:
    assessment = ctx.as_assessment()
    if assessment is None:  # a unit created on the command line, not yet assessed
        return say.NO_ANSWERS_YET
    missing = missing_evidence(_rulebook(ctx), assessment)
    if not missing:
        return say.NO_MISSING_EVIDENCE
    return say.missing_evidence_list(
        [(m.indicator_id, m.answered, m.suggestions[0]) for m in missing]
    )


def _progress(ctx: Context) -> str:
    walk = ctx.walk()
    answered = [i.id for i in walk if ctx.answered(i.id)]
    remaining = [i.id for i in walk if not ctx.answered(i.id)]
    missing = 0
    assessment = ctx.as_assessment()
    if assessment is not None:
        missing = len([m for m in missing_evidence(_rulebook(ctx), assessment) if m.answered])
    text = say.progress(len(answered), len(walk), remaining, missing)
    predicted = _forecast(ctx, remaining) if remaining else None
    return text if predicted is None else f"{text}\n{predicted}"


def _forecast(ctx: Context, remaining: list[str]) -> str:
    """The finish-date forecast (`dvht_core.forecast`) against the unit's effective deadline
    (an office's earlier date counts): late, on time, or too little history, each said (a push
    says only the first and last)."""
    history = (
        ctx.assessment.first_answered_days({i.id for i in ctx.walk()}) if ctx.assessment else ()
    )
    deadline = ctx.calendar.deadline
    result = forecast(history, remaining=len(remaining), today=ctx.today, deadline=deadline)
    if result.finish is not None and result.kind == "late":
        return say.forecast_late(result.finish, result.days_late)
    if result.finish is not None and result.kind == "on_time":
        return say.forecast_on_time(result.finish, result.days_early)
    return say.FORECAST_UNKNOWN
