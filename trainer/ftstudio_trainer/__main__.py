"""python -m ftstudio_trainer --config trainer-config.json --events events.jsonl [--stop-file STOP]
python -m ftstudio_trainer eval --config CONFIG --out eval.json [--checkpoint DIR]   (evalcmd.py)
python -m ftstudio_trainer tokens --config trainer-config.json [--records N]   (see tokens.py)"""

from __future__ import annotations

import argparse
import dataclasses
import sys

from . import config


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["eval"]:
        from .evalcmd import main as eval_main

        return eval_main(argv[1:])
    if argv[:1] == ["tokens"]:
        from . import tokens

        return tokens.main(argv[1:])
    ap = argparse.ArgumentParser(prog="ftstudio_trainer", description=__doc__)
    ap.add_argument("--config", required=True)
    ap.add_argument("--events")
    ap.add_argument("--stop-file")
    args = ap.parse_args(argv)
    try:
        cfg = config.load(args.config)
    except (OSError, ValueError) as e:
        print(f"ftstudio_trainer: {args.config}: {e}", file=sys.stderr)
        return 2
    if args.events:
        cfg = dataclasses.replace(cfg, events=args.events)
    from .train import run

    return run(cfg, args.stop_file)


if __name__ == "__main__":
    sys.exit(main())
