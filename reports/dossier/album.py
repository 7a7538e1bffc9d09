"""Photos of a paper document sent as one album → one PDF, one page per photo, lossless.

img2pdf 0.6.3 embeds each JPEG's bytes as they are (DCTDecode) and each PNG's pixels without
re-encoding them lossily, and sizes each page to its photo at its resolution. Its default
rotation (`Rotation.auto`) turns a page by the photo's EXIF Orientation (the PDF's /Rotate:
the pixels are not touched) but fails on the mirrored or invalid values some Android phones
and scanners write; `Rotation.ifvalid` turns by the valid values and ignores the others, so
one odd photo never stops a dossier.

A PNG with transparency gets a soft mask, still lossless (checked with 0.6.3). Not handled
here: HEIC (img2pdf cannot read it; `plan.ALBUM_TYPES` keeps such albums as numbered photos)
and a photo img2pdf cannot open (damaged on disk): the builder keeps that album's photos as
they are (`AlbumRefused`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

import img2pdf  # type: ignore[import-untyped]  # 0.6.3 ships no type hints


class AlbumRefused(Exception):
    """img2pdf cannot place these photos (a damaged photo, an unreadable format)."""


def write_album(photos: Sequence[Path], out: BinaryIO) -> None:
    """Write the PDF of `photos` (in order) to `out`."""
    try:
        img2pdf.convert(
            *[str(p) for p in photos], outputstream=out, rotation=img2pdf.Rotation.ifvalid
        )
    except (img2pdf.ImageOpenError, img2pdf.AlphaChannelError, ValueError, OSError) as failed:
        raise AlbumRefused(str(failed)) from None
