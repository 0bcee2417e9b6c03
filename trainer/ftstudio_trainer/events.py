"""events.jsonl: one JSON object per line, flushed as written, read live by Finetune Studio."""

from __future__ import annotations

import json
import math
import os
import time
from typing import Any, TextIO

KINDS = ("start", "step", "eval", "checkpoint", "gate", "end", "error")


class EventWriter:
    def __init__(self, path: str, enabled: bool = True):
        self.path = path
        self.enabled = enabled
        self._f: TextIO | None = None
        if enabled:
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
            self._f = open(path, "a", encoding="utf-8")

    def emit(self, event: str, **fields: Any) -> dict[str, Any]:
        if event not in KINDS:
            raise ValueError(f"unknown event {event!r}")
        record: dict[str, Any] = {"event": event, "time": time.time()}
        for k, v in fields.items():
            if v is None:
                continue
            if isinstance(v, float) and not math.isfinite(v):
                v = None  # JSON has no NaN: null, never a string a reader could take for a value (the loop reports the NaN as an error)
            record[k] = v
        if self._f is not None:
            self._f.write(json.dumps(record) + "\n")
            self._f.flush()
        return record

    def close(self) -> None:
        if self._f is not None:
            self._f.close()
            self._f = None
