"""python -m ftstudio_trainer tokens --config trainer-config.json [--records N] [--out FILE]

What the model learns, as the trainer sees it: the first N records of the training file tokenized by the
loop's own code (examples.METHODS: the chat template, the masks, truncation at max_seq_length), each token
with whether it is trained. Prints one JSON document on stdout (or writes it to --out, away from whatever
the libraries print):

    {"records": [{"line": 3, "tokens": [{"id": 0, "text": "…", "trained": true}], "trained": 12,
                  "total": 40, "truncated": false, ...}], ...}

Only the tokenizer is loaded (no weights) and only the first N records are read. A record the trainer
cannot read or tokenize ends the preview there, as it would end training: the document then also holds
"error" (kind data, its message naming file and line) and the exit status is 1. Any other failure prints
{"error": {"kind": ..., "message": ...}} alone and exits 1 (kind: config, packages, model, data).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from . import config as config_mod

MAX_RECORDS = 50
SHOWN_AFTER_CUT = 256  # tokens past max_seq_length shown (greyed) so the cut is visible
_UNLIMITED = 1 << 62


class TokensError(Exception):
    def __init__(self, kind: str, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.line = line


def token_texts(tokenizer: Any, ids: list[int]) -> list[str]:
    """Each token's text: decoded together with a few tokens before it, minus those, so byte-level pieces
    and SentencePiece's spaces come out as in the rendering. A token that ends inside a multi-byte
    character gets "" and the character goes to the token that completes it."""

    def decode(x: list[int]) -> str:
        return tokenizer.decode(x, skip_special_tokens=False, clean_up_tokenization_spaces=False)

    out: list[str] = []
    start = 0  # the first token whose text is not out yet
    for i in range(len(ids)):
        ctx = max(0, start - 4)
        before = decode(ids[ctx:start])
        now = decode(ids[ctx : i + 1])
        if now.endswith("\ufffd") and i + 1 < len(ids) and i - start < 3:
            out.append("")
            continue
        out.append(now[len(before) :] if now.startswith(before) else decode(ids[start : i + 1]))
        start = i + 1
    return out


def _sequences(method: str, example: Any) -> list[tuple[str | None, list[int], list[int]]]:
    if method == "dpo":
        (ci, cl), (ri, rl) = example
        return [("chosen", ci, cl), ("rejected", ri, rl)]
    ids, labels = example
    return [(None, ids, labels)]


def preview_record(line: int, rec: dict[str, Any], method: str, tokenizer: Any, max_len: int) -> list[dict[str, Any]]:
    """The record's entries (one, or chosen and rejected for DPO): the tokens the trainer keeps, then up to
    SHOWN_AFTER_CUT of those truncation drops (`"dropped": true`, never trained)."""
    from . import data, examples

    m = examples.METHODS[method]
    kept = m.tokenize(rec, tokenizer, max_len)  # exactly what the loop trains on
    full = m.tokenize(rec, tokenizer, _UNLIMITED)
    skipped = not m.trainable(kept)
    out = []
    for (part, ids, labels), (_, full_ids, full_labels) in zip(_sequences(method, kept), _sequences(method, full)):
        tail = full_ids[len(ids) :] if full_ids[: len(ids)] == ids else []
        tail_labels = full_labels[len(ids) :] if tail else []
        shown = ids + tail[:SHOWN_AFTER_CUT]
        texts = token_texts(tokenizer, shown)
        trained = [label != data.IGNORE for label in labels]
        tokens = [{"id": t, "text": texts[i], "trained": trained[i]} for i, t in enumerate(ids)]
        tokens += [
            {"id": t, "text": texts[len(ids) + i], "trained": False, "dropped": True}
            for i, t in enumerate(tail[:SHOWN_AFTER_CUT])
        ]
        entry: dict[str, Any] = {
            "line": line,
            "tokens": tokens,
            "trained": sum(trained),
            "total": len(ids),
            "truncated": len(full_ids) > len(ids),
            "length": max(len(full_ids), len(ids)),
            "droppedTrained": sum(1 for label in tail_labels if label != data.IGNORE),
            "skipped": skipped,
        }
        if part:
            entry["part"] = part
        out.append(entry)
    return out


def load_tokenizer(cfg: config_mod.TrainConfig) -> tuple[Any, str]:
    """The trainer's tokenizer (model.load_tokenizer: the tokenizer only, no weights) and which template it uses."""
    try:
        import transformers  # noqa: F401
    except ImportError as e:
        raise TokensError("packages", f"{e.name or 'transformers'} is not installed in {sys.executable}") from e
    from . import chat
    from .model import load_tokenizer as trainer_tokenizer

    try:
        tokenizer = trainer_tokenizer(cfg)
    except ImportError as e:
        raise TokensError("packages", f"{e.name or e} is not installed in {sys.executable} ({e})") from e
    except Exception as e:  # noqa: BLE001 — OSError, ValueError, a hub error: all mean "cannot load it"
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise TokensError("model", f"cannot load the tokenizer of {cfg.model}: {first}") from e
    return tokenizer, "plain" if tokenizer.chat_template == chat.PLAIN_TEMPLATE else "model"


def preview(cfg: config_mod.TrainConfig, records: int) -> dict[str, Any]:
    from . import data, examples

    if cfg.method not in examples.METHODS:
        raise TokensError("config", f"the bundled trainer has no method {cfg.method!r}")
    try:
        open(cfg.train, encoding="utf-8").close()
    except OSError as e:
        raise TokensError("data", f"cannot read the training file {cfg.train}: {e.strerror or e}") from e
    tokenizer, template = load_tokenizer(cfg)
    out: list[dict[str, Any]] = []
    error: TokensError | None = None
    try:
        for line, rec in data.iter_jsonl(cfg.train):
            try:
                out += preview_record(line, rec, cfg.method, tokenizer, cfg.max_seq_length)
            except Exception as e:  # noqa: BLE001 — a record the trainer cannot tokenize: say which and why
                raise TokensError(
                    "data", f"{cfg.train}:{line}: the trainer cannot tokenize this record: {e}", line
                ) from e
            if len({r["line"] for r in out}) >= records:
                break
    except data.LineError as e:  # invalid JSON, not an object (the message names file and line)
        error = TokensError("data", str(e), e.line)
    except UnicodeDecodeError as e:
        error = TokensError("data", f"{cfg.train}: not UTF-8 text ({e.reason}): save it as UTF-8")
    except TokensError as e:
        error = e
    doc: dict[str, Any] = {
        "file": cfg.train,
        "model": cfg.model,
        "method": cfg.method,
        "maxSeqLength": cfg.max_seq_length,
        "template": template,
        "records": out,
    }
    if error is not None:
        # the trainer stops at this record: the records before it, then why
        doc["error"] = {"kind": error.kind, "message": str(error), "line": error.line}
    return doc


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="ftstudio_trainer tokens", description=__doc__)
    ap.add_argument("--config", required=True)
    ap.add_argument("--records", type=int, default=5)
    ap.add_argument("--out", help="write the document to this file instead of stdout")
    args = ap.parse_args(argv)

    def emit(doc: dict[str, Any]) -> None:
        text = json.dumps(doc, ensure_ascii=False) + "\n"
        if args.out:
            with open(args.out, "w", encoding="utf-8") as f:
                f.write(text)
        else:
            sys.stdout.write(text)

    def fail(kind: str, message: str, line: int | None = None) -> int:
        err: dict[str, Any] = {"kind": kind, "message": message}
        if line is not None:
            err["line"] = line
        emit({"error": err})
        return 1

    if not 1 <= args.records <= MAX_RECORDS:
        return fail("config", f"--records must be between 1 and {MAX_RECORDS}, got {args.records}")
    try:
        cfg = config_mod.load(args.config)
    except (OSError, ValueError) as e:
        return fail("config", f"{args.config}: {e}")
    try:
        doc = preview(cfg, args.records)
    except TokensError as e:
        return fail(e.kind, str(e), e.line)
    emit(doc)
    return 1 if "error" in doc else 0
