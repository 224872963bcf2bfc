"""`python -m distillery_trainer <command> --spec spec.json --work-dir DIR`
   `python -m distillery_trainer export-dataset --source fashion-mnist|synthetic ... --out FILE.npz`
   (its own arguments: see commands/export_dataset.py)

Exit status: 0 done, 143 stopped by SIGTERM after writing a checkpoint (a retry resumes),
2 bad arguments or spec, 1 anything else (the traceback goes to stderr, which the runner logs).
"""
import argparse
import json
import os
import sys

from .checkpoint import StopRequest
from .seeding import configure_threads

COMMANDS = ("pretrain", "distill", "extractor")


def main(argv=None) -> int:
    arguments = sys.argv[1:] if argv is None else list(argv)
    if arguments[:1] == ["export-dataset"]:
        from .commands import export_dataset

        return export_dataset.main(arguments[1:])
    parser = argparse.ArgumentParser(prog="distillery_trainer", description=__doc__)
    parser.add_argument("command", choices=COMMANDS + ("export-dataset",))
    parser.add_argument("--spec", required=True, help="JSON file with the experiment spec")
    parser.add_argument("--work-dir", required=True, help="checkpoints and artifacts go here")
    parser.add_argument("--threads", type=int, default=int(os.environ.get("DISTILLERY_TORCH_THREADS", "2")))
    args = parser.parse_args(arguments)
    stop = StopRequest().install()
    configure_threads(args.threads)
    try:
        with open(args.spec, encoding="utf-8") as handle:
            spec = json.load(handle)
    except (OSError, ValueError) as error:
        print(f"cannot read the spec {args.spec}: {error}", file=sys.stderr)
        return 2
    os.makedirs(args.work_dir, exist_ok=True)
    if args.command == "pretrain":
        from .commands import pretrain

        return pretrain.run(spec, args.work_dir, stop)
    if args.command == "distill":
        from .commands import distill

        return distill.run(spec, args.work_dir, stop)
    if args.command == "extractor":
        from .commands import extractor

        return extractor.run(spec, args.work_dir, stop)
    return 2


if __name__ == "__main__":
    sys.exit(main())
