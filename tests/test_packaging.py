"""The installed project must carry every package: `./dev up` runs the installed entry point,
not the checkout, so a package missing from pyproject.toml breaks newcomers while tests pass."""

from __future__ import annotations

import tomllib

from tests.conftest import ROOT


def test_every_package_in_the_checkout_is_installed() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    found = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests"}
    assert found <= listed, f"add {sorted(found - listed)} to [tool.setuptools] packages"
    modules = {p.stem for p in ROOT.glob("*.py")}
    assert modules <= set(config["tool"]["setuptools"]["py-modules"])
