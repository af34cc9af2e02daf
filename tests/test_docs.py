"""The documentation stays true to the code: the tables that mirror code are generated from it
(`python -m tests.test_docs` rewrites them), the README stays a front door, and no link points
nowhere."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pydantic import TypeAdapter
from pydantic.fields import FieldInfo

from configuration.settings import Settings
from schemas.case_actions import ACTIONS, Role
from tests.support.desk import ROOT

README = ROOT / "README.md"
DOCS = ROOT / "docs"
README_MOST_LINES = 300


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
        return "computed"
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


@dataclass(frozen=True)
class Generated:
    """A table kept between two marker lines of a page, rendered from the code."""

    page: Path
    name: str
    source: str
    render: Callable[[], str]

    @property
    def begin(self) -> str:
        return f"<!-- {self.name}: generated from {self.source} -->"

    @property
    def end(self) -> str:
        return f"<!-- end {self.name} -->"

    def shown(self, text: str) -> str:
        """What the page holds between the markers (each there once)."""
        assert text.count(self.begin) == 1, f"{self.page.name} needs the line {self.begin}"
        assert text.count(self.end) == 1, f"{self.page.name} needs the line {self.end}"
        return text.split(self.begin + "\n", 1)[1].split("\n" + self.end, 1)[0]

    def write(self) -> None:
        text = self.page.read_text(encoding="utf-8")
        self.page.write_text(text.replace(self.shown(text), self.render(), 1), encoding="utf-8")


ACTION_TABLE = Generated(
    DOCS / "integrating.md", "actions", "schemas/case_actions.py", action_table
)
SETTINGS_TABLE = Generated(
    DOCS / "operating.md", "settings", "configuration/settings.py", settings_table
)
REWRITE = "run `python -m tests.test_docs` and commit docs/"


def test_the_action_table_is_the_one_in_the_code() -> None:
    shown = ACTION_TABLE.shown(ACTION_TABLE.page.read_text(encoding="utf-8"))
    assert shown == action_table(), REWRITE


def test_the_settings_table_lists_every_setting_once_as_the_code_describes_it() -> None:
    shown = SETTINGS_TABLE.shown(SETTINGS_TABLE.page.read_text(encoding="utf-8"))
    names = re.findall(r"^\| `([A-Z_]+)` \|", shown, flags=re.MULTILINE)
    assert sorted(names) == sorted(name.upper() for name in Settings.model_fields)
    assert len(names) == len(set(names))
    assert shown == settings_table(), REWRITE


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


def broken_links(page: Path) -> list[str]:
    """The relative links of a page whose file, or heading, does not exist."""
    broken = []
    for target in relative_links(page):
        path, _, anchor = target.partition("#")
        destination = (page.parent / path).resolve() if path else page
        if not destination.exists():
            broken.append(target)
        elif anchor and destination.suffix == ".md" and anchor not in anchors(destination):
            broken.append(f"{target} (no such heading)")
    return broken


def test_every_relative_link_points_to_something_that_exists() -> None:
    broken = {page.relative_to(ROOT).as_posix(): broken_links(page) for page in pages()}
    assert {page: links for page, links in broken.items() if links} == {}


def test_a_broken_link_is_noticed(tmp_path: Path) -> None:
    """Guards the guard."""
    (tmp_path / "there.md").write_text("# Deadlines (the SLA policy)\n", encoding="utf-8")
    page = tmp_path / "page.md"
    page.write_text(
        "[ok](there.md#deadlines-the-sla-policy) [web](https://temporal.io) `[not](a-link.md)`\n"
        '[gone](missing.md) [heading](there.md#nothing) <img src="missing.png" alt="">\n'
        "```\n[example](in-a-code-block.md)\n```\n",
        encoding="utf-8",
    )
    assert broken_links(page) == [
        "missing.md",
        "there.md#nothing (no such heading)",
        "missing.png",
    ]


if __name__ == "__main__":
    for table in (ACTION_TABLE, SETTINGS_TABLE):
        table.write()
