"""Image datasets with class labels (the labels stand in for prompts in the reference workload).

Every source yields the same thing: float32 images in [-1, 1] shaped (N, C, H, W), int64 labels,
and class names. Sources:
  {"source": "synthetic", "samples": 512, "resolution": 16, "classes": 4, "seed": 0}
      generated in code: fast, for tests and smoke runs;
  {"source": "fashion-mnist", "split": "train"|"test", "resolution": 16, "limit": 10000,
   "path": "/usr/share/datasets/fashion-mnist"}
      Debian's dataset-fashion-mnist (IDX files, gzip);
  {"source": "npz", "path": "dataset.npz"}
      a dataset exported by `export_npz` (how datasets travel as platform blobs: the runner
      rewrites a spec's {"source": "platform", "ref"} to {"source": "npz", "path", "ref"};
      other keys, such as that ref, are ignored).
"""
import gzip
import math
import os
import struct
from dataclasses import dataclass
from typing import Any, Dict, List

import numpy as np
import torch
import torch.nn.functional as F

FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist"
FASHION_MNIST_CLASSES = [
    "t-shirt/top", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle boot",
]


@dataclass
class ImageDataset:
    images: torch.Tensor  # float32 (N, C, H, W) in [-1, 1]
    labels: torch.Tensor  # int64 (N,)
    class_names: List[str]

    @property
    def resolution(self) -> int:
        return int(self.images.shape[-1])

    @property
    def channels(self) -> int:
        return int(self.images.shape[1])

    def __len__(self) -> int:
        return int(self.images.shape[0])


def load_dataset(spec: Dict[str, Any]) -> ImageDataset:
    source = spec.get("source")
    if source == "synthetic":
        return synthetic(int(spec.get("samples", 512)), int(spec.get("resolution", 16)), int(spec.get("classes", 4)), int(spec.get("seed", 0)))
    if source == "fashion-mnist":
        return fashion_mnist(spec.get("split", "train"), int(spec.get("resolution", 16)), spec.get("limit"), spec.get("path", FASHION_MNIST_DIR))
    if source == "npz":
        return load_npz(spec["path"])
    raise ValueError(f"unknown dataset source {source!r}: use synthetic, fashion-mnist or npz")


def synthetic(samples: int, resolution: int, classes: int, seed: int) -> ImageDataset:
    """Class-dependent patterns (stripes of a class-specific angle and frequency, plus a blob)
    with per-sample jitter: learnable in minutes on a CPU, yet not trivially memorised."""
    generator = torch.Generator().manual_seed(seed)
    labels = torch.arange(samples, dtype=torch.int64) % classes
    coords = torch.linspace(-1.0, 1.0, resolution)
    yy, xx = torch.meshgrid(coords, coords, indexing="ij")
    images = torch.empty(samples, 1, resolution, resolution)
    for index in range(samples):
        label = int(labels[index])
        angle = math.pi * label / classes + 0.2 * float(torch.randn(1, generator=generator))
        frequency = 2.0 + label
        phase = 2 * math.pi * float(torch.rand(1, generator=generator))
        stripes = torch.sin(frequency * math.pi * (xx * math.cos(angle) + yy * math.sin(angle)) + phase)
        centre = 0.5 * torch.rand(2, generator=generator) - 0.25
        blob = torch.exp(-((xx - centre[0]) ** 2 + (yy - centre[1]) ** 2) / 0.1)
        images[index, 0] = (0.6 * stripes + 0.8 * blob).clamp(-1.0, 1.0)
    return ImageDataset(images, labels, [f"pattern-{index}" for index in range(classes)])


def read_idx(path: str) -> np.ndarray:
    """An IDX file (the MNIST format): magic (dtype, rank), big-endian sizes, then the data."""
    with gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb") as handle:
        data = handle.read()
    zero, dtype_code, rank = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype_code != 0x08:
        raise ValueError(f"{path} is not an unsigned-byte IDX file")
    shape = struct.unpack(">" + "I" * rank, data[4 : 4 + 4 * rank])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(shape)


def fashion_mnist(split: str, resolution: int, limit: Any, path: str) -> ImageDataset:
    prefix = {"train": "train", "test": "t10k"}[split]
    images = read_idx(os.path.join(path, f"{prefix}-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(path, f"{prefix}-labels-idx1-ubyte.gz"))
    if limit is not None:
        images, labels = images[: int(limit)], labels[: int(limit)]
    return ImageDataset(to_model_range(images, resolution), torch.from_numpy(labels.astype(np.int64)), list(FASHION_MNIST_CLASSES))


def to_model_range(images: np.ndarray, resolution: int) -> torch.Tensor:
    """uint8 (N, H, W[, C]) -> float32 (N, C, resolution, resolution) in [-1, 1]; area
    interpolation when shrinking (28 -> 16 keeps strokes instead of aliasing them away)."""
    tensor = torch.from_numpy(images.astype(np.float32) / 127.5 - 1.0)
    tensor = tensor.unsqueeze(1) if tensor.dim() == 3 else tensor.permute(0, 3, 1, 2)
    if tensor.shape[-1] != resolution:
        mode = "area" if tensor.shape[-1] > resolution else "bilinear"
        tensor = F.interpolate(tensor, size=(resolution, resolution), mode=mode, **({} if mode == "area" else {"align_corners": False}))
    return tensor.contiguous()


def export_npz(dataset: ImageDataset, path: str) -> Dict[str, Any]:
    """Stores a dataset as uint8 images + labels + class names: the blob a platform dataset is."""
    pixels = ((dataset.images.clamp(-1, 1) + 1.0) * 127.5).round().to(torch.uint8).permute(0, 2, 3, 1).numpy()
    np.savez_compressed(path, images=pixels, labels=dataset.labels.numpy(), class_names=np.array(dataset.class_names))
    return {"samples": len(dataset), "resolution": dataset.resolution, "channels": dataset.channels, "classNames": dataset.class_names}


def load_npz(path: str) -> ImageDataset:
    with np.load(path) as archive:
        images = archive["images"]
        labels = archive["labels"].astype(np.int64)
        names = [str(name) for name in archive["class_names"]]
    return ImageDataset(to_model_range(images, images.shape[1]), torch.from_numpy(labels), names)
