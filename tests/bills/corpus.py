"""Paths into the shared test corpus, and the 1993 Constitution as one text.

The corpus lives beside the repository (``../shared/corpus``); a fresh clone has
none, so tests take the root through the ``corpus`` fixture of ``tests/conftest.py``,
which skips them with the reason. ``constitution_text`` also serves the benchmark.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

BILLS = "bills-es"
CONSTITUTION = "pe-constitucion-1993"

# The single-file texts of bills-es/, by a short name used in test ids.
FILES = {
    "02893": "pe-proyecto-ley-02893-2013-CR.txt",
    "02894": "pe-proyecto-ley-02894-2013-CR.txt",
    "02895": "pe-proyecto-ley-02895-2013-CR.txt",
    "ley32069": "pe-ley-32069-ley-general-contrataciones-publicas.md",
    "bocg": "es-bocg-15-b-157-1-proposicion-ley-122-000139.txt",
    "mocion": "cl-boletin-8924-07-mocion-identidad-genero.txt",
}

# A line of a README's table of contents: a Markdown heading that is only a link.
_TOC_LINK = re.compile(r"^#{1,6}[ \t]+\[[^\]]*\]\((?P<target>[^)\s]+)\)[ \t]*$")


def _require(folder: Path) -> Path:
    """``folder``, or a clean skip where the corpus is not there (a fresh clone)."""
    if not folder.is_dir():
        pytest.skip(f"the shared corpus is not at {folder} (a fresh clone has no ../shared/)")
    return folder


def bill_path(corpus: Path, name: str) -> Path:
    return _require(corpus / BILLS) / FILES[name]


def bill_text(corpus: Path, name: str) -> str:
    return bill_path(corpus, name).read_text(encoding="utf-8")


def _readme(folder: Path) -> tuple[list[str], list[str]]:
    """A README's own lines (its links to other files left out) and its link targets,
    in order."""
    own: list[str] = []
    targets: list[str] = []
    for line in (folder / "README.md").read_text(encoding="utf-8").splitlines():
        match = _TOC_LINK.match(line.strip())
        if match:
            targets.append(match.group("target"))
        else:
            own.append(line)
    return own, targets


def constitution_parts(corpus: Path) -> list[tuple[str, str]]:
    """The Constitution's files in document order, as (relative path, text).

    The order is the one of the README files' tables of contents: the root README
    lists the títulos, then the final and transitory provisions, the special
    transitory provisions and the declaration; each título's README lists its
    capítulos. A README's table of contents is left out, but not the rest of it: the
    root README holds the preamble and the title, each título's README its heading,
    and the READMEs of títulos V and VI their articles."""
    root = _require(corpus / BILLS / CONSTITUTION)
    own, targets = _readme(root)
    parts = [("README.md", "\n".join(own))]
    for target in targets:
        path = (root / target).resolve()
        if path.is_dir():
            folder_own, chapters = _readme(path)
            parts.append((f"{target.strip('./')}/README.md", "\n".join(folder_own)))
            for chapter in chapters:
                chapter_path = (path / chapter).resolve()
                relative = chapter_path.relative_to(root.resolve())
                parts.append((str(relative), chapter_path.read_text(encoding="utf-8")))
        else:
            parts.append((target.strip("./"), path.read_text(encoding="utf-8")))
    return parts


def constitution_text(corpus: Path) -> str:
    """The 1993 Constitution joined in document order, one blank line between files."""
    return "\n\n".join(text.strip("\n") for _, text in constitution_parts(corpus)) + "\n"
