"""`export-dataset` as the CLI drives it: a real process, one JSON line on stdout, a loadable npz."""
import hashlib
import json
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

from distillery_trainer.datasets import FASHION_MNIST_CLASSES, FASHION_MNIST_DIR, load_dataset, synthetic

TRAINER_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def export(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": TRAINER_ROOT, "OPENBLAS_NUM_THREADS": "1", "DISTILLERY_TORCH_THREADS": "1"}
    return subprocess.run(
        [sys.executable, "-m", "distillery_trainer", "export-dataset", *args],
        capture_output=True, text=True, env=env, timeout=300,
    )


def sha256_of(path) -> str:
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def only_line(result: subprocess.CompletedProcess) -> dict:
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1, result.stdout
    return json.loads(lines[0])


def test_synthetic_export_prints_one_line_whose_sha256_and_metadata_match_the_file(tmp_path):
    out = tmp_path / "nested" / "toy.npz"
    line = only_line(export("--source", "synthetic", "--resolution", "8", "--samples", "100", "--limit", "32", "--classes", "3", "--seed", "5", "--out", str(out)))
    assert line == {
        "path": str(out),
        "samples": 32,
        "imageShape": [1, 8, 8],
        "classNames": ["pattern-0", "pattern-1", "pattern-2"],
        "sha256": sha256_of(out),
    }
    assert [p.name for p in out.parent.iterdir()] == ["toy.npz"]  # no temporary file left behind
    with np.load(out) as archive:
        assert archive["images"].dtype == np.uint8 and archive["images"].shape == (32, 8, 8, 1)
        assert archive["labels"].dtype == np.int64
    # The runner rewrites platform datasets to {"source": "npz", "path", "ref"}: the extra key is ignored.
    loaded = load_dataset({"source": "npz", "path": str(out), "ref": "toy@v1"})
    expected = synthetic(samples=32, resolution=8, classes=3, seed=5)
    assert torch.equal(loaded.labels, expected.labels)
    assert torch.allclose(loaded.images, expected.images, atol=1 / 127.5)


def test_out_is_used_as_given_even_without_the_npz_suffix(tmp_path):
    out = tmp_path / "dataset.blob"
    line = only_line(export("--source", "synthetic", "--resolution", "4", "--limit", "4", "--out", str(out)))
    assert line["path"] == str(out) and out.exists()
    assert load_dataset({"source": "npz", "path": str(out)}).images.shape == (4, 1, 4, 4)


def test_bad_arguments_exit_2_and_a_missing_fashion_mnist_exits_1_with_one_line(tmp_path):
    bad = export("--source", "imagenet", "--out", str(tmp_path / "x.npz"))
    assert bad.returncode == 2 and "invalid choice" in bad.stderr
    assert export("--source", "synthetic", "--limit", "0", "--out", str(tmp_path / "x.npz")).returncode == 2
    missing = export("--source", "fashion-mnist", "--path", str(tmp_path / "nowhere"), "--out", str(tmp_path / "x.npz"))
    assert missing.returncode == 1 and missing.stdout == ""
    assert missing.stderr.strip().count("\n") == 0 and "dataset-fashion-mnist" in missing.stderr
    assert not (tmp_path / "x.npz").exists()


@pytest.mark.skipif(
    not os.path.exists(os.path.join(FASHION_MNIST_DIR, "train-images-idx3-ubyte.gz")) and os.environ.get("CI") != "true",
    reason="Fashion-MNIST needs the Debian package dataset-fashion-mnist",
)
def test_fashion_mnist_export_from_the_debian_package(tmp_path):
    out = tmp_path / "fm.npz"
    line = only_line(export("--source", "fashion-mnist", "--split", "train", "--resolution", "16", "--limit", "100", "--out", str(out)))
    assert line["samples"] == 100
    assert line["imageShape"] == [1, 16, 16]
    assert line["classNames"] == FASHION_MNIST_CLASSES
    assert line["sha256"] == sha256_of(out)
    loaded = load_dataset({"source": "npz", "path": line["path"], "ref": "fashion-mnist-train@v1"})
    direct = load_dataset({"source": "fashion-mnist", "split": "train", "resolution": 16, "limit": 100})
    assert torch.equal(loaded.labels, direct.labels)
    assert torch.allclose(loaded.images, direct.images, atol=1 / 127.5)
