"""Spanish is complete: every message translated, none fuzzy, none missing."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = {code: ROOT / "locale" / code / "LC_MESSAGES" / "django.po" for code in ("es", "en")}
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|\{[a-z_]*\}")
SOURCES = [
    "accounts",
    "bills",
    "config",
    "consultations",
    "moderation",
    "notifications",
    "templates",
]


@pytest.mark.parametrize("code", CATALOGUES)
def test_every_message_is_translated_and_none_is_fuzzy(code):
    catalogue = polib.pofile(str(CATALOGUES[code]))
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert untranslated == [], f"{code}: untranslated {untranslated}"
    assert fuzzy == [], f"{code}: fuzzy {fuzzy}"


@pytest.mark.parametrize("code", CATALOGUES)
def test_translations_keep_their_placeholders(code):
    for entry in polib.pofile(str(CATALOGUES[code])):
        if entry.msgstr:
            assert sorted(PLACEHOLDER.findall(entry.msgid)) == sorted(
                PLACEHOLDER.findall(entry.msgstr)
            ), entry.msgid


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (xgettext)")
def test_the_catalogue_has_every_message_in_the_code(tmp_path):
    """Extracts messages afresh from a copy of the sources and compares."""
    for name in SOURCES:
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "manage.py", tmp_path / "manage.py")
    (tmp_path / "locale" / "es").mkdir(parents=True)
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "es", "--no-location", "-v", "0"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={"DJANGO_SETTINGS_MODULE": "config.settings.test", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    extracted = polib.pofile(str(tmp_path / "locale/es/LC_MESSAGES/django.po"))
    committed = {entry.msgid for entry in polib.pofile(str(CATALOGUES["es"])) if not entry.obsolete}
    missing = sorted({entry.msgid for entry in extracted} - committed)
    assert missing == [], f"run makemessages and translate: {missing}"
