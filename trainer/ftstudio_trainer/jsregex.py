"""Golden-set regexes are written in JavaScript syntax (the editor checks them with `new RegExp`); this turns
the common subset into a Python pattern that matches the same strings, and refuses what it cannot.

Translated so that both languages agree: `\\d` `\\w` `\\b` (and their negations) are ASCII as in JavaScript,
`\\s` is JavaScript's whitespace set, `.` stops at \\n \\r \\u2028 \\u2029 (all of them with the `s` flag),
`$` is the end of the text (Python's would also match before a final newline) and with `m` `^`/`$` are
line starts/ends at any of JavaScript's line terminators, `(?<name>…)` / `\\k<name>` become Python's named
groups. Refused with a message (RegexUnsupported): `[^]` and `[]`, `\\c`, `\\S` `\\W` `\\D` inside a class,
an escaped letter JavaScript reads as the letter itself (`\\A` means "A" there, not Python's anchor),
lookbehinds Python cannot take (variable width), anything Python's `re` rejects. Case-insensitive
matching (`i`) folds case as Python does, which differs from JavaScript for a few letters (the long s ſ,
the Kelvin sign K).
"""

from __future__ import annotations

import re

_LINE_END = "\\n\\r\\u2028\\u2029"
_SPACE = "\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff"
_WORD = "A-Za-z0-9_"
_IN_CLASS = {"d": "0-9", "w": _WORD, "s": _SPACE}
_OUTSIDE = {
    "d": "[0-9]",
    "D": "[^0-9]",
    "w": f"[{_WORD}]",
    "W": f"[^{_WORD}]",
    "s": f"[{_SPACE}]",
    "S": f"[^{_SPACE}]",
    "b": f"(?:(?<=[{_WORD}])(?![{_WORD}])|(?<![{_WORD}])(?=[{_WORD}]))",
    "B": f"(?:(?<=[{_WORD}])(?=[{_WORD}])|(?<![{_WORD}])(?![{_WORD}]))",
}
# escapes with the same meaning in both languages
_SAME = set("nrtfv0")


class RegexUnsupported(ValueError):
    pass


def _escape(src: str, i: int, in_class: bool) -> tuple[str, int]:
    """The Python text for the escape at src[i] == '\\\\', and the index after it."""
    if i + 1 >= len(src):
        raise RegexUnsupported("a trailing backslash")
    c = src[i + 1]
    if in_class and c in _IN_CLASS:
        return _IN_CLASS[c], i + 2
    if in_class and c in "DWS":
        raise RegexUnsupported(f"\\{c} inside a character class: write the class another way (e.g. (?:[...]|\\{c}))")
    if in_class and c == "b":
        return "\\x08", i + 2  # backspace in both, inside a class
    if not in_class and c in _OUTSIDE:
        return _OUTSIDE[c], i + 2
    if c == "0" and i + 2 < len(src) and src[i + 2].isdigit():
        raise RegexUnsupported("an octal escape (\\0 followed by a digit)")
    if c in _SAME:
        return "\\" + c, i + 2
    if c == "x" and re.match(r"[0-9A-Fa-f]{2}", src[i + 2 : i + 4]):
        return src[i : i + 4], i + 4
    if c == "u" and re.match(r"[0-9A-Fa-f]{4}", src[i + 2 : i + 6]):
        return src[i : i + 6], i + 6
    if c.isdigit() and not in_class:
        m = re.match(r"[1-9][0-9]*", src[i + 1 :])
        assert m is not None
        return "\\" + m.group(0), i + 1 + len(m.group(0))
    if c == "k" and not in_class:
        m = re.match(r"k<([A-Za-z_][A-Za-z0-9_]*)>", src[i + 1 :])
        if m:
            return f"(?P={m.group(1)})", i + 1 + len(m.group(0))
    if c.isalnum():
        raise RegexUnsupported(
            f"the escape \\{c}: JavaScript reads it as {'the letter ' + c if c.isalpha() else c!r} (or rejects it); write it without the backslash"
        )
    return "\\" + c, i + 2  # an escaped punctuation character: itself in both


def translate(src: str, flags: str = "") -> tuple[str, int]:
    """(Python pattern, re flags) for a JavaScript regex with flags from "ims"; RegexUnsupported otherwise."""
    bad = set(flags) - set("ims")
    if bad:
        raise RegexUnsupported(f"the flag(s) {''.join(sorted(bad))}: golden regexes take i, m and s")
    multiline, dotall = "m" in flags, "s" in flags
    out: list[str] = []
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        if c == "\\":
            text, i = _escape(src, i, False)
            out.append(text)
        elif c == "[":
            j = i + 1
            part = ["["]
            if j < n and src[j] == "^":
                part.append("^")
                j += 1
            if j < n and src[j] == "]":
                raise RegexUnsupported("[] or [^] (an empty class): JavaScript-only")
            while j < n and src[j] != "]":
                if src[j] == "\\":
                    text, j = _escape(src, j, True)
                    part.append(text)
                elif src[j] == "[":
                    part.append("\\[")  # a literal [ inside a class (Python would warn of set operations)
                    j += 1
                else:
                    part.append(src[j])
                    j += 1
            if j >= n:
                raise RegexUnsupported("an unterminated character class")
            part.append("]")
            out.append("".join(part))
            i = j + 1
        elif c == "{" and src.startswith("{,", i):
            out.append("\\{")  # JavaScript: a literal brace; Python 3 would read {,n} as a quantifier
            i += 1
        elif c == "." and not dotall:
            out.append(f"[^{_LINE_END}]")
            i += 1
        elif c == ".":
            out.append("(?s:.)")
            i += 1
        elif c == "$":
            out.append(f"(?=[{_LINE_END}]|\\Z)" if multiline else "\\Z")
            i += 1
        elif c == "^":
            out.append(f"(?:(?<=[{_LINE_END}])|\\A)" if multiline else "\\A")
            i += 1
        elif c == "(" and src.startswith("(?<", i) and not src.startswith(("(?<=", "(?<!"), i):
            m = re.match(r"\(\?<([A-Za-z_][A-Za-z0-9_]*)>", src[i:])
            if not m:
                raise RegexUnsupported("a group name Python cannot take (ASCII letters, digits and _)")
            out.append(f"(?P<{m.group(1)}>")
            i += len(m.group(0))
        elif c == "(" and src.startswith("(?", i) and not src.startswith(("(?:", "(?=", "(?!", "(?<=", "(?<!"), i):
            raise RegexUnsupported(f"the group syntax {src[i : i + 3]}")
        else:
            out.append(c)
            i += 1
    pattern = "".join(out)
    py_flags = re.IGNORECASE if "i" in flags else 0
    try:
        re.compile(pattern, py_flags)
    except re.error as e:
        raise RegexUnsupported(f"Python's re cannot take it ({e})") from e
    return pattern, py_flags


def compile_js(src: str, flags: str = "") -> re.Pattern[str]:
    pattern, py_flags = translate(src, flags)
    return re.compile(pattern, py_flags)
