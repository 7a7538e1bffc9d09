"""Which evidence goes where in the dossier: its codes, its file names, its index rows.

The codes are the report's (`reports.data.evidence_code`): for each applicable indicator in
the rulebook's order, the items linked to it numbered from 01 in the order they were added,
so “[H1-1.1-01]” in the report is `minh-chung/H1-1.1-01.pdf` in the ZIP. An item linked to
several indicators has a code under each; its files are stored once, under its first code,
and the index says so on its other rows. Items linked only to indicators that do not apply to
the unit's type have no code in the report and are left out here too.
"""

from __future__ import annotations

from dataclasses import dataclass

from conversations.dossier import PHOTO_TYPES, DossierEvidence, DossierFile, DossierSource
from reports.data import evidence_code
from reports.dossier.names import NameBook

EVIDENCE_FOLDER = "minh-chung"
NO_FILE = "không có tệp"
EXTENSIONS = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/heic": "heic",
    "application/msword": "doc",
    "application/vnd.ms-excel": "xls",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
}
ALBUM_TYPES = PHOTO_TYPES - {"image/heic"}
"""Photos img2pdf can place on a page: HEIC it cannot read, so an album holding one keeps its
photos as they are, numbered."""


@dataclass(frozen=True, slots=True)
class Placed:
    """One file in `minh-chung/`: an album's photos make one PDF, else one stored file."""

    name: str
    sources: tuple[DossierFile, ...]
    album: bool = False


@dataclass(frozen=True, slots=True)
class Entry:
    """An evidence item in the dossier: its codes (without brackets) and where its files are."""

    item: DossierEvidence
    codes: tuple[str, ...]
    indicator_ids: tuple[str, ...]
    files: tuple[Placed, ...]


@dataclass(frozen=True, slots=True)
class IndexRow:
    number: int
    code: str
    title: str
    doc_number: str
    doc_date: str
    issuer: str
    indicators: str
    file: str


def extension(file: DossierFile) -> str:
    known = EXTENSIONS.get(file.mime_type)
    if known is not None:
        return known
    # A legacy Office file libmagic could not tell apart (Word or Excel): its own name says.
    suffix = (file.original_name or "").rpartition(".")[2].lower()
    return suffix if suffix in ("doc", "xls") else "bin"


def is_album(item: DossierEvidence) -> bool:
    return len(item.files) > 1 and all(f.mime_type in ALBUM_TYPES for f in item.files)


def plan(source: DossierSource, *, loose: frozenset[int] = frozenset()) -> list[Entry]:
    """The evidence entries in the order of their first code; the albums of the items in
    `loose` (img2pdf could not take them) are kept as numbered photos."""
    codes: dict[int, list[str]] = {}
    by_id = {item.id: item for item in source.evidence}
    applicable: list[str] = []
    for criterion, indicators in source.rulebook.plan(source.assessment.unit_type).criteria:
        for indicator in indicators:
            applicable.append(indicator.id)
            linked = [e for e in source.evidence if indicator.id in e.indicator_ids]
            for number, item in enumerate(sorted(linked, key=lambda e: e.id), start=1):
                code = evidence_code(criterion.id, indicator.id, number).strip("[]")
                codes.setdefault(item.id, []).append(code)
    names = NameBook()
    entries = []
    for item_id, item_codes in codes.items():
        item = by_id[item_id]
        first = item_codes[0]
        if not item.files:
            files: tuple[Placed, ...] = ()
        elif is_album(item) and item.id not in loose:
            files = (Placed(names.take(first, "pdf"), item.files, album=True),)
        elif len(item.files) == 1:
            files = (Placed(names.take(first, extension(item.files[0])), item.files),)
        else:
            files = tuple(
                Placed(names.take(f"{first}-{n}", extension(f)), (f,))
                for n, f in enumerate(item.files, start=1)
            )
        entries.append(
            Entry(
                item=item,
                codes=tuple(item_codes),
                indicator_ids=tuple(i for i in applicable if i in item.indicator_ids),
                files=files,
            )
        )
    return entries


def index_rows(entries: list[Entry]) -> list[IndexRow]:
    """One row per code, ordered by code as the report lists them."""
    rows: list[tuple[str, Entry, bool]] = []
    for entry in entries:
        rows += [(code, entry, n == 0) for n, code in enumerate(entry.codes)]
    rows.sort(key=lambda r: _code_key(r[0]))
    result = []
    for number, (code, entry, first) in enumerate(rows, start=1):
        item = entry.item
        if not entry.files:
            file = NO_FILE
        elif first:
            file = ", ".join(f"{EVIDENCE_FOLDER}/{p.name}" for p in entry.files)
        else:
            file = f"như {entry.codes[0]} ({entry.files[0].name})"
        result.append(
            IndexRow(
                number=number,
                code=code,
                title=item.title,
                doc_number=item.doc_number or "",
                doc_date=item.doc_date.strftime("%d/%m/%Y") if item.doc_date else "",
                issuer=item.issuer or "",
                indicators=", ".join(entry.indicator_ids),
                file=file,
            )
        )
    return result


def _code_key(code: str) -> tuple[int | str, ...]:
    """“H1-1.10-02” after “H1-1.9-01”: numbers compared as numbers."""
    parts: list[int | str] = []
    for piece in code.lstrip("H").replace("-", ".").split("."):
        parts.append(int(piece) if piece.isdigit() else piece)
    return tuple(parts)
