"""Close names for a name not found: what the person probably meant. Pure.

A name typed short (`churn-xgb` for `churn-xgb-2026-11-25`) is found by its prefix; a
letter wrong, missing or doubled by difflib's ratio (Ratcliff/Obershelp), which is what
Python itself uses for "did you mean" on a mistyped attribute.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

MOST = 5
CUTOFF = 0.6  # difflib's own default: a letter or two off in a short name still passes


def close_names(wanted: str, names: Iterable[str], most: int = MOST) -> list[str]:
    """Up to `most` of `names` close to `wanted`: those it begins (or that begin it)
    first, shortest first, then the most alike; case is ignored, never the name itself."""
    by_lower: dict[str, str] = {}
    for name in names:
        by_lower.setdefault(name.lower(), name)
    key = wanted.lower()
    by_lower.pop(key, None)
    prefixed = sorted(
        (lower for lower in by_lower if lower.startswith(key) or key.startswith(lower)),
        key=lambda lower: (len(lower), lower),
    )
    alike = difflib.get_close_matches(key, list(by_lower), n=most, cutoff=CUTOFF)
    chosen = list(dict.fromkeys([*prefixed, *alike]))[:most]
    return [by_lower[lower] for lower in chosen]
