"""Task metrics on a held-out set, and their 95% bootstrap intervals.

The twin of src/core/eval/metrics.ts and src/core/eval/bootstrap.ts: both are held to
test/fixtures/metric-vectors.json and agree to 1e-9. Standard library only (json_schema needs the
jsonschema package, imported when that metric is used).

Scores are fractions in [0, 1]: the mean of per-item scores (exact_match, token_f1, rouge_l,
json_schema) or, for macro_f1, a statistic of the whole set.
"""

from __future__ import annotations

import json
import math
import re
import string
from collections import Counter
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

METRICS = ("exact_match", "token_f1", "rouge_l", "macro_f1", "json_schema")

BOOTSTRAP_RESAMPLES = 1000
BOOTSTRAP_SEED = 20240613

_PUNCTUATION = set(string.punctuation)
# str patterns in Python's re are Unicode-aware: \b is between a letter/digit/_ and anything else
_ARTICLES = re.compile(r"\b(a|an|the)\b")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def normalize_answer(s: str) -> str:
    """SQuAD v1.1's normalize_answer: lower case, punctuation removed, articles removed, whitespace collapsed."""
    s = s.lower()
    s = "".join(ch for ch in s if ch not in _PUNCTUATION)
    s = _ARTICLES.sub(" ", s)
    return " ".join(s.split())


def exact_match(prediction: str, reference: str) -> float:
    """1 when prediction and reference are equal after normalisation, else 0 (SQuAD v1.1)."""
    return 1.0 if normalize_answer(prediction) == normalize_answer(reference) else 0.0


def token_f1(prediction: str, reference: str) -> float:
    """SQuAD's token F1; when either side has no tokens: 1 if both are empty, else 0."""
    p = normalize_answer(prediction).split()
    r = normalize_answer(reference).split()
    if not p or not r:
        return 1.0 if len(p) == len(r) else 0.0
    same = sum((Counter(p) & Counter(r)).values())
    if same == 0:
        return 0.0
    precision = 1.0 * same / len(p)
    recall = 1.0 * same / len(r)
    return (2 * precision * recall) / (precision + recall)


def rouge_tokens(s: str) -> List[str]:
    """Google rouge-score's tokenizer without stemming: lower case, every run outside [a-z0-9] separates."""
    return [t for t in _NOT_ALNUM.split(s.lower()) if t]


def _lcs_length(a: Sequence[str], b: Sequence[str]) -> int:
    prev = [0] * (len(b) + 1)
    for i in range(1, len(a) + 1):
        cur = [0] * (len(b) + 1)
        for j in range(1, len(b) + 1):
            cur[j] = prev[j - 1] + 1 if a[i - 1] == b[j - 1] else max(prev[j], cur[j - 1])
        prev = cur
    return prev[len(b)]


def rouge_l(prediction: str, reference: str) -> float:
    """ROUGE-L F-measure (beta = 1) as rouge-score computes it; 0 when either side has no tokens."""
    target = rouge_tokens(reference)
    pred = rouge_tokens(prediction)
    if not target or not pred:
        return 0.0
    lcs = _lcs_length(target, pred)
    precision = lcs / len(pred)
    recall = lcs / len(target)
    return 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0


def label_of(s: str) -> str:
    """A classification label from a model's output or a reference: the text without surrounding whitespace."""
    return s.strip()


def macro_f1(references: Sequence[str], predictions: Sequence[str]) -> float:
    """scikit-learn's f1_score(average="macro") over the labels in references or predictions; 0 for an empty set."""
    if len(references) != len(predictions):
        raise ValueError(f"macro_f1 needs as many predictions as references ({len(predictions)} vs {len(references)})")
    stats: Dict[str, List[int]] = {}
    for r, p in zip(references, predictions):
        stats.setdefault(r, [0, 0, 0])[1] += 1
        stats.setdefault(p, [0, 0, 0])[2] += 1
        if r == p:
            stats[r][0] += 1
    if not stats:
        return 0.0
    total = 0.0
    for label in sorted(stats):
        tp, in_refs, in_preds = stats[label]
        total += (2 * tp) / (in_refs + in_preds)
    return total / len(stats)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_json_output(text: str) -> Tuple[bool, Any]:
    """Parse an output as strict JSON (NaN and Infinity refused, as JavaScript's JSON.parse does)."""
    try:
        return True, json.loads(text, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        return False, None


def schema_validator(schema: Any) -> Callable[[Any], bool]:
    """A draft 2020-12 validator of `schema` (needs the jsonschema package)."""
    try:
        import jsonschema  # type: ignore
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise RuntimeError("the json_schema metric needs the Python package jsonschema (pip install jsonschema)") from e
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    cls.check_schema(schema)
    validator = cls(schema)
    return validator.is_valid


def json_schema_pass(output: str, validate: Callable[[Any], bool]) -> float:
    """1 when the output parses as JSON and `validate` accepts it, else 0."""
    ok, value = parse_json_output(output)
    return 1.0 if ok and validate(value) else 0.0


def mean(xs: Sequence[float]) -> float:
    """The mean of a list, summed left to right (0 for an empty list)."""
    if not xs:
        return 0.0
    s = 0.0
    for x in xs:
        s += x
    return s / len(xs)


# --- bootstrap ---------------------------------------------------------------------------------

_M32 = 0xFFFFFFFF


def _imul(a: int, b: int) -> int:
    return (a * b) & _M32


def mulberry32(seed: int) -> Callable[[], float]:
    """mulberry32 with the same 32-bit steps as the TypeScript twin: uniform doubles in [0, 1)."""
    state = [seed & _M32]

    def nxt() -> float:
        a = (state[0] + 0x6D2B79F5) & _M32
        state[0] = a
        t = _imul(a ^ (a >> 15), 1 | a)
        t = ((t + _imul(t ^ (t >> 7), 61 | t)) & _M32) ^ t
        return ((t ^ (t >> 14)) & _M32) / 4294967296

    return nxt


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """numpy.percentile(sorted_values, q*100) with linear interpolation."""
    pos = q * (len(sorted_values) - 1)
    lo = math.floor(pos)
    hi = math.ceil(pos)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def bootstrap_ci(
    n: int, statistic: Callable[[List[int]], float], resamples: int = BOOTSTRAP_RESAMPLES, seed: int = BOOTSTRAP_SEED
) -> Tuple[float, float]:
    """The 95% percentile interval of `statistic` over resamples of n items (indices with replacement)."""
    if n == 0:
        return (0.0, 0.0)
    nxt = mulberry32(seed)
    stats = []
    for _ in range(resamples):
        idx = [math.floor(nxt() * n) for _ in range(n)]
        stats.append(statistic(idx))
    stats.sort()
    return (percentile(stats, 0.025), percentile(stats, 0.975))


def mean_ci(
    scores: Sequence[float], resamples: int = BOOTSTRAP_RESAMPLES, seed: int = BOOTSTRAP_SEED
) -> Tuple[float, float]:
    """The interval of a mean of per-item scores."""

    def stat(idx: List[int]) -> float:
        s = 0.0
        for i in idx:
            s += scores[i]
        return s / len(idx)

    return bootstrap_ci(len(scores), stat, resamples, seed)


# --- one call per held-out set -------------------------------------------------------------------

_PER_ITEM = {"exact_match": exact_match, "token_f1": token_f1, "rouge_l": rouge_l}


def score(
    metric: str,
    references: Sequence[str],
    predictions: Sequence[str],
    schema: Optional[Any] = None,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> Dict[str, Any]:
    """{"metric", "score", "n", "ci95": [lo, hi]} for one metric over paired references and predictions."""
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}: use one of {', '.join(METRICS)}")
    if len(references) != len(predictions):
        raise ValueError(f"{metric} needs as many predictions as references ({len(predictions)} vs {len(references)})")
    n = len(predictions)
    if metric == "macro_f1":
        refs = [label_of(r) for r in references]
        preds = [label_of(p) for p in predictions]
        value = macro_f1(refs, preds)
        lo, hi = bootstrap_ci(n, lambda idx: macro_f1([refs[i] for i in idx], [preds[i] for i in idx]), resamples, seed)
    else:
        if metric == "json_schema":
            if schema is None:
                raise ValueError("json_schema needs a schema")
            validate = schema_validator(schema)
            scores = [json_schema_pass(p, validate) for p in predictions]
        else:
            f = _PER_ITEM[metric]
            scores = [f(p, r) for p, r in zip(predictions, references)]
        value = mean(scores)
        lo, hi = mean_ci(scores, resamples, seed)
    return {"metric": metric, "score": value, "n": n, "ci95": [lo, hi]}
