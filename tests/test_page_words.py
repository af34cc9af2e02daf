"""Every word a page asks for by its short key is in the catalogue, in every language: a
missing key would show the key itself (`team_queue`) to the reader."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from catalogue import LANGUAGES, messages

TEMPLATES = Path(__file__).resolve().parent.parent / "web" / "templates"
ASKED = sorted(
    {
        key
        for page in TEMPLATES.glob("*.html")
        for key in re.findall(r"\bt\('([a-z_.]+)'\)", page.read_text(encoding="utf-8"))
    }
)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_word_a_page_asks_for_is_in_the_catalogue(lang: str) -> None:
    catalogue = messages(lang)
    missing = [
        key
        for key in ASKED
        if not any(f"{page}.{key}" in catalogue for page in ("staff", "workspace", "customer"))
    ]
    assert ASKED and missing == []
