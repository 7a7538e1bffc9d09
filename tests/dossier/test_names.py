"""Names in the ZIP are safe on Windows whatever the official typed (property test): ASCII, no
reserved characters or device names, no trailing dot or space, at most 100 characters, unique
without regard to case."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from reports.dossier.builder import folder_name
from reports.dossier.names import MAX_NAME, NameBook, is_windows_safe, safe_name

HOSTILE = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["CON", "con.txt", "PRN", "aux", "NUL.pdf", "COM1", "lpt9", "..", ".", " "]),
    st.text(alphabet='<>:"/\\|?*. \x00\x1fđĐÀ\u0301ﬁ', max_size=40),
)


@settings(max_examples=300)
@given(stem=HOSTILE, extension=HOSTILE)
@example(stem="", extension="0000000\ufb00.0")  # found by CI: cut to ten, it ended in a dot
def test_any_name_is_windows_safe(stem: str, extension: str) -> None:
    assert is_windows_safe(safe_name(stem, extension))


@settings(max_examples=200)
@given(stems=st.lists(HOSTILE, max_size=30))
def test_names_differ_without_regard_to_case(stems: list[str]) -> None:
    book = NameBook()
    names = [book.take(stem, "pdf") for stem in stems + [s.upper() for s in stems]]
    assert len({n.lower() for n in names}) == len(names)
    assert all(is_windows_safe(n) and len(n) <= MAX_NAME for n in names)


@given(unit=HOSTILE)
def test_the_top_folder_is_windows_safe(unit: str) -> None:
    assert is_windows_safe(folder_name(unit, 2025))


def test_examples() -> None:
    assert safe_name("H1-1.1-01", "pdf") == "H1-1.1-01.pdf"
    assert safe_name("CON", "pdf") == "_CON.pdf"
    assert safe_name("Quyết định số 12.", "PDF") == "Quyet-dinh-so-12.pdf"
    book = NameBook()
    assert [book.take("a", "pdf"), book.take("A", "pdf")] == ["a.pdf", "A-2.pdf"]
