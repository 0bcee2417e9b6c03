"""Python jsonschema on the same schema and file: the usual way teams validate JSONL in CI."""
import json
import sys

from jsonschema import Draft202012Validator

schema_path, data_path = sys.argv[1], sys.argv[2]
with open(schema_path, encoding="utf-8") as f:
    validator = Draft202012Validator(json.load(f))
records = errors = 0
with open(data_path, encoding="utf-8") as f:
    for line in f:
        if not line.strip():
            continue
        records += 1
        try:
            value = json.loads(line)
        except ValueError:
            errors += 1
            continue
        for _ in validator.iter_errors(value):
            errors += 1
print(records, errors)
