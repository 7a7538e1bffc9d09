"""The evaluation as plain data: the `dvht evaluate --json` document and the reports' input.

The document's shape is fixed by `schemas/evaluation.schema.json`; tests validate every output
against it.
"""

from __future__ import annotations

from typing import Any

from dvht_core.assessment import Assessment
from dvht_core.evaluate import LEVEL_NAMES, Evaluation
from dvht_core.gaps import gaps, missing_evidence, targets_above
from dvht_core.model import Rulebook

__all__ = ["evaluation_document", "targets_above"]


def evaluation_document(
    rulebook: Rulebook, assessment: Assessment, evaluation: Evaluation
) -> dict[str, Any]:
    indicators: dict[str, Any] = {}
    for indicator in rulebook.indicators:
        result = evaluation.indicators[indicator.id]
        indicators[indicator.id] = {
            "level": result.level,
            "status": result.status,
            "reason": result.reason,
            "uncertain": indicator.uncertain and result.level is not None,
            # The note a unit of this type should read (`note_for`), never the research trail.
            "note": indicator.uncertainty_for(assessment.unit_type)
            if result.level is not None
            else None,
        }
    gate = evaluation.upgrade_gate
    return {
        "ruleset": {
            "id": rulebook.id,
            "version": rulebook.version,
            "legal_source": rulebook.legal_source,
        },
        "unit": {
            "name": assessment.unit_name,
            "province": assessment.province,
            "tier": assessment.tier,
            "unit_type": assessment.unit_type,
            "year": assessment.year,
            "members": assessment.members,
            "learners": assessment.learners,
        },
        "level": evaluation.level,
        "level_name": LEVEL_NAMES[evaluation.level],
        "reason": evaluation.reason,
        "criteria": {cid: c.level for cid, c in evaluation.criteria.items()},
        "criteria_reasons": {cid: c.reason for cid, c in evaluation.criteria.items()},
        "indicators": indicators,
        "missing_evidence": [
            {
                "indicator": m.indicator_id,
                "answered": m.answered,
                "suggestions": list(m.suggestions),
            }
            for m in missing_evidence(rulebook, assessment)
        ],
        "gaps": {
            str(target): [
                {
                    "indicator": g.indicator_id,
                    "kind": g.kind,
                    "message": g.message,
                    "shortfall": g.shortfall,
                }
                for g in gaps(rulebook, assessment, evaluation, target)
            ]
            for target in targets_above(evaluation.level)
        },
        "warnings": list(evaluation.warnings),
        "notices": list(evaluation.notices),
        "upgrade_gate": None
        if gate is None
        else {
            "decision_date": gate.decision_date.isoformat(),
            "earliest_date": gate.earliest_date.isoformat(),
            "deadline": gate.deadline.isoformat(),
            "blocked": gate.blocked,
        },
    }
