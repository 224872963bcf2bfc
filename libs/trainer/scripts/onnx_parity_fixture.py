"""Writes what the TypeScript parity test needs: a tiny seeded UNet and a feature extractor
exported to ONNX, random inputs, and torch's outputs for them.  Usage: onnx_parity_fixture.py OUT_DIR"""
import json
import os
import sys

import torch

from distillery_trainer.export import export_onnx
from distillery_trainer.extractor_model import ExtractorConfig, FeatureExtractor, export_extractor_onnx
from distillery_trainer.seeding import configure_threads, seed_everything
from distillery_trainer.unet import UNet, UNetConfig


def main(out_dir: str) -> None:
    configure_threads(1)
    generator = seed_everything(11)
    config = UNetConfig.from_dict({"resolution": 16, "in_channels": 1, "channels": [16, 32], "layers_per_block": 1, "attention_stages": [1], "num_classes": 10, "groups": 8, "heads": 4})
    model = UNet(config).eval()
    with torch.no_grad():
        for parameter in model.parameters():  # freshly initialised output layers are zero: make the test see real values
            parameter.add_(0.02 * torch.randn(parameter.shape, generator=generator))
    onnx_path = os.path.join(out_dir, "unet.onnx")
    export_onnx(model, config, onnx_path)
    batch = 3
    x = torch.randn(batch, 1, 16, 16, generator=generator)
    t = torch.randint(0, 1000, (batch,), generator=generator)
    labels = torch.randint(0, 10, (batch,), generator=generator)
    with torch.no_grad():
        eps = model(x, t, labels)
    with open(os.path.join(out_dir, "fixture.json"), "w", encoding="utf-8") as handle:
        json.dump({"onnx": onnx_path, "shape": list(x.shape), "x": x.flatten().tolist(), "t": t.tolist(), "class": labels.tolist(), "eps": eps.flatten().tolist()}, handle)

    extractor = FeatureExtractor(ExtractorConfig(resolution=16, in_channels=1, channels=[8, 16], feature_dim=32, num_classes=10)).eval()
    extractor_path = os.path.join(out_dir, "extractor.onnx")
    export_extractor_onnx(extractor, extractor_path)
    with torch.no_grad():
        features, logits = extractor(x)
    with open(os.path.join(out_dir, "extractor.json"), "w", encoding="utf-8") as handle:
        json.dump({"onnx": extractor_path, "features": features.flatten().tolist(), "logits": logits.flatten().tolist()}, handle)


if __name__ == "__main__":
    main(sys.argv[1])
