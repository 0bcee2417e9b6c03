"""Refusal detection for the trainer's gates: the twin of src/core/eval/refusal.ts.

An output is a refusal when one of the patterns matches within its first 300 characters (after
leading whitespace), case-insensitive, after curly apostrophes become straight ones. The built-in
patterns are refusal_patterns.json beside this file, the one list the editor, the CLI and the trainer
read; extra patterns (finetune.json eval.refusalPatterns, the editor setting) are added, never
replacing the built-in ones. Both languages are held to test/fixtures/refusal-vectors.json.
"""

from __future__ import annotations

import json
import os
import re
from typing import Callable, Iterable, List

_HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(_HERE, "refusal_patterns.json"), encoding="utf-8") as _f:
    _BUILTIN = json.load(_f)

BUILTIN_REFUSAL_PATTERNS: List[str] = list(_BUILTIN["patterns"])
REFUSAL_WINDOW: int = int(_BUILTIN["window"])
_APOSTROPHES = re.compile("[\u2018\u2019\u02bc]")
# JavaScript's String.prototype.trimStart: its whitespace and line terminators (BOM included)
_LEADING_SPACE = re.compile("^[\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]+")


def refusal_detector(extra: Iterable[str] = (), source: str = "refusal patterns") -> Callable[[str], bool]:
    """A detector with the built-in patterns plus `extra`; a bad extra pattern raises ValueError naming it."""
    extra = list(extra)
    compiled = []
    for i, p in enumerate(BUILTIN_REFUSAL_PATTERNS + extra):
        try:
            # re.ASCII: \b and \w as JavaScript sees them (ASCII letters, digits, _)
            compiled.append(re.compile(p, re.IGNORECASE | re.ASCII))
        except re.error as e:
            raise ValueError(
                f"{source}: pattern {i - len(BUILTIN_REFUSAL_PATTERNS) + 1} {json.dumps(p)} is not a valid regular expression: {e}"
            ) from e

    def detect(output: str) -> bool:
        head = _APOSTROPHES.sub("'", _LEADING_SPACE.sub("", output)[:REFUSAL_WINDOW])
        return any(r.search(head) for r in compiled)

    return detect


is_refusal = refusal_detector()
