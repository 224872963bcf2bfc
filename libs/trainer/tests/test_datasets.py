import os

import numpy as np
import pytest
import torch

from distillery_trainer.datasets import FASHION_MNIST_DIR, export_npz, load_dataset, read_idx, synthetic


def test_synthetic_is_deterministic_balanced_and_in_range():
    first = synthetic(samples=40, resolution=16, classes=4, seed=3)
    again = synthetic(samples=40, resolution=16, classes=4, seed=3)
    other = synthetic(samples=40, resolution=16, classes=4, seed=4)
    assert first.images.shape == (40, 1, 16, 16)
    assert torch.equal(first.images, again.images)
    assert not torch.equal(first.images, other.images)
    assert first.images.min() >= -1 and first.images.max() <= 1
    assert torch.bincount(first.labels).tolist() == [10, 10, 10, 10]
    assert first.class_names == ["pattern-0", "pattern-1", "pattern-2", "pattern-3"]


def test_npz_round_trip_keeps_pixels_labels_and_names(tmp_path):
    dataset = synthetic(samples=12, resolution=8, classes=3, seed=0)
    info = export_npz(dataset, str(tmp_path / "d.npz"))
    loaded = load_dataset({"source": "npz", "path": str(tmp_path / "d.npz")})
    assert info == {"samples": 12, "resolution": 8, "channels": 1, "classNames": dataset.class_names}
    assert torch.equal(loaded.labels, dataset.labels)
    assert loaded.class_names == dataset.class_names
    # uint8 storage: within half a grey level of the original.
    assert torch.allclose(loaded.images, dataset.images, atol=1 / 127.5)


def test_idx_reader_parses_the_mnist_format(tmp_path):
    import gzip
    import struct

    pixels = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    path = tmp_path / "x-idx3-ubyte.gz"
    with gzip.open(path, "wb") as handle:
        handle.write(struct.pack(">HBB", 0, 8, 3) + struct.pack(">III", 2, 3, 4) + pixels.tobytes())
    assert np.array_equal(read_idx(str(path)), pixels)


def test_unknown_source_is_refused_by_name():
    with pytest.raises(ValueError, match="unknown dataset source 'imagenet'"):
        load_dataset({"source": "imagenet"})


@pytest.mark.skipif(
    not os.path.exists(os.path.join(FASHION_MNIST_DIR, "t10k-images-idx3-ubyte.gz")) and os.environ.get("CI") != "true",
    reason="Fashion-MNIST needs the Debian package dataset-fashion-mnist",
)
def test_fashion_mnist_from_the_debian_package():
    test = load_dataset({"source": "fashion-mnist", "split": "test", "resolution": 16, "limit": 500})
    assert test.images.shape == (500, 1, 16, 16)
    assert test.images.min() >= -1 and test.images.max() <= 1
    assert test.class_names[9] == "ankle boot"
    assert sorted(torch.unique(test.labels).tolist()) == list(range(10))
