"""The conversation layer's `EvidenceFiles` port on top of an evidence store."""

from __future__ import annotations

from conversations.messages import StoredEvidence
from conversations.ports import EvidenceRefused
from storage.evidence_store import EvidenceRejected, EvidenceStore


class EvidenceFilesAdapter:
    def __init__(self, store: EvidenceStore) -> None:
        self.store = store

    async def put(self, data: bytes, *, original_name: str) -> StoredEvidence:
        try:
            stored = await self.store.put(data, original_name=original_name)
        except EvidenceRejected as rejected:
            raise EvidenceRefused(rejected.reason) from None
        return StoredEvidence(
            sha256=stored.sha256,
            storage_key=stored.storage_key,
            size=stored.size,
            mime_type=stored.mime_type,
            original_name=stored.original_name,
        )
