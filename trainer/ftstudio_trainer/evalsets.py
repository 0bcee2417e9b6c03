"""Reading the evaluation sets the gates run on: golden items with their assertions (checked here, the way
src/core/eval/assertions.ts checks them), safety items, and a fixed sample of held-out records with their
references. The editor's validator checks these files in full as they are typed; here every problem is an
EvalSetError naming the file and line, raised before any GPU time is spent.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Sequence, Union

from . import data, metrics
from .jsregex import RegexUnsupported, compile_js

Prompt = Union[list, str]  # chat turns (rendered with the chat template) or raw text
ASSERTION_TYPES = (
    "equals",
    "contains",
    "not-contains",
    "starts-with",
    "regex",
    "is-json",
    "json-schema",
    "max-length",
    "refusal",
    "not-refusal",
)


class EvalSetError(ValueError):
    pass


@dataclass
class Assertion:
    type: str
    value: Any = None
    flags: str = ""
    regex: Any = None  # compiled (regex)
    validate: Optional[Callable[[Any], bool]] = None  # json-schema


@dataclass
class GoldenItem:
    id: str
    line: int
    prompt: Prompt
    asserts: list[Assertion]
    must_pass: bool = False
    tags: list[str] = field(default_factory=list)


@dataclass
class SafetyItem:
    id: str
    line: int
    prompt: Prompt
    expect: str


def _records(path: str, what: str) -> list[tuple[int, dict[str, Any]]]:
    try:
        with open(path, encoding="utf-8-sig") as f:
            lines = f.read().splitlines()
    except OSError as e:
        raise EvalSetError(f"cannot read the {what} {path}: {e.strerror or e}") from e
    out = []
    for n, text in enumerate(lines, 1):
        if not text.strip():
            continue
        try:
            rec = json.loads(text)
        except ValueError as e:
            raise EvalSetError(f"{path}:{n}: invalid JSON ({e}); run `ftstudio validate {path}`") from e
        if not isinstance(rec, dict):
            raise EvalSetError(f"{path}:{n}: each line must be a JSON object")
        out.append((n, rec))
    if not out:
        raise EvalSetError(f"{path}: the {what} has no items: write one JSON object per line")
    return out


def id_key(v: Any) -> Optional[str]:
    """An item's id as text (the twin of idKey in src/core/formats/evalSets.ts)."""
    if isinstance(v, str) and v.strip():
        return v
    if isinstance(v, int) and not isinstance(v, bool):
        return str(v)
    return None


def _prompt(rec: dict[str, Any], where: str) -> list:
    if isinstance(rec.get("prompt"), str):
        return [{"role": "user", "content": rec["prompt"]}]
    msgs = rec.get("messages")
    if isinstance(msgs, list) and msgs and all(isinstance(m, dict) for m in msgs):
        while msgs and msgs[-1].get("role") == "assistant":
            msgs = msgs[:-1]  # the model writes the answer
        if msgs:
            return msgs
    raise EvalSetError(f'{where}: the item needs "prompt" (text) or "messages" (chat turns ending with the user\'s)')


def _ids(items: Sequence[Any], path: str) -> None:
    seen: dict[str, int] = {}
    for it in items:
        if it.id in seen:
            raise EvalSetError(f"{path}:{it.line}: id {json.dumps(it.id)} is already used on line {seen[it.id]}")
        seen[it.id] = it.line


def load_golden(path: str) -> list[GoldenItem]:
    items = []
    schemas: dict[str, Callable[[Any], bool]] = {}
    for n, rec in _records(path, "golden set"):
        where = f"{path}:{n}"
        gid = id_key(rec.get("id"))
        if gid is None:
            raise EvalSetError(f'{where}: a golden item needs "id" (a non-empty string or an integer)')
        raw = rec.get("assert")
        if not isinstance(raw, list) or not raw:
            raise EvalSetError(f'{where}: item {json.dumps(gid)} needs "assert": a list of {{"type", "value"}}')
        asserts = []
        for k, a in enumerate(raw, 1):
            at = f"{where}: item {json.dumps(gid)}, assertion {k}"
            if not isinstance(a, dict) or a.get("type") not in ASSERTION_TYPES:
                raise EvalSetError(f"{at}: the type must be one of {', '.join(ASSERTION_TYPES)}")
            asserts.append(_assertion(a, at, path, schemas))
        items.append(
            GoldenItem(
                gid,
                n,
                _prompt(rec, where),
                asserts,
                rec.get("mustPass") is True,
                [t for t in rec.get("tags") or [] if isinstance(t, str)],
            )
        )
    _ids(items, path)
    return items


def _assertion(a: dict[str, Any], at: str, path: str, schemas: dict[str, Callable[[Any], bool]]) -> Assertion:
    t, v = a["type"], a.get("value")
    out = Assertion(t, v, a.get("flags") or "")
    if t in ("equals", "contains", "not-contains", "starts-with") and not isinstance(v, str):
        raise EvalSetError(f"{at}: {t} needs a text value")
    if t == "max-length" and (not isinstance(v, int) or isinstance(v, bool) or v < 0):
        raise EvalSetError(f"{at}: max-length needs a whole number of characters")
    if t == "regex":
        if not isinstance(v, str):
            raise EvalSetError(f"{at}: regex needs a text value")
        try:
            out.regex = compile_js(v, out.flags)
        except RegexUnsupported as e:
            raise EvalSetError(
                f"{at}: the regex /{v}/{out.flags} cannot be checked the same way in the trainer: {e} (see the README, 'Golden regexes')"
            ) from e
    if t == "json-schema":
        try:
            if isinstance(v, str):
                file = os.path.join(os.path.dirname(os.path.abspath(path)), v)
                if file not in schemas:
                    with open(file, encoding="utf-8") as f:
                        schemas[file] = metrics.schema_validator(json.load(f))
                out.validate = schemas[file]
            elif isinstance(v, dict):
                out.validate = metrics.schema_validator(v)
            else:
                raise EvalSetError(f"{at}: json-schema needs a schema (an object) or the path of one")
        except EvalSetError:
            raise
        except (OSError, ValueError) as e:
            raise EvalSetError(f"{at}: the schema cannot be used: {e}") from e
        except Exception as e:  # jsonschema's SchemaError
            raise EvalSetError(f"{at}: the schema is not a valid JSON Schema: {getattr(e, 'message', e)}") from e
    return out


def load_safety(path: str) -> list[SafetyItem]:
    items = []
    for n, rec in _records(path, "safety set"):
        where = f"{path}:{n}"
        sid = id_key(rec.get("id"))
        if sid is None:
            raise EvalSetError(f'{where}: a safety item needs "id" (a non-empty string or an integer)')
        if rec.get("expect") not in ("refuse", "comply"):
            raise EvalSetError(f'{where}: item {json.dumps(sid)}: "expect" must be "refuse" or "comply"')
        items.append(SafetyItem(sid, n, _prompt(rec, where), rec["expect"]))
    _ids(items, path)
    return items


def reference_of(rec: dict[str, Any]) -> Optional[str]:
    """The expected answer of a held-out record (the twin of referenceOf in src/core/eval/evalFiles.ts)."""

    def text(content: Any) -> Optional[str]:
        if isinstance(content, str):
            return content
        if isinstance(content, list):
            parts = [
                p["text"]
                for p in content
                if isinstance(p, dict) and p.get("type") == "text" and isinstance(p.get("text"), str)
            ]
            return "".join(parts) if parts else None
        return None

    def last(turns: Any, role: str = "role", content: str = "content", names: tuple = ("assistant",)) -> Optional[str]:
        if not isinstance(turns, list):
            return None
        for t in reversed(turns):
            if isinstance(t, dict) and str(t.get(role)) in names:
                return text(t.get(content))
        return None

    if "completion" in rec:
        return rec["completion"] if isinstance(rec["completion"], str) else last(rec["completion"])
    if "messages" in rec:
        return last(rec["messages"])
    if "conversations" in rec:
        return last(rec["conversations"], "from", "value", ("gpt", "assistant"))
    if isinstance(rec.get("output"), str):
        return rec["output"]
    return None


def heldout_prompt(rec: dict[str, Any]) -> Optional[Prompt]:
    """What the model is given for a held-out record: the turns before the last answer (chat template), or the
    raw prompt text of a prompt-completion / Alpaca record, as the trainer formats it for training."""
    conv = data.sft_conversation(rec)
    if conv is not None:
        k = max((i for i, m in enumerate(conv) if m.get("role") == "assistant"), default=-1)
        return conv[:k] if k > 0 else None
    if isinstance(rec.get("prompt"), str) and isinstance(rec.get("completion"), str):
        return rec["prompt"]
    if "instruction" in rec and "output" in rec:
        return rec["instruction"] + (("\n\n" + rec["input"]) if rec.get("input") else "") + "\n\n"
    return None


def load_heldout_sample(path: str, max_records: int) -> list[tuple[int, Prompt, str]]:
    """(line, prompt, reference) of the first max_records held-out records that have both: a fixed sample,
    the same at every checkpoint."""
    out = []
    for n, rec in _records(path, "held-out set"):
        ref, prompt = reference_of(rec), heldout_prompt(rec)
        if ref is not None and prompt is not None:
            out.append((n, prompt, ref))
            if len(out) >= max_records:
                break
    return out
