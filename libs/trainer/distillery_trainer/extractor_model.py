"""The feature extractor behind FID: a small CNN classifier trained on the platform's dataset.

FID (Heusel et al. 2017) compares Gaussians fitted to an extractor's features of real and generated
images. Inception-v3 knows nothing of 16x16 Fashion-MNIST, so each dataset gets its own extractor:
conv stages (3x3 conv, ReLU, 2x2 max-pool) of `channels` widths, a `feature_dim`-wide linear
"features" layer, ReLU, and the classifier head. The features are the PRE-activation output of
that layer: post-ReLU features are often exactly zero in some dimensions, and their covariance is
then singular (the Frechet distance's matrix square root needs a well-conditioned one).

Exported to ONNX with input "x" (float32 [batch, C, H, W] in [-1, 1]) and outputs "features"
([batch, feature_dim]) and "logits" ([batch, classes]); the config rides in the model metadata.
"""
import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any, Dict, List, Tuple

import numpy as np
import onnx
import torch
from torch import Tensor, nn

from .export import export_with_dynamic_batch

INPUT_NAMES = ["x"]
OUTPUT_NAMES = ["features", "logits"]
_TRACE_BATCH = 2


@dataclass
class ExtractorConfig:
    resolution: int = 16
    in_channels: int = 1
    channels: List[int] = field(default_factory=lambda: [32, 64])
    feature_dim: int = 128
    num_classes: int = 10

    def __post_init__(self) -> None:
        self.channels = [int(c) for c in self.channels]
        if not 1 <= len(self.channels) <= 4 or any(c < 1 for c in self.channels):
            raise ValueError(f"channels must list 1 to 4 positive widths, got {self.channels}")
        if self.feature_dim < 1 or self.num_classes < 1 or self.in_channels < 1 or self.resolution < 1:
            raise ValueError("feature_dim, num_classes, in_channels and resolution must be >= 1")

    @property
    def final_size(self) -> int:
        """Spatial size after the stages: each 2x2 max-pool halves, rounding up (ceil_mode)."""
        size = self.resolution
        for _ in self.channels:
            size = -(-size // 2)
        return size

    def to_dict(self) -> Dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: Dict[str, Any]) -> "ExtractorConfig":
        return cls(**d)


class FeatureExtractor(nn.Module):
    """forward(x) -> (features, logits); `features` is the linear layer before its ReLU."""

    def __init__(self, config: ExtractorConfig) -> None:
        super().__init__()
        self.config = config
        layers: List[nn.Module] = []
        width = config.in_channels
        for channels in config.channels:
            layers += [nn.Conv2d(width, channels, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2, ceil_mode=True)]
            width = channels
        self.stages = nn.Sequential(*layers)
        self.features = nn.Linear(width * config.final_size**2, config.feature_dim)
        self.classifier = nn.Linear(config.feature_dim, config.num_classes)

    def forward(self, x: Tensor) -> Tuple[Tensor, Tensor]:
        features = self.features(torch.flatten(self.stages(x), 1))
        return features, self.classifier(torch.relu(features))


@torch.no_grad()
def extract_features(model: FeatureExtractor, images: Tensor, batch_size: int = 256) -> Tuple[Tensor, Tensor]:
    """(features, logits) of `images` in eval mode, batch by batch, on the model's device, as CPU tensors."""
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    features, logits = [], []
    for start in range(0, images.shape[0], batch_size):
        f, l = model(images[start : start + batch_size].to(device))
        features.append(f.cpu())
        logits.append(l.cpu())
    model.train(was_training)
    return torch.cat(features), torch.cat(logits)


def reference_statistics(features: Tensor) -> Tuple[np.ndarray, np.ndarray]:
    """mu (D,) and sigma (D, D) in float64, as pytorch-fid computes them (np.cov, rowvar=False)."""
    values = features.detach().cpu().double().numpy()
    if values.shape[0] < 2:
        raise ValueError(f"reference statistics need at least 2 samples, got {values.shape[0]}")
    return values.mean(axis=0), np.cov(values, rowvar=False)


def export_extractor_onnx(model: FeatureExtractor, path: str, opset: int = 17) -> Dict[str, Any]:
    """Writes the extractor (input x; outputs features and logits; dynamic batch) through the shared
    export path and returns {"opset", "inputs", "outputs", "bytes"} like export.export_onnx."""
    config = model.config
    x = torch.randn(_TRACE_BATCH, config.in_channels, config.resolution, config.resolution)
    properties = {"extractor_config": json.dumps(config.to_dict()), "feature_output": "features"}
    return export_with_dynamic_batch(model, (x,), path, INPUT_NAMES, OUTPUT_NAMES, properties, opset)
