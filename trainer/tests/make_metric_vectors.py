"""Write test/fixtures/metric-vectors.json: the vectors both metric implementations (TypeScript and
Python) are held to. Run it only when the cases change: `python3 trainer/tests/make_metric_vectors.py`.

Expected values come from ftstudio_trainer.metrics; test_metrics.py holds that module to independent
references (the official SQuAD v1.1 functions, scikit-learn, jsonschema, hand-worked ROUGE-L values),
and the TypeScript test holds src/core/eval to this file.
"""

import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))

from ftstudio_trainer import metrics  # noqa: E402

OUT = os.path.join(HERE, "..", "..", "test", "fixtures", "metric-vectors.json")

# prediction, reference: each case names what it exercises
PAIRS = [
    ("Paris", "paris"),
    ("The Eiffel Tower.", "eiffel tower"),
    ("an apple a day", "apple day"),
    ("A", "the"),
    ("", ""),
    ("", "something"),
    ("...!?", ""),
    ("the cat sat on the mat", "the cat lay on the mat"),
    ("police killed the gunman", "the gunman police killed"),
    ("Hello, World!", "hello world"),
    ("the_the", "thethe"),
    ("théa a", "théa"),  # é is a word character: no article boundary inside "théa"
    ("éa an", "éa"),  # "éa" is one word in Python's Unicode \b
    ("naïve café", "naive cafe"),
    ("Café au lait", "cafe au lait"),  # rouge: é separates -> caf, au, lait
    ("ΟΔΟΣ", "οδος"),  # final sigma when lower-cased
    ("İstanbul", "istanbul"),  # dotted capital I lower-cases to i + combining dot
    ("one\u00a0two\u2003three", "one two three"),
    ("one\x85two\x1ctwo", "one two two"),  # Python whitespace that JavaScript's \s lacks
    ("one\ufefftwo", "one two"),  # BOM: JavaScript's \s has it, Python's split does not
    ("yes yes yes no", "yes no no"),  # repeated tokens: Counter intersection
    ("42 is the answer", "The answer is 42."),
    ("3.14", "314"),
    ("北京 是 首都", "北京是首都"),
    ("emoji 😀 ok", "emoji ok 😀"),
    ("tab\tsep\nnew line", "tab sep new line"),
    ("  leading and trailing  ", "leading and trailing"),
    ("a an the", ""),
    ("The answer: (B) 'theory'", "b theory"),
    ("co-operate well-known", "cooperate wellknown"),
    ("K\u212a", "kk"),  # Kelvin sign lower-cases to ASCII k
    ("x" * 3 + " y z " * 5, "y z x y z"),
]

LABELS = [
    (["pos", "neg", "neu", "pos", "neg"], ["pos", "neg", "pos", "pos", "neu"]),
    (["a", "a", "a"], ["a", "a", "a"]),
    (["a", "b"], ["c", "d"]),  # labels only in predictions count (F1 0)
    (["spam", "ham", "ham", "spam", "ham", "ham"], ["spam", "spam", "ham", "ham", "ham", "eggs"]),
    (["B", "a", "Ä", "b"], ["a", "B", "Ä", "b"]),  # order of labels: by code point
    ([], []),
]

SCHEMA = {
    "type": "object",
    "required": ["name", "age"],
    "properties": {"name": {"type": "string"}, "age": {"type": "integer", "minimum": 0}},
    "additionalProperties": False,
}
JSON_OUTPUTS = [
    '{"name": "Ada", "age": 36}',
    '{"name": "Ada", "age": -1}',
    '{"name": "Ada"}',
    '{"name": "Ada", "age": 36, "x": 1}',
    "not json",
    '```json\n{"name": "Ada", "age": 36}\n```',
    '  {"name": "B", "age": 1.0}  ',
    '{"name": "C", "age": NaN}',
    '{"name": "D", "age": Infinity}',
    "[1, 2]",
    "",
    '{"name": "E", "age": 2}\n',
]


def random_pairs(rng, n):
    vocab = [
        "the",
        "a",
        "an",
        "cat",
        "dog",
        "Sat",
        "mat",
        "on",
        "blue",
        "RED",
        "42",
        "x-ray",
        "co.",
        "é",
        "naïve",
        "!",
        "?",
        "don't",
    ]
    out = []
    for _ in range(n):
        ref = " ".join(rng.choice(vocab) for _ in range(rng.randint(0, 8)))
        pred = " ".join(rng.choice(vocab) for _ in range(rng.randint(0, 8)))
        out.append((pred, ref))
    return out


def main():
    rng = random.Random(7)
    pairs = PAIRS + random_pairs(rng, 40)
    doc = {
        "about": "Shared vectors for src/core/eval (TypeScript) and trainer/ftstudio_trainer/metrics.py; made by trainer/tests/make_metric_vectors.py. Both must match to 1e-9.",
        "prng": [
            {"seed": s, "first": _take(metrics.mulberry32(s), 8)} for s in (0, 1, metrics.BOOTSTRAP_SEED, 4294967295)
        ],
        "pairs": [
            {
                "prediction": p,
                "reference": r,
                "exact_match": metrics.exact_match(p, r),
                "token_f1": metrics.token_f1(p, r),
                "rouge_l": metrics.rouge_l(p, r),
                "normalized": metrics.normalize_answer(p),
                "rougeTokens": metrics.rouge_tokens(p),
            }
            for p, r in pairs
        ],
        "macroF1": [{"references": r, "predictions": p, "score": metrics.macro_f1(r, p)} for r, p in LABELS],
        "jsonSchema": {
            "schema": SCHEMA,
            "outputs": JSON_OUTPUTS,
            "passes": [metrics.json_schema_pass(o, metrics.schema_validator(SCHEMA)) for o in JSON_OUTPUTS],
        },
        "sets": [],
    }
    preds = [p for p, _ in pairs]
    refs = [r for _, r in pairs]
    for m in ("exact_match", "token_f1", "rouge_l"):
        doc["sets"].append(
            {"metric": m, "references": refs, "predictions": preds, **_result(metrics.score(m, refs, preds))}
        )
    cls_refs = [rng.choice(["pos", "neg", "neu"]) for _ in range(60)]
    cls_preds = [r if rng.random() < 0.7 else rng.choice(["pos", "neg", "neu", " pos\n"]) for r in cls_refs]
    doc["sets"].append(
        {
            "metric": "macro_f1",
            "references": cls_refs,
            "predictions": cls_preds,
            **_result(metrics.score("macro_f1", cls_refs, cls_preds)),
        }
    )
    doc["sets"].append(
        {
            "metric": "json_schema",
            "schema": SCHEMA,
            "references": [""] * len(JSON_OUTPUTS),
            "predictions": JSON_OUTPUTS,
            **_result(metrics.score("json_schema", [""] * len(JSON_OUTPUTS), JSON_OUTPUTS, schema=SCHEMA)),
        }
    )
    doc["sets"].append(
        {
            "metric": "exact_match",
            "references": ["a"],
            "predictions": ["a"],
            **_result(metrics.score("exact_match", ["a"], ["a"])),
        }
    )
    doc["sets"].append(
        {"metric": "token_f1", "references": [], "predictions": [], **_result(metrics.score("token_f1", [], []))}
    )
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"wrote {OUT}")


def _take(nxt, n):
    return [nxt() for _ in range(n)]


def _result(r):
    return {"score": r["score"], "n": r["n"], "ci95": r["ci95"]}


if __name__ == "__main__":
    main()
