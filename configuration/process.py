"""Process-wide settings a long-running process applies to itself as it starts, so a deployment
need not remember them (docs/operating.md, "Worker memory").

glibc gives each thread that allocates under contention an arena of its own, up to eight per
core, and keeps what each arena once held: the worker's threads (the SDK's core, the workflow
task and activity pools) each keep their own high-water mark. Two arenas serve a two-core
worker's threads as fast and keep one high-water mark per arena instead.
"""

from __future__ import annotations

import ctypes
import os
import sys

MALLOC_ARENAS = 2
_M_ARENA_MAX = -8  # glibc's <malloc.h>


def limit_malloc_arenas(arenas: int = MALLOC_ARENAS) -> bool:
    """Caps glibc's malloc arenas for this process, before its threads start; True when applied.
    An operator's own `MALLOC_ARENA_MAX` wins; other C libraries are left alone."""
    if sys.platform != "linux" or "MALLOC_ARENA_MAX" in os.environ:
        return False
    mallopt = getattr(ctypes.CDLL(None), "mallopt", None)
    return mallopt is not None and bool(mallopt(_M_ARENA_MAX, arenas))
