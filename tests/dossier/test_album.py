"""An album of 60 photos of a paper document becomes one 60-page PDF in the dossier: each page
the size of its photo, the photos' bytes embedded unchanged (lossless), and a photo whose EXIF
says “rotate 90°” shown upright; an album img2pdf cannot take is
kept as numbered photos instead (a photo damaged on disk)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pypdf
import pypdfium2
from PIL import Image, ImageOps

from conversations.dossier import DossierEvidence, DossierFile, DossierSource
from dvht_core.model import Rulebook
from reports.dossier.builder import DossierZip, folder_name
from tests.conftest import build
from tests.dossier.world import photo

TODAY = dt.date(2026, 1, 5)


def _source(rulebooks: dict[str, Rulebook], items: tuple[DossierEvidence, ...]) -> DossierSource:
    assessment = build(rulebooks, unit_name="UBND xã Hòa Bình", province="Hà Nội")
    return DossierSource(
        unit_id=1,
        rulebook=rulebooks["huyen"],
        assessment=assessment,
        level=1,
        office=None,
        evidence=items,
    )


def _files(
    tmp_path: Path, photos: list[bytes], mime: str = "image/jpeg"
) -> tuple[DossierFile, ...]:
    files = []
    for n, data in enumerate(photos):
        path = tmp_path / f"p{n}"
        path.write_bytes(data)
        files.append(DossierFile(path=path, mime_type=mime, size=len(data)))
    return tuple(files)


def _dark_corner(image: Image.Image) -> tuple[bool, bool]:
    """(is the dark quarter at the top, is it at the left) of an RGB image."""
    grey = image.convert("L")
    w, h = grey.size
    spots = {(top, left): grey.getpixel((w // 8 if left else w - 1 - w // 8,
                                         h // 8 if top else h - 1 - h // 8))
             for top in (True, False) for left in (True, False)}  # fmt: skip
    return min(spots, key=lambda k: spots[k])  # type: ignore[arg-type,return-value]


def test_sixty_photos_make_one_sixty_page_pdf_upright_and_lossless(
    rulebooks: dict[str, Rulebook], tmp_path: Path
) -> None:
    sizes = [(120 + 4 * n, 90 + 2 * (n % 7)) for n in range(60)]
    photos = [
        photo(w, h, seed=n, orientation=6 if n == 0 else None) for n, (w, h) in enumerate(sizes)
    ]
    item = DossierEvidence(
        id=7, title="Biên bản họp", indicator_ids=("1.1",), files=_files(tmp_path, photos)
    )
    written = DossierZip().write(_source(rulebooks, (item,)), tmp_path / "h.zip", today=TODAY)
    top = folder_name("UBND xã Hòa Bình", 2025)
    archive = zipfile.ZipFile(written.path)
    evidence = [n for n in archive.namelist() if "/minh-chung/" in n]
    assert evidence == [f"{top}/minh-chung/H1-1.1-01.pdf"]
    assert written.evidence_files == 1
    data = archive.read(evidence[0])
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 60
    for n, page in enumerate(reader.pages):
        width, height = sizes[n]
        box = (float(page.mediabox.width), float(page.mediabox.height))
        assert abs(box[0] / box[1] - width / height) < 0.01, n
        # Lossless: the JPEG's own bytes are the page's image stream.
        images = page["/Resources"]["/XObject"]
        stream = next(iter(images.values())).get_object()
        assert stream["/Filter"] == "/DCTDecode"
        assert stream.get_data() == photos[n]
    assert reader.pages[0].rotation == 90
    assert all(page.rotation == 0 for page in reader.pages[1:])
    # Upright: page 1 rendered shows what the phone showed (the photo turned by its EXIF).
    shown = pypdfium2.PdfDocument(data)[0].render(scale=2).to_pil()
    expected = ImageOps.exif_transpose(Image.open(io.BytesIO(photos[0])))
    assert (shown.width > shown.height) == (expected.width > expected.height)
    assert _dark_corner(shown) == _dark_corner(expected)
    assert _dark_corner(expected) != (True, True), "the EXIF turn moved the dark corner"


def test_an_album_img2pdf_refuses_is_kept_as_numbered_photos(
    rulebooks: dict[str, Rulebook], tmp_path: Path
) -> None:
    out = io.BytesIO()
    Image.new("RGB", (20, 10)).save(out, "PNG")
    pngs = [out.getvalue(), out.getvalue()[:30]]  # the second damaged on disk
    item = DossierEvidence(
        id=3, title="Ảnh chụp màn hình", indicator_ids=("1.2",),
        files=_files(tmp_path, pngs, "image/png"),
    )  # fmt: skip
    written = DossierZip().write(_source(rulebooks, (item,)), tmp_path / "h.zip", today=TODAY)
    names = [n.rpartition("/")[2] for n in zipfile.ZipFile(written.path).namelist()]
    assert [n for n in names if n.startswith("H1")] == ["H1-1.2-01-1.png", "H1-1.2-01-2.png"]


def test_an_album_with_a_heic_photo_keeps_its_photos_as_they_are(
    rulebooks: dict[str, Rulebook], tmp_path: Path
) -> None:
    """img2pdf cannot read HEIC: the album's photos go in as they were sent, numbered."""
    (tmp_path / "h").mkdir()
    files = _files(tmp_path, [photo(20, 10)]) + _files(
        tmp_path / "h", [b"\x00\x00\x00\x18ftypheic" + bytes(40)], "image/heic"
    )
    item = DossierEvidence(id=4, title="Ảnh iPhone", indicator_ids=("1.3",), files=files)
    written = DossierZip().write(_source(rulebooks, (item,)), tmp_path / "h.zip", today=TODAY)
    archive = zipfile.ZipFile(written.path)
    names = {n.rpartition("/")[2]: n for n in archive.namelist()}
    assert [n for n in names if n.startswith("H1")] == ["H1-1.3-01-1.jpg", "H1-1.3-01-2.heic"]
    assert archive.read(names["H1-1.3-01-2.heic"]) == files[1].path.read_bytes()
