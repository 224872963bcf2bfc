"""`export-dataset`: writes a dataset as the .npz blob a platform dataset is (see datasets.export_npz).

  python -m distillery_trainer export-dataset --source fashion-mnist|synthetic [--split train|test]
      [--resolution 16] [--limit N] [--samples 512 --classes 4 --seed 0] [--path DIR] --out FILE.npz

Prints ONE JSON line to stdout, what the CLI needs to upload and register the blob:
  {"path": "/abs/FILE.npz", "samples": N, "imageShape": [C, H, W], "classNames": [...], "sha256": "<hex>"}
Exit status: 0 done, 2 bad arguments, 1 anything else (one line on stderr, e.g. Fashion-MNIST missing).
The file is written under a temporary name and renamed, so a failed export leaves nothing behind,
and --out is used as given (numpy would otherwise append ".npz" to a path without it).
"""
import argparse
import hashlib
import json
import os
import sys
import tempfile
from typing import List, Optional

from ..datasets import FASHION_MNIST_DIR, ImageDataset, export_npz, fashion_mnist, synthetic
from ..seeding import configure_threads


def parse(argv: Optional[List[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="distillery_trainer export-dataset", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", required=True, choices=("fashion-mnist", "synthetic"))
    parser.add_argument("--split", default="train", choices=("train", "test"), help="fashion-mnist only")
    parser.add_argument("--resolution", type=int, default=16)
    parser.add_argument("--limit", type=int, default=None, help="keep the first N samples")
    parser.add_argument("--samples", type=int, default=512, help="synthetic only")
    parser.add_argument("--classes", type=int, default=4, help="synthetic only")
    parser.add_argument("--seed", type=int, default=0, help="synthetic only")
    parser.add_argument("--path", default=FASHION_MNIST_DIR, help="fashion-mnist only: the directory with the IDX files")
    parser.add_argument("--out", required=True, help="the .npz file to write")
    args = parser.parse_args(argv)
    if not 1 <= args.resolution <= 1024:
        parser.error("--resolution must be between 1 and 1024")
    if args.limit is not None and args.limit < 1:
        parser.error("--limit must be at least 1")
    if args.samples < 1:
        parser.error("--samples must be at least 1")
    if args.classes < 1:
        parser.error("--classes must be at least 1")
    return args


def build(args: argparse.Namespace) -> ImageDataset:
    if args.source == "synthetic":
        # Samples are generated in order from one seeded generator, so the first N of a larger set
        # are exactly a set of N: --limit simply caps --samples.
        samples = args.samples if args.limit is None else min(args.samples, args.limit)
        return synthetic(samples, args.resolution, args.classes, args.seed)
    prefix = {"train": "train", "test": "t10k"}[args.split]
    for name in (f"{prefix}-images-idx3-ubyte.gz", f"{prefix}-labels-idx1-ubyte.gz"):
        if not os.path.exists(os.path.join(args.path, name)):
            raise FileNotFoundError(
                f"Fashion-MNIST not found: {os.path.join(args.path, name)} is missing (install the Debian package dataset-fashion-mnist)"
            )
    return fashion_mnist(args.split, args.resolution, args.limit, args.path)


def sha256_of(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_atomically(dataset: ImageDataset, out: str) -> None:
    directory = os.path.dirname(out) or "."
    os.makedirs(directory, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(dir=directory, prefix=".export-", suffix=".npz.partial", delete=False)
    try:
        with handle:
            export_npz(dataset, handle)  # a file object: numpy writes to it as is
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(handle.name, 0o666 & ~umask)  # as open() would have made it, not the temp file's 0600
        os.replace(handle.name, out)
    except BaseException:
        try:
            os.unlink(handle.name)
        except OSError:
            pass
        raise


def main(argv: Optional[List[str]] = None) -> int:
    args = parse(argv)  # argparse exits 2 on bad arguments
    configure_threads(int(os.environ.get("DISTILLERY_TORCH_THREADS", "2")))
    try:
        dataset = build(args)
        if len(dataset) == 0:
            raise ValueError("the dataset is empty")
        out = os.path.abspath(args.out)
        write_atomically(dataset, out)
        line = {
            "path": out,
            "samples": len(dataset),
            "imageShape": [dataset.channels, int(dataset.images.shape[2]), int(dataset.images.shape[3])],
            "classNames": list(dataset.class_names),
            "sha256": sha256_of(out),
        }
    except Exception as error:  # one clear line; the CLI shows it as is
        print(f"export-dataset: {error}", file=sys.stderr)
        return 1
    sys.stdout.write(json.dumps(line) + "\n")
    sys.stdout.flush()
    return 0
