"""Figures for the reviewing offices: how many dossiers are at which stage."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, select

from conversations.errors import AccessDenied
from conversations.records import Actor
from storage.tables import AssessmentRow, ReviewerScope, Unit


class ReportingRepository:
    def count_by_status(
        self, session: Session, *, actor: Actor, province: str, year: int | None = None
    ) -> dict[str, int]:
        """Assessments per status in a province: all for the operator, a reviewer's own offices
        otherwise."""
        query = (
            select(AssessmentRow.status, func.count())
            .join(Unit, col(Unit.id) == AssessmentRow.unit_id)
            .where(Unit.province == province)
            .group_by(col(AssessmentRow.status))
        )
        if year is not None:
            query = query.where(AssessmentRow.year == year)
        if not actor.system:
            if actor.person_id is None:
                raise AccessDenied(actor.label)
            offices = select(ReviewerScope.office_id).where(
                ReviewerScope.person_id == actor.person_id
            )
            query = query.where(col(Unit.office_id).in_(offices))
        result = session.exec(query)
        return dict(result.all())
