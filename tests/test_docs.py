"""The documentation stays true to the code: the tables that mirror code are generated from it
(`python -m tests.test_docs` rewrites them), the README stays a front door, and no link points
nowhere."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

from pydantic import TypeAdapter
from pydantic.fields import FieldInfo

from configuration.settings import Settings
from schemas.case_actions import ACTIONS, Role
from tests.conftest import ROOT

README = ROOT / "README.md"
DOCS = ROOT / "docs"
README_MOST_LINES = 300


@dataclass(frozen=True)
class Generated:
    """A table kept between two marker comments in a page, and how to render it from the code."""

    page: Path
    name: str
    source: str

    @property
    def begin(self) -> str:
        return f"<!-- {self.name}: generated from {self.source} -->"

    @property
    def end(self) -> str:
        return f"<!-- end {self.name} -->"


def action_table() -> str:
    """Every row of `ACTIONS`, as the integrators' page shows it."""
    rows = [
        "| action | Temporal name | payload | who | what |",
        "|---|---|---|---|---|",
    ]
    for action in ACTIONS:
        who = ", ".join(role.value for role in Role if role in action.roles)
        rows.append(
            f"| `{action.name}` | {action.delivery.value} `{action.handler}` "
            f"| `{action.payload.__name__}` | {who} | {action.summary} |"
        )
    return "\n".join(rows)


def default_of(field: FieldInfo) -> str:
    """A setting's default as one would write it in the environment."""
    if field.default_factory is not None:
        return "see what"
    if field.default in (None, ""):
        return "unset"
    written = TypeAdapter(type(field.default)).dump_python(field.default, mode="json")
    return f"`{str(written).lower() if isinstance(written, bool) else written}`"


def settings_table() -> str:
    """Every field of `Settings`: the variable's name, its default and its description."""
    rows = ["| variable | default | what |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        rows.append(f"| `{name.upper()}` | {default_of(field)} | {field.description} |")
    return "\n".join(rows)


TABLES = {
    Generated(DOCS / "integrating.md", "actions", "schemas/case_actions.py"): action_table,
    Generated(DOCS / "operating.md", "settings", "configuration/settings.py"): settings_table,
}


def between_markers(text: str, table: Generated) -> str:
    """What a page holds between the table's markers (each present once)."""
    assert text.count(table.begin) == 1, f"{table.page.name} needs the line {table.begin}"
    assert text.count(table.end) == 1, f"{table.page.name} needs the line {table.end}"
    return text.split(table.begin + "\n", 1)[1].split("\n" + table.end, 1)[0]


def rewritten(text: str, table: Generated, rendered: str) -> str:
    return text.replace(between_markers(text, table), rendered, 1)


def test_the_action_table_is_the_code_s() -> None:
    table = next(t for t in TABLES if t.name == "actions")
    shown = between_markers(table.page.read_text(encoding="utf-8"), table)
    assert shown == action_table(), "run `python -m tests.test_docs` and commit docs/"


def test_the_settings_table_lists_every_setting_once_as_the_code_describes_it() -> None:
    table = next(t for t in TABLES if t.name == "settings")
    shown = between_markers(table.page.read_text(encoding="utf-8"), table)
    names = re.findall(r"^\| `([A-Z_]+)` \|", shown, flags=re.MULTILINE)
    assert sorted(names) == sorted(name.upper() for name in Settings.model_fields)
    assert len(names) == len(set(names))
    assert shown == settings_table(), "run `python -m tests.test_docs` and commit docs/"


def test_the_readme_is_a_front_door() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= README_MOST_LINES, f"README.md has {len(lines)} lines"


def pages() -> list[Path]:
    return [README, *sorted(DOCS.glob("*.md"))]


# [text](target) and <img src="target">; the target ends at whitespace or the closing bracket.
LINK = re.compile(r"\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)|<img[^>]*\ssrc=\"([^\"]+)\"")
FENCE = re.compile(r"^(```|~~~).*?^\1", flags=re.MULTILINE | re.DOTALL)


def relative_links(page: Path) -> list[str]:
    """The links of a page that point inside the repository (code blocks hold examples, not
    links)."""
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    text = re.sub(r"`[^`\n]*`", "", text)
    targets = [a or b for a, b in LINK.findall(text)]
    return [t for t in targets if not re.match(r"[a-z][a-z0-9+.-]*:", t) and t != ""]


def anchors(page: Path) -> set[str]:
    """The anchors GitHub makes of a page's headings: lower case, punctuation dropped, spaces as
    hyphens, repeats numbered."""
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    seen: dict[str, int] = {}
    found = set()
    for heading in re.findall(r"^#{1,6} (.+?)\s*$", text, flags=re.MULTILINE):
        slug = re.sub(r"[^\w\- ]", "", heading.replace("`", "").lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        found.add(slug if count == 0 else f"{slug}-{count}")
    return found


def test_every_relative_link_points_to_something_that_exists() -> None:
    broken = []
    for page in pages():
        for target in relative_links(page):
            path, _, anchor = target.partition("#")
            destination = (page.parent / path).resolve() if path else page
            if not destination.exists():
                broken.append(f"{page.relative_to(ROOT)}: {target}")
            elif anchor and destination.suffix == ".md" and anchor not in anchors(destination):
                broken.append(f"{page.relative_to(ROOT)}: {target} (no such heading)")
    assert broken == []


def test_the_link_check_sees_links() -> None:
    """Guards the guard: a page's links are found, a broken one would be noticed."""
    readme_links = relative_links(README)
    assert any(link.startswith("docs/") for link in readme_links)
    assert "lifecycle.md#deadlines-the-sla-policy" in {
        link for page in pages() for link in relative_links(page)
    }


def write_tables() -> None:
    """Rewrite every generated table from the code."""
    for table, render in TABLES.items():
        text = table.page.read_text(encoding="utf-8")
        table.page.write_text(rewritten(text, table, render()), encoding="utf-8")


if __name__ == "__main__":
    write_tables()
    sys.exit(0)
