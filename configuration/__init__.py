"""Every setting the system reads, in one typed place (docs/operating.md, "Settings").

`Settings` and `load` are imported on first use: `configuration.environment` (what a fast
command reads before pydantic is loaded) must not pay for them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from configuration.settings import Settings, load

__all__ = ["Settings", "load"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from configuration import settings

        return getattr(settings, name)
    raise AttributeError(f"module 'configuration' has no attribute {name!r}")
