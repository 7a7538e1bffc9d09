"""The words of a reminder: how many days are left, what is left, and one way back in.

Pure: it reads a `UnitProgress` and dates, and returns channel-neutral messages, so the
dispatcher, the console's start-up and the tests all get the same text.
"""

from __future__ import annotations

import datetime as dt

from conversations.messages import Outbound
from reminders.progress import UnitProgress


def reminder_messages(
    kind: str,
    progress: UnitProgress,
    *,
    deadline: dt.date,
    today: dt.date,
) -> list[Outbound]:
    """The push for one member of the unit (`kind` is the reminder's kind, "T-7" …): the
    days left and the date, the indicators unanswered and the evidence missing, and the
    resume offer. One message, so the push stops at nothing half-sent."""
    from dvht_core.loader import rulebook_for

    record = progress.assessment
    rulebook = rulebook_for(record.ruleset_id, record.ruleset_version)
    plan = rulebook.plan(record.unit.unit_type)
    applicable = [i.id for _, inds in plan.criteria for i in inds]
    unanswered = [i for i in applicable if i not in record.answers]
    without_evidence = [
        i for i in applicable if i in record.answers and not record.evidence_for(i)
    ]
    days = (deadline - today).days
    lines = [
        f"Nhắc hạn: còn {days} ngày đến hạn nộp hồ sơ “Đơn vị học tập” năm {record.year} "
        f"của {record.unit.name} (trước ngày {deadline:%d/%m/%Y}).",
    ]
    if unanswered:
        lines.append(f"Còn {len(unanswered)} chỉ tiêu chưa trả lời: {', '.join(unanswered)}.")
    if without_evidence:
        lines.append(f"{len(without_evidence)} chỉ tiêu đã trả lời nhưng chưa có minh chứng.")
    lines.append("Gõ /danhgia để tiếp tục đúng chỗ bạn đang dừng.")
    return [Outbound(text="\n".join(lines))]
