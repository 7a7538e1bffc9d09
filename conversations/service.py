"""The conversation service: one inbound message in, the replies out.

Each message is one transaction: load the user's state and context, run the pure engine,
store its effects, save the state. A failure anywhere rolls the whole message back and the
user is told to send it again; nothing raises out of `handle`.

A channel that confirms an update to its server before the replies are sent (Telegram long
polling, `bot.telegram.inbox`) has the service built with `keep_replies`: the replies, and the
data of a requested report, are then kept with the update's inbox entry in the message's own
transaction. If the process dies after that commit and before the replies went out, the
restart hands the same update in again; `claim_update` says it was handled, so instead of
answering nothing the service answers with the kept replies (the report rendered again from its
kept data). The effects are never applied twice and the user still gets their answer.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from functools import partial
from typing import Any

from conversations import catalogue as say
from conversations import effects, engine, linking, quick, roster_chat, steps, submitting
from conversations.context import Context
from conversations.dossier import DossierDesk, DossierRequest
from conversations.errors import (
    AccessDenied,
    InviteInvalid,
    StaleState,
    StorageBusy,
    StorageFull,
    StorageUnavailable,
)
from conversations.messages import Attachment, Channel, Inbound, Outbound, fit
from conversations.ports import (
    ChartRenderer,
    DialogueStore,
    DialogueTx,
    EvidenceFiles,
    EvidenceRefused,
    FileSource,
    ReportRenderer,
    RosterFiles,
    RosterRefused,
)
from conversations.records import PersonRecord
from conversations.state import State
from conversations.submission import DossierLocked, SubmitRefused
from dvht_core import vietnam_time
from dvht_core.errors import InputError
from dvht_core.loader import rulebook_for
from dvht_core.model import Rulebook
from dvht_core.roster import RosterNotPending

log = logging.getLogger(__name__)
LOGIN_PATH = "/dangnhap/"
"""The dashboard's login route (`storage.login_links.LOGIN_PATH`, which the use case cannot
import): a link is the public URL, this, and the token."""
DOSSIER = "dossier"
"""Set in a message's `report` holder when /hoso was asked: the `DossierRequest`."""
NOTICE_QUEUED = "notice_queued"
"""Set in a message's `report` holder when its transaction queued a notice."""
REPORT_FILE = "bao-cao-tu-danh-gia.pdf"
CHART = "chart"
"""The key of a result's chart data in a message's `report` holder (issue 16)."""
CHART_FILE = "bieu-do-ti-le.png"
# The editable copies that follow the PDF: format, file name, MIME type, caption. The names
# here are the fallbacks for report data kept before names carried the unit and the date;
# the renderer names each file in the data (`files`: unit, year and day).
REPORT_EXTRAS = (
    (
        "docx",
        "bao-cao-tu-danh-gia.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        say.REPORT_DOCX_CAPTION,
    ),
    (
        "xlsx",
        "bang-tong-hop.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        say.REPORT_XLSX_CAPTION,
    ),
)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROSTER_TEMPLATE = "roster_template"
"""The `report` holder's key for the roster template to make after the transaction: the
rulebook, unit type and unit name it is made for (issue 16)."""


def _saved_state(tx: DialogueTx, *, channel: Channel, user_id: str) -> dict[str, Any]:
    return tx.saved_state(channel=channel, user_id=user_id)


def _roster_target(
    tx: DialogueTx, *, message: Inbound, year: int
) -> tuple[State, Rulebook, str] | None:
    """Before an uploaded XLSX is read as a roster: the sender's step, and the rulebook and unit
    type of the unit they are working on (None without a unit). Its own short transaction: the
    file is read outside the message's (CPU), and the reader needs the unit's columns."""
    person, raw, _ = tx.sender(
        channel=message.channel,
        user_id=message.user_id,
        display_name=message.display_name or f"Người dùng {message.user_id}",
    )
    state = State.from_dict(raw)
    _, unit, assessment = tx.context(person_id=person.id, unit_id=state.unit_id, year=year)
    if unit is None or assessment is None:
        return None
    rulebook = rulebook_for(assessment.ruleset_id, assessment.ruleset_version)
    return state, rulebook, unit.unit_type


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class ConversationService:
    def __init__(
        self,
        store: DialogueStore,
        *,
        files: FileSource | None = None,
        evidence: EvidenceFiles | None = None,
        reports: ReportRenderer | None = None,
        charts: ChartRenderer | None = None,
        chart_channels: frozenset[Channel] = frozenset({"telegram", "zalo"}),
        clock: Callable[[], dt.datetime] = _utcnow,
        keep_replies: bool = False,
        dashboard_url: str | None = None,
        on_notice: Callable[[], None] | None = None,
        rosters: RosterFiles | None = None,
        dossiers: DossierDesk | None = None,
    ) -> None:
        self.store = store
        self.files = files
        self.evidence = evidence
        self.reports = reports
        self.charts = charts
        self.chart_channels = chart_channels
        """The channels whose result is followed by the chart as a photo (issue 16): Telegram
        uploads it, Zalo shows it by a signed link; the console shows no picture, so rendering
        one for it would cost CPU for nothing."""
        self.clock = clock
        self.keep_replies = keep_replies
        self.dashboard_url = dashboard_url.rstrip("/") if dashboard_url else None
        """DVHT_PUBLIC_URL (issue 15): /dangnhap links and the submission notice point there;
        None: no dashboard is set up."""
        self.on_notice = on_notice
        self.dossiers = dossiers
        """Builds and sends /hoso's ZIP after the transaction (issue 16); None: not wired, the
        request is answered with how to get the dossier from the server."""
        """Called once a message that queued a notice (a submission) has committed: the
        in-process reminder dispatcher's `nudge`, so the reviewers hear at once."""
        """Keep each message's replies with its inbox entry (see the module docstring); off for
        channels that have no inbox, which then pay nothing for it."""
        self.rosters = rosters
        """The roster spreadsheet (issue 16): /danhsach's template, and an XLSX sent read as the
        unit's member roster. None: /danhsach says the template cannot be sent here."""

    async def handle(
        self,
        inbound: Inbound,
        *,
        rendering: Callable[[], Awaitable[None]] | None = None,
    ) -> list[Outbound]:
        """The replies to one message, each within the channel limit. Never raises.

        `rendering` is awaited just before a requested report is rendered, so a channel can show
        that files are on their way (Telegram's "sending a file…")."""
        try:
            message = await self._with_file(inbound.normalised())
            for _ in range(2):  # a concurrent save by the same user: reload and redo once
                try:
                    report: dict[str, Any] = {}
                    replies = await self.store.run(
                        partial(self._handle, message=message, report=report),
                        serial_key=f"{message.channel}:{message.user_id}",
                    )
                    if report.pop(NOTICE_QUEUED, False) and self.on_notice is not None:
                        self.on_notice()
                    replies = await self._with_template(replies, report)
                    replies = await self._with_report(replies, report, rendering)
                    return fit(await self._with_dossier(replies, report.get(DOSSIER)))
                except StaleState:
                    continue
            return [Outbound(say.INTERNAL_ERROR, kind="error")]
        except StorageBusy:  # another writer kept the lock past the bounded wait
            return [Outbound(say.STORAGE_BUSY, kind="error")]
        except StorageFull:
            return [Outbound(say.STORAGE_FULL, kind="error")]
        except StorageUnavailable:  # down, timed out or broken: storage.uow logged which
            return [Outbound(say.STORAGE_DOWN, kind="error")]
        except Exception:  # the user must get an answer whatever broke; the log gets the rest
            log.exception("failed to handle %s update %s", inbound.channel, inbound.update_id)
            return [Outbound(say.INTERNAL_ERROR, kind="error")]

    async def resume_offer(self, *, channel: Channel, user_id: str) -> list[Outbound]:
        """What a channel says when it starts again (the console): where the user stopped in
        the walk and how to go on, or nothing when they stopped nowhere in particular. Read
        only; a storage failure is not worth an error here (the first message will say it)."""
        try:
            raw = await self.store.run(partial(_saved_state, channel=channel, user_id=user_id))
        except (StorageBusy, StorageFull, StorageUnavailable):
            return []  # an offer is a courtesy: the first message says what is wrong
        state = State.from_dict(raw)
        waiting = state.paused_step is not None or not steps.of(state.step).rests
        if state.unit_id is None or state.indicator is None or not waiting:
            return []
        return [Outbound(say.resume_offer(state.indicator), kind="hint")]

    async def _with_file(self, message: Inbound) -> Inbound:
        """Fetch and store an upload before the transaction: the store is content-addressed,
        so a file kept but never linked costs nothing and a retry stores nothing twice."""
        if message.file is None:
            return message
        if self.files is None or self.evidence is None:
            return replace(message, file_error=say.FILE_NOT_RECEIVED)
        try:
            data = await self.files.fetch(message.file)
            name = message.file.file_name or f"{message.file.kind}-{message.file.file_id[-8:]}.jpg"
            stored = await self.evidence.put(data, original_name=name)
        except EvidenceRefused as refused:
            return await self._with_roster(replace(message, file_error=refused.reason), None)
        return await self._with_roster(replace(message, stored=stored), data)

    async def _with_roster(self, message: Inbound, data: bytes | None) -> Inbound:
        """Read an upload as the member roster, outside the transaction, when the sender's step
        wants one (`roster_chat.wanted`): the roster or the reader's refusal rides on the
        message; the engine decides what it is (`roster_chat.upload`)."""
        if self.rosters is None or data is None or message.file is None:
            return message
        if message.file.kind != "document" or message.is_group:  # never a roster there
            return message
        year = vietnam_time.assessment_year(vietnam_time.today(self.clock()))
        target = await self.store.run(partial(_roster_target, message=message, year=year))
        if target is None:
            return message
        state, rulebook, unit_type = target
        xlsx = message.stored is not None and message.stored.mime_type == XLSX
        if not roster_chat.wanted(state, xlsx=xlsx):
            return message
        try:
            roster = await asyncio.to_thread(
                self.rosters.read, data, rulebook, unit_type=unit_type
            )
        except RosterRefused as refused:
            return replace(message, roster_error=refused.reason)  # the engine decides if it counts
        except Exception:  # a reader's bug must not lose the message: said, and logged
            log.exception("roster: reading %s update %s", message.channel, message.update_id)
            return replace(message, roster_error=say.ROSTER_NOT_READ)
        return replace(message, roster=roster)

    async def _with_report(
        self,
        replies: list[Outbound],
        report: dict[str, Any],
        rendering: Callable[[], Awaitable[None]] | None,
    ) -> list[Outbound]:
        """Render a requested report after the transaction (CPU-bound, ~0.15 s for all three):
        the PDF on the report reply, then the editable DOCX and the XLSX summary. A result's
        chart (issue 16) is rendered here too, first: both are pictures of the same snapshot."""
        replies = await self._with_chart(replies, report)
        if "data" not in report or self.reports is None:
            return replies
        if rendering is not None:
            await rendering()
        files = await self.reports.render(report["data"])
        names: dict[str, str] = report["data"].get("files") or {}
        document = Attachment(names.get("pdf", REPORT_FILE), "application/pdf", files["pdf"])
        extras = [
            Outbound(
                caption,
                kind="report",
                document=Attachment(names.get(fmt, name), mime, files[fmt]),
            )
            for fmt, name, mime, caption in REPORT_EXTRAS
            if fmt in files
        ]
        out: list[Outbound] = []
        for reply in replies:
            is_report = reply.kind == "report"
            out += [replace(reply, document=document), *extras] if is_report else [reply]
        return out

    async def _with_dossier(
        self, replies: list[Outbound], request: DossierRequest | None
    ) -> list[Outbound]:
        """/hoso: the “đang đóng gói” line, then the dossier (a ZIP, a link, or why not),
        built after the transaction: it reads every evidence file and takes seconds."""
        if request is None:
            return replies
        if self.dossiers is None:
            delivered = [Outbound(say.dossier_no_link(request.unit_id), kind="error")]
        else:
            delivered = await self.dossiers.deliver(request)
        # A refusal (not an admin, nothing to request, no assessment, a failure) stands in for
        # the “đang đóng gói” line: nothing was packed, and saying so first misleads.
        refused = all(r.kind == "error" for r in delivered)
        out: list[Outbound] = []
        for reply in replies:
            if reply.kind != "dossier":
                out.append(reply)
            else:
                out += delivered if refused else [reply, *delivered]
        return out

    def _handle(self, tx: DialogueTx, message: Inbound, report: dict[str, Any]) -> list[Outbound]:
        if not tx.claim_update(channel=message.channel, update_id=message.update_id):
            return self._kept(tx, message, report)
        person, raw, version = tx.sender(
            channel=message.channel,
            user_id=message.user_id,
            display_name=message.display_name or f"Người dùng {message.user_id}",
        )
        ctx, state = self._context(tx, person, State.from_dict(raw), message.has_buttons)
        before, asked_in = state, ctx
        transition = engine.step(ctx, state, message)
        state, replies = transition.state, list(transition.replies)
        try:
            for effect in transition.effects:
                if isinstance(effect, effects.IssueLinkCode | effects.RedeemLinkCode):
                    extra, ctx, state = self._link(tx, ctx, state, effect, message)
                    person = ctx.person  # a link may make the sender another person
                elif isinstance(
                    effect, effects.CheckSubmission | effects.Submit | effects.IssueLoginLink
                ):
                    extra, ctx, state = self._submission(tx, ctx, state, effect, message, report)
                elif isinstance(effect, effects.StageRoster | effects.ConfirmRoster):
                    extra, ctx, state = self._roster(tx, ctx, state, effect)
                else:
                    extra, ctx, state = self._apply(tx, ctx, state, effect, person)
                replies += extra
            if transition.reload and not any(
                isinstance(e, effects.CreateUnit | effects.JoinUnit | effects.UpdateUnit)
                for e in transition.effects
            ):
                ctx, state = self._context(tx, person, state, ctx.has_buttons)
                asked = engine.ask(ctx, state)
                state, replies = asked.state, replies + list(asked.replies)
        except InputError as exc:
            asked = engine.ask(ctx, state)
            error = Outbound(f"{exc.message[:1].upper()}{exc.message[1:]}", kind="error")
            state, replies = asked.state, [error, *asked.replies]
        except DossierLocked as locked:  # submitted: the sentence, then the same question
            asked = engine.ask(asked_in, before)
            state, replies = asked.state, [Outbound(locked.message, kind="error"), *asked.replies]
        except AccessDenied:
            replies = [Outbound(say.ACCESS_DENIED, kind="error")]
        tx.save_state(
            channel=message.channel,
            user_id=message.user_id,
            state=state.to_dict(),
            version=version,
        )
        if any(r.kind == "result" for r in replies):
            self._chart(ctx, message.channel, report)
        if any(r.kind == "report" for r in replies):
            replies = self._report(ctx, replies, report)
        if any(r.kind == roster_chat.TEMPLATE_KIND for r in replies):
            replies = self._roster_template(ctx, replies, report)
        if any(r.kind == "dossier" for r in replies) and ctx.unit is not None:
            report[DOSSIER] = DossierRequest(
                channel=message.channel,
                person_id=ctx.person.id,
                unit_id=ctx.unit.id,
                year=(
                    ctx.assessment.year
                    if ctx.assessment
                    else vietnam_time.assessment_year(ctx.today)
                ),
                today=ctx.today,
            )
        if self.keep_replies:
            tx.keep_replies(
                channel=message.channel,
                update_id=message.update_id,
                replies=linking.without_codes(replies),
                report=report.get("data"),
            )
        return replies

    def _kept(self, tx: DialogueTx, message: Inbound, report: dict[str, Any]) -> list[Outbound]:
        """The answer to an update handled before: the replies kept with its unfinished inbox
        entry (a replay after a crash: they may never have been sent), else nothing (a retried
        webhook, a duplicate: it changes and sends nothing)."""
        if not self.keep_replies:
            return []
        kept = tx.kept_replies(channel=message.channel, update_id=message.update_id)
        if kept is None:
            return []
        if kept.report is not None:
            report["data"] = kept.report
        replies = list(kept.replies)
        template = any(r.kind == roster_chat.TEMPLATE_KIND for r in replies)
        result = any(r.kind == "result" for r in replies)
        if template or result:  # the template and the chart are made again, as a report is
            person, raw, _ = tx.sender(
                channel=message.channel, user_id=message.user_id, display_name=message.user_id
            )
            ctx, _ = self._context(tx, person, State.from_dict(raw), message.has_buttons)
            if template:
                replies = self._roster_template(ctx, replies, report)
            if result:
                self._chart(ctx, message.channel, report)
        return replies

    def _report(
        self, ctx: Context, replies: list[Outbound], report: dict[str, Any]
    ) -> list[Outbound]:
        """The report's data from this transaction's snapshot, or the text summary when no
        renderer is wired (a channel that cannot send files)."""
        assessment, rulebook = ctx.as_assessment(), ctx.rulebook
        if self.reports is None or assessment is None or rulebook is None:
            summary = quick.result(ctx) if assessment is not None else []
            fallback = [Outbound(say.REPORT_TEXT_ONLY, kind="hint"), *summary]
            index = next(i for i, r in enumerate(replies) if r.kind == "report")
            return replies[:index] + fallback + replies[index + 1 :]
        report["data"] = self.reports.build(rulebook, assessment, today=ctx.today)
        return replies

    def _chart(self, ctx: Context, channel: Channel, report: dict[str, Any]) -> None:
        """The result's chart data from this transaction's snapshot, for a channel that shows
        it; nothing when no count indicator is answered."""
        assessment, rulebook = ctx.as_assessment(), ctx.rulebook
        if self.charts is None or channel not in self.chart_channels:
            return
        if assessment is None or rulebook is None:
            return
        try:
            data = self.charts.build(rulebook, assessment)
        except Exception:  # a picture is not worth the message: the result goes out alone
            log.exception("the result's chart data failed; sent without it")
            return
        if data is not None:
            report[CHART] = data

    async def _with_chart(self, replies: list[Outbound], report: dict[str, Any]) -> list[Outbound]:
        """The chart as a photo right after the result, rendered after the transaction in a
        worker thread (about 40 ms: `python -m bench chart`). A chart that fails is logged and
        left out: the result the official asked for still goes out."""
        data = report.get(CHART)
        if data is None or self.charts is None:
            return replies
        try:
            png = await self.charts.render(data)
        except Exception:
            log.exception("the result's chart failed to render; sent without it")
            return replies
        if png is None:
            return replies
        photo = Outbound(
            say.CHART_CAPTION, kind="chart", document=Attachment(CHART_FILE, "image/png", png)
        )
        last = max((i for i, r in enumerate(replies) if r.kind == "result"), default=len(replies))
        return [*replies[: last + 1], photo, *replies[last + 1 :]]

    def _context(
        self, tx: DialogueTx, person: PersonRecord, state: State, has_buttons: bool
    ) -> tuple[Context, State]:
        """The context of this message, and the state pointing at its unit and year."""
        today = vietnam_time.today(self.clock())
        year = vietnam_time.assessment_year(today)  # from 15/01 on, the new year's dossier
        memberships, unit, assessment = tx.context(
            person_id=person.id, unit_id=state.unit_id, year=year
        )
        unit_id, year_on = (unit.id, year) if unit else (None, None)
        if (state.unit_id, state.year) != (unit_id, year_on):
            state = replace(state, unit_id=unit_id, year=year_on)
        loader = partial(tx.calendar, unit=unit, year=year) if unit is not None else None
        admin = unit is not None and any(
            m.unit_id == unit.id and m.role == "unit_admin" for m in memberships
        )
        names = (
            partial(tx.latest_roster, assessment_id=assessment.id)
            if admin and assessment is not None
            else None
        )  # issue 16: the names of members still missing, for the unit's admins only
        context = Context(
            person, tuple(memberships), unit, assessment, today, has_buttons, loader, names
        )
        return context, state

    def _link(
        self,
        tx: DialogueTx,
        ctx: Context,
        state: State,
        effect: effects.IssueLinkCode | effects.RedeemLinkCode,
        message: Inbound,
    ) -> tuple[list[Outbound], Context, State]:
        """/lienket (issue 14): issue a code, or redeem one and go on as the code's person,
        where their other account is (`conversations.linking`)."""
        now = self.clock()
        if isinstance(effect, effects.IssueLinkCode):
            code = tx.issue_link_code(channel=message.channel, user_id=message.user_id, now=now)
            shown = linking.issued(ctx, state, code)
            return list(shown.replies), ctx, shown.state
        result = tx.redeem_link_code(
            channel=message.channel, user_id=message.user_id, code=effect.code, now=now
        )
        if result.outcome != "linked" or result.person is None:
            said = linking.refused(ctx, state, result)
            return list(said.replies), ctx, said.state
        resuming = linking.resumed_state(result.state or {})
        fresh, resuming = self._context(tx, result.person, resuming, ctx.has_buttons)
        went_on = linking.linked(fresh, resuming, result)
        return list(went_on.replies), fresh, went_on.state

    def _submission(
        self,
        tx: DialogueTx,
        ctx: Context,
        state: State,
        effect: effects.CheckSubmission | effects.Submit | effects.IssueLoginLink,
        message: Inbound,
        report: dict[str, Any],
    ) -> tuple[list[Outbound], Context, State]:
        """/nop, its “Có”, and /dangnhap (issue 15; `conversations.submitting`)."""
        person = ctx.person
        if isinstance(effect, effects.IssueLoginLink):
            if self.dashboard_url is None:
                text = say.LOGIN_NOT_SET_UP
            else:
                token = tx.issue_login_link(
                    person_id=person.id, via=message.channel, now=self.clock()
                )
                text = (
                    say.LOGIN_NOT_ALLOWED
                    if token is None
                    else say.login_link(f"{self.dashboard_url}{LOGIN_PATH}{token}")
                )
            said = submitting.login_link(ctx, state, text)
            return list(said.replies), ctx, said.state
        unit = ctx.unit
        if unit is None or ctx.assessment is None:
            said = submitting.refused(ctx, state, say.NO_UNIT_YET)
            return list(said.replies), ctx, said.state
        year = ctx.assessment.year
        if isinstance(effect, effects.CheckSubmission):
            refusal = tx.submission_refusal(person_id=person.id, unit_id=unit.id, year=year)
            if refusal is not None:
                said = submitting.refused(ctx, state, refusal)
            else:
                said = submitting.question(ctx, state)
            return list(said.replies), ctx, said.state
        try:
            done = tx.submit(
                person_id=person.id,
                unit_id=unit.id,
                year=year,
                level=effect.level,
                now=self.clock(),
                dashboard=self.dashboard_url,
            )
        except SubmitRefused as refused:
            said = submitting.submit_refused(ctx, state, refused.message)
            return list(said.replies), ctx, said.state
        report[NOTICE_QUEUED] = done.notified > 0
        fresh, state = self._context(tx, person, state, ctx.has_buttons)
        said = submitting.submitted(fresh, state, done)
        return list(said.replies), fresh, said.state

    def _roster(
        self,
        tx: DialogueTx,
        ctx: Context,
        state: State,
        effect: effects.StageRoster | effects.ConfirmRoster,
    ) -> tuple[list[Outbound], Context, State]:
        """A roster file staged (then “Ghi các số này?”), or confirmed (recorded, then the new
        result in short); issue 16, `conversations.roster_chat`. A submitted dossier refuses
        with DossierLocked, which `_handle` says as for any edit."""
        person, assessment = ctx.person, ctx.assessment
        if assessment is None:
            said = roster_chat.refused(ctx, state, say.NO_UNIT_YET)
            return list(said.replies), ctx, said.state
        if isinstance(effect, effects.StageRoster):
            roster_id = tx.stage_roster(
                person_id=person.id,
                assessment_id=assessment.id,
                roster=effect.roster,
                stored=effect.stored,
            )
            staged = roster_chat.staged(ctx, state, roster_id)
            return list(staged.replies), ctx, staged.state
        try:
            done = tx.confirm_roster(person_id=person.id, roster_id=effect.roster_id)
        except RosterNotPending as gone:
            said = roster_chat.not_pending(ctx, state, gone.state)
            return list(said.replies), ctx, said.state
        fresh, state = self._context(tx, person, state, ctx.has_buttons)
        said = roster_chat.confirmed(fresh, state, list(done.counts), done.members)
        return list(said.replies), fresh, said.state

    def _roster_template(
        self, ctx: Context, replies: list[Outbound], report: dict[str, Any]
    ) -> list[Outbound]:
        """What the template is made for, kept to make it after the transaction; the
        reply says it cannot be sent where no roster adapter is wired."""
        rulebook, unit = ctx.rulebook, ctx.unit
        if self.rosters is None or rulebook is None or unit is None:
            return [
                replace(r, text=say.ROSTER_TEMPLATE_NO_FILE, kind="hint")
                if r.kind == roster_chat.TEMPLATE_KIND
                else r
                for r in replies
            ]
        report[ROSTER_TEMPLATE] = (rulebook, unit.unit_type, unit.name)
        return replies

    async def _with_template(
        self, replies: list[Outbound], report: dict[str, Any]
    ) -> list[Outbound]:
        """The roster template (an XLSX, CPU work) attached after the transaction to the reply
        that announces it."""
        made = report.pop(ROSTER_TEMPLATE, None)
        if made is None or self.rosters is None:
            return replies
        rulebook, unit_type, unit_name = made
        file = await asyncio.to_thread(
            self.rosters.template, rulebook, unit_type=unit_type, unit_name=unit_name
        )
        return [
            replace(r, document=file) if r.kind == roster_chat.TEMPLATE_KIND else r
            for r in replies
        ]

    def _apply(
        self,
        tx: DialogueTx,
        ctx: Context,
        state: State,
        effect: effects.Effect,
        person: PersonRecord,
    ) -> tuple[list[Outbound], Context, State]:
        """Store one effect; return the replies it adds, and the context and state after it."""
        if isinstance(
            effect,
            effects.IssueLinkCode
            | effects.RedeemLinkCode
            | effects.CheckSubmission
            | effects.Submit
            | effects.IssueLoginLink
            | effects.StageRoster
            | effects.ConfirmRoster,
        ):
            raise TypeError("a link, submission or roster effect has its own method")
        if isinstance(effect, effects.JoinUnit):
            try:
                membership = tx.redeem_invite(person_id=person.id, code=effect.code)
            except InviteInvalid as invalid:
                failed = engine.join_failed(ctx, state, invalid.message)
                return list(failed.replies), ctx, failed.state
            joining = engine.joining(state, membership.unit_id)
            fresh, state = self._context(tx, person, joining, ctx.has_buttons)
            joined = engine.joined(fresh, state)
            return list(joined.replies), fresh, joined.state
        if isinstance(effect, effects.CreateUnit):
            unit = tx.create_unit(
                person_id=person.id,
                name=effect.name,
                province=effect.province,
                tier=effect.tier,
                unit_type=effect.unit_type,
            )
            invite = tx.create_invite(person_id=person.id, unit_id=unit.id)
            created_at = replace(state, unit_id=unit.id, year=None)
            fresh, state = self._context(tx, person, created_at, ctx.has_buttons)
            assert fresh.assessment is not None
            tx.set_totals(
                person_id=person.id, assessment_id=fresh.assessment.id, members=effect.members
            )
            fresh, state = self._context(tx, person, state, ctx.has_buttons)
            created = engine.created(fresh, state, invite.code)
            return list(created.replies), fresh, created.state
        if isinstance(effect, effects.SetReminders):  # the person's own: no unit needed
            tx.set_reminders_off(person_id=person.id, off=effect.off)
            return [], ctx, state
        assessment = ctx.assessment
        if assessment is None:
            raise AccessDenied("no unit")
        if isinstance(effect, effects.UpdateUnit):  # issue 12, item 3
            if effect.receiving_office is not None:  # issue 13: stored apart from the details
                done = tx.set_receiving_office(
                    person_id=person.id,
                    unit=assessment.unit,
                    year=assessment.year,
                    office=effect.receiving_office,
                    on=ctx.today,
                )
            else:
                done = tx.update_unit(
                    person_id=person.id,
                    unit_id=assessment.unit.id,
                    year=assessment.year,
                    changes=effect.changes(),
                )
            fresh, state = self._context(tx, person, state, ctx.has_buttons)
            changed = engine.unit_updated(ctx, fresh, state, done)
            return list(changed.replies), fresh, changed.state
        if isinstance(effect, effects.SetTotals):
            tx.set_totals(
                person_id=person.id,
                assessment_id=assessment.id,
                members=effect.members,
                learners=effect.learners,
            )
        elif isinstance(effect, effects.RecordAnswer):
            tx.record_answer(
                person_id=person.id,
                assessment_id=assessment.id,
                indicator_id=effect.indicator_id,
                value=effect.value,
                description=effect.description,
                strengths=effect.strengths,
                weaknesses=effect.weaknesses,
            )
        elif isinstance(effect, effects.RemoveEvidence):
            tx.remove_evidence(
                person_id=person.id,
                evidence_id=effect.evidence_id,
                indicator_id=effect.indicator_id,
            )
        elif isinstance(effect, effects.RenameEvidence):
            tx.rename_evidence(
                person_id=person.id,
                evidence_id=effect.evidence_id,
                indicator_id=effect.indicator_id,
                title=effect.title,
            )
        elif isinstance(effect, effects.AttachFile):
            evidence_id = state.draft.album(effect.group)
            if evidence_id is None:
                raise KeyError(effect.group)  # the engine attaches only to a known album
            tx.attach_file(person_id=person.id, evidence_id=evidence_id, stored=effect.stored)
        else:
            record = tx.add_evidence(
                person_id=person.id,
                assessment_id=assessment.id,
                indicator_id=effect.indicator_id,
                title=effect.title,
                stored=effect.stored,
                photo=effect.photo,
            )
            if effect.group:  # an album: its further photos join this item
                state = engine.album_started(state, effect.group, record.id)
        return [], ctx, state
