"""The member roster in the chat (issue 16): /danhsach, a roster file sent in the chat, and what
the service says once it has staged or recorded one.

/danhsach sends the unit's template (the service attaches the XLSX to the reply of kind
`TEMPLATE_KIND` after the transaction, as it does the report) and waits at AWAIT_ROSTER for
the file. The file is read by `conversations.ports.RosterFiles` before the transaction (CPU
work, like the evidence store's put); here it is only judged:

- at AWAIT_ROSTER any file is taken for the roster: a refusal is its one sentence and the same
  question again;
- at any other step but the evidence question, an XLSX that the reader accepted as a roster is
  taken for one (an official who sends the filled list without /danhsach means it);
- at the evidence question a spreadsheet is what the question asked for, evidence of that
  indicator: it is never taken for the roster there (the service does not even read it).

The roster is staged (`StageRoster`, nothing recorded), the counts shown with “Ghi các số
này?”; “Có” records them (`ConfirmRoster`). Whoever may answer the unit's indicators may import
(storage checks it as for any answer); a submitted dossier refuses with the usual sentence.
Names appear only to the unit's admins: problems that quote a member's name have it hidden for
anyone else.
"""

from __future__ import annotations

import unicodedata
from dataclasses import replace

from unidecode import unidecode

from conversations import catalogue as say
from conversations import roster_gaps, steps
from conversations import state as st
from conversations.context import Context
from conversations.effects import StageRoster, Transition
from conversations.messages import Inbound, Outbound
from conversations.outcome import Outcome, again
from conversations.state import EMPTY_DRAFT, RosterFigures, State
from dvht_core.evaluate import LEVEL_NAMES, evaluate
from dvht_core.gaps import targets_above
from dvht_core.roster import Roster

TEMPLATE_KIND = "roster_template"
"""The reply the service attaches the roster template to."""

_WORDS = frozenset(
    {
        "/danhsach",
        "/danh_sach",
        "/mau_danh_sach",
        "/roster",
        "danh sach",
        "danhsach",
        "mau danh sach",
        "danh sach thanh vien",
        "mau danh sach thanh vien",
        "gui mau danh sach",
        "nhap danh sach",
        "nhap danh sach thanh vien",
    }
)


def _plain(text: str) -> str:
    plain = unidecode(unicodedata.normalize("NFC", text)).lower().strip()
    plain = plain.split("@", 1)[0] if plain.startswith("/") else plain  # /danhsach@dvht_bot
    return " ".join(plain.replace(".", " ").replace("!", " ").replace("?", " ").split())


def asked(text: str, *, strict: bool = False) -> bool:
    """The whole message asks for the roster: “/danhsach”, “danh sách”, “mẫu danh sách”.
    `strict` (a step waiting for free text: an evidence title “Danh sách” is a title there):
    the command only."""
    if len(text) > 40 or (strict and not text.startswith("/")):
        return False
    return _plain(text) in _WORDS


def start(ctx: Context, state: State, *, takes_files: bool = True) -> Outcome:
    """The template with how to fill it, then “gửi tệp vào đây” at AWAIT_ROSTER. A channel
    that cannot send the bot a file (Zalo: images only) says where to send it instead, and the
    question that was waiting stays."""
    if ctx.unit is None:
        return Outcome(state, (Outbound(say.NO_UNIT_YET, kind="hint"),))
    template = Outbound(say.ROSTER_TEMPLATE_CAPTION, kind=TEMPLATE_KIND)
    if not takes_files:
        where = Outbound(say.ROSTER_ZALO_RETURN, kind="hint")
        return Outcome(state, (template, where), ask=not steps.of(state.step).rests)
    waiting = replace(state, draft=EMPTY_DRAFT, paused_step=None)
    return Outcome(waiting, (template,), go=("roster_asked",), ask=True)


def wanted(state: State, *, xlsx: bool) -> bool:
    """Whether the service should read an uploaded file as a roster (before the transaction):
    any file at AWAIT_ROSTER; an XLSX anywhere but the evidence question."""
    if state.step == st.AWAIT_ROSTER:
        return True
    return xlsx and state.step != st.EVIDENCE


def upload(ctx: Context, state: State, message: Inbound) -> Outcome | None:
    """A file taken for the roster, or None (evidence, or a file nothing wants)."""
    awaiting = state.step == st.AWAIT_ROSTER
    if not awaiting and message.roster is None:
        return None
    if ctx.unit is None or ctx.assessment is None:
        return Outcome(state, (Outbound(say.NO_UNIT_YET, kind="hint"),))
    roster = message.roster
    if message.roster_error is not None:
        return again(state, message.roster_error)
    if message.file_error is not None:  # the evidence store refused it: it cannot be kept
        return again(state, message.file_error)
    if roster is None:
        sent_file = message.file is not None and message.file.kind == "document"
        return again(state, say.ROSTER_NOT_READ if sent_file else say.ROSTER_SEND_FILE)
    if message.stored is None:
        return again(state, say.FILE_NOT_RECEIVED)
    figures = RosterFigures(
        members=roster.total_members,
        counts=tuple((i, roster.count(i)) for i in roster.indicator_ids),
        learners=roster.learners_total,
        citizens=roster.learners_citizens,
    )
    staging = replace(state, draft=replace(EMPTY_DRAFT, roster=figures), paused_step=None)
    return Outcome(staging, _problems(ctx, roster), (StageRoster(roster, message.stored),))


def _problems(ctx: Context, roster: Roster) -> tuple[Outbound, ...]:
    """What was not counted, row by row; a member's name hidden from a non-admin."""
    if not roster.problems:
        return ()
    texts = [p.text for p in roster.problems]
    if not ctx.is_admin:
        names = sorted({m.name for m in roster.members if m.name}, key=len, reverse=True)
        for name in names:
            texts = [t.replace(name, say.ROSTER_NAME_HIDDEN) for t in texts]
    return (Outbound(say.roster_problems(texts), kind="error"),)


# --- the service's calls after the roster's effects -------------------------------------------


def staged(ctx: Context, state: State, roster_id: int) -> Transition:
    """The roster is kept pending: the counts and “Ghi các số này?” at CONFIRM_ROSTER."""
    figures = state.draft.roster or RosterFigures()
    asking = replace(
        state, draft=replace(state.draft, roster=replace(figures, roster_id=roster_id))
    )
    return steps.finish(ctx, Outcome(asking, go=("roster_read",), ask=True))


def confirmed(ctx: Context, state: State, indicators: list[str], members: int) -> Transition:
    """Recorded: what was, then the new result in short (the level, what is still missing;
    the names for an admin)."""
    lines = [say.roster_recorded(members, indicators)]
    assessment, rulebook = ctx.as_assessment(), ctx.rulebook
    if assessment is not None and rulebook is not None:
        evaluation = evaluate(rulebook, assessment)
        lines.append(say.roster_level_now(LEVEL_NAMES[evaluation.level]))
        for target in targets_above(evaluation.level)[:1]:
            named = roster_gaps.named(ctx, rulebook, assessment, target)  # admins only
            short = roster_gaps.shortfalls(rulebook, assessment, target)
            if named:
                lines += named
            elif short:
                items = [say.roster_short_gap(i, more) for i, more in short]
                lines.append(say.roster_still_needed(target, items))
    lines.append(say.ROSTER_MORE_RESULT)
    said = Outbound("\n".join(lines), kind="answer")
    left = replace(state, draft=EMPTY_DRAFT)
    return steps.finish(ctx, Outcome(left, (said,), go=("roster_recorded",)))


def refused(ctx: Context, state: State, message: str) -> Transition:
    """The roster could not be staged or recorded (one sentence), then the question again."""
    said = Outbound(message, kind="error")
    return steps.finish(ctx, Outcome(state, (said,), ask=not steps.of(state.step).rests))


def not_pending(ctx: Context, state: State, why: str) -> Transition:
    """“Có” to a roster confirmed already, or one a newer file replaced: nothing recorded."""
    text = say.ROSTER_ALREADY if why == "confirmed" else say.ROSTER_SUPERSEDED
    left = replace(state, draft=EMPTY_DRAFT)
    return steps.finish(
        ctx, Outcome(left, (Outbound(text, kind="error"),), go=("roster_cancelled",))
    )
