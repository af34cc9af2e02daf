"""Process-wide settings a long-running process applies to itself as it starts, so a deployment
need not remember them (docs/operating.md, "Worker memory").

glibc gives each thread that allocates under contention an arena of its own, up to eight per
core, and keeps what each arena once held: the worker's threads (the SDK's core, the workflow
task and activity pools) each keep their own high-water mark. Two arenas serve a two-core
worker's threads as well and keep two high-water marks instead of a dozen.
"""

from __future__ import annotations

import ctypes
import sys

_M_ARENA_MAX = -8  # glibc's <malloc.h>


def limit_malloc_arenas(arenas: int) -> bool:
    """Caps glibc's malloc arenas for this process (`Settings.malloc_arena_max`; 0: glibc's own
    default), before its threads start; True when applied. Other C libraries are left alone."""
    if arenas <= 0 or sys.platform != "linux":
        return False
    mallopt = getattr(ctypes.CDLL(None), "mallopt", None)
    return mallopt is not None and bool(mallopt(_M_ARENA_MAX, arenas))
