"""`extractor`: trains the CNN whose features FID is measured with, and the dataset's reference statistics.

Spec (libs/domain EXTRACTOR; defaults here for direct use):
  {"dataset": {...datasets.py...},
   "testDataset": {...} (default: fashion-mnist's other split, or a synthetic set with seed + 1),
   "model": {"channels": [32, 64], "featureDim": 128},
   "training": {"steps": 300, "batchSize": 64, "lr": 1e-3, "seed": 0, "checkpointEvery": 50},
   "referenceSamples": 2000, "output": {"model": "...", "family": "cnn-extractor"}, "device": "any"}
Cross-entropy with AdamW on step-seeded batches ("loss", "accuracy/train", "lr"), then the test
accuracy ("accuracy/test"), then mu and sigma (float64) of the features of the first
`referenceSamples` training images in reference-stats.npz (pytorch-fid's keys), then extractor.onnx.
reference-stats is announced first: the runner needs its digest when it registers the extractor.
"""
import os
import sys
from typing import Any, Dict

import numpy as np
import torch
import torch.nn.functional as F

from .. import protocol
from ..checkpoint import STOPPED_EXIT_CODE, StopRequest, load_checkpoint, save_checkpoint
from ..datasets import ImageDataset, load_dataset
from ..extractor_model import ExtractorConfig, FeatureExtractor, export_extractor_onnx, extract_features, reference_statistics
from ..seeding import pick_device, seed_everything
from ..spec_error import SpecError
from ..training import learning_rate, step_generator
from ..unet import parameter_count

DEFAULT_TRAINING = {"steps": 300, "batchSize": 64, "lr": 1e-3, "weightDecay": 0.0, "seed": 0, "checkpointEvery": 50}
DEFAULT_MODEL = {"channels": [32, 64], "featureDim": 128}
DEFAULT_REFERENCE_SAMPLES = 2000
DEFAULT_FAMILY = "cnn-extractor"


def run(spec: Dict[str, Any], work_dir: str, stop: StopRequest) -> int:
    training = {**DEFAULT_TRAINING, **(spec.get("training") or {})}
    seed_everything(int(training["seed"]))
    device = pick_device(spec.get("device", "any"))
    try:
        dataset = load_dataset(spec["dataset"])
        test_spec = spec.get("testDataset") or default_test_dataset(spec["dataset"])
        test_dataset = load_dataset(test_spec)
        config = extractor_config(spec.get("model") or {}, dataset, test_dataset)
    except (ValueError, KeyError) as error:  # SpecError, a dataset or architecture it cannot build, a missing key
        print(f"extractor: {error if isinstance(error, ValueError) else f'missing setting {error}'}", file=sys.stderr)
        return 2
    model = FeatureExtractor(config).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=float(training["lr"]), weight_decay=float(training["weightDecay"]))
    total_steps = int(training["steps"])
    checkpoint_path = os.path.join(work_dir, "checkpoint.pt")

    start = 0
    resumed = load_checkpoint(checkpoint_path)
    if resumed is not None:
        model.load_state_dict(resumed["model"])
        optimizer.load_state_dict(resumed["optimizer"])
        start = int(resumed["step"])
        protocol.log(f"resuming from step {start} of {total_steps}")
    protocol.log(
        f"extractor: {parameter_count(model):,} parameters on {device}, {len(dataset)} training and {len(test_dataset)} test images, "
        f"{config.num_classes} classes, {total_steps} steps"
    )

    images, labels = dataset.images.to(device), dataset.labels.to(device)
    batch_size = min(int(training["batchSize"]), len(dataset))
    model.train()
    for step in range(start, total_steps):
        if stop.requested:
            save_checkpoint(checkpoint_path, state_of(model, optimizer, step))
            protocol.log(f"stopped by SIGTERM at step {step}: checkpoint written")
            return STOPPED_EXIT_CODE
        generator = step_generator(int(training["seed"]), step)
        index = torch.randint(0, len(dataset), (batch_size,), generator=generator).to(device)
        lr = learning_rate(step, float(training["lr"]), 0, total_steps)
        for group in optimizer.param_groups:
            group["lr"] = lr
        _, logits = model(images[index])
        loss = F.cross_entropy(logits, labels[index])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        protocol.metric("loss", step, float(loss))
        protocol.metric("accuracy/train", step, float((logits.argmax(dim=1) == labels[index]).float().mean()))
        protocol.metric("lr", step, lr)
        protocol.progress((step + 1) / total_steps)
        if (step + 1) % int(training["checkpointEvery"]) == 0:
            save_checkpoint(checkpoint_path, state_of(model, optimizer, step + 1))

    model = model.cpu().eval()
    _, test_logits = extract_features(model, test_dataset.images)
    test_accuracy = float((test_logits.argmax(dim=1) == test_dataset.labels).float().mean())
    protocol.metric("accuracy/test", max(total_steps - 1, 0), test_accuracy)
    protocol.log(f"test accuracy {test_accuracy:.4f} on {len(test_dataset)} images (chance {1 / config.num_classes:.4f})")
    publish(model, config, spec, dataset, test_spec, test_accuracy, work_dir)
    return 0


def default_test_dataset(dataset: Dict[str, Any]) -> Dict[str, Any]:
    """The held-out set when the spec names none: fashion-mnist's other split, or a synthetic set
    drawn with the next seed (the same patterns, different jitter)."""
    source = dataset.get("source")
    if source == "fashion-mnist":
        return {**dataset, "split": "train" if dataset.get("split") == "test" else "test"}
    if source == "synthetic":
        return {**dataset, "seed": int(dataset.get("seed", 0)) + 1}
    raise SpecError(f"testDataset is required for a {source!r} dataset")


def extractor_config(model: Dict[str, Any], dataset: ImageDataset, test_dataset: ImageDataset) -> ExtractorConfig:
    unknown = sorted(set(model) - set(DEFAULT_MODEL))
    if unknown:
        raise SpecError(f"model: unknown settings {', '.join(unknown)}")
    if (test_dataset.resolution, test_dataset.channels) != (dataset.resolution, dataset.channels):
        raise SpecError(
            f"testDataset images are {test_dataset.channels}x{test_dataset.resolution}x{test_dataset.resolution}, "
            f"training images {dataset.channels}x{dataset.resolution}x{dataset.resolution}"
        )
    classes = len(dataset.class_names)
    if len(test_dataset) == 0 or int(test_dataset.labels.max()) >= classes:
        raise SpecError(f"testDataset must be non-empty with labels below {classes}")
    settings = {**DEFAULT_MODEL, **model}
    return ExtractorConfig(
        resolution=dataset.resolution,
        in_channels=dataset.channels,
        channels=list(settings["channels"]),
        feature_dim=int(settings["featureDim"]),
        num_classes=classes,
    )


def state_of(model: FeatureExtractor, optimizer: torch.optim.Optimizer, step: int) -> Dict[str, Any]:
    return {"model": model.state_dict(), "optimizer": optimizer.state_dict(), "step": step}


def publish(
    model: FeatureExtractor, config: ExtractorConfig, spec: Dict[str, Any], dataset: ImageDataset,
    test_spec: Dict[str, Any], test_accuracy: float, work_dir: str,
) -> None:
    """reference-stats.npz, then extractor.onnx, announced in that order."""
    samples = min(int(spec.get("referenceSamples", DEFAULT_REFERENCE_SAMPLES)), len(dataset))
    features, _ = extract_features(model, dataset.images[:samples])
    mu, sigma = reference_statistics(features)
    if samples <= config.feature_dim:
        protocol.log(f"warning: {samples} reference samples for {config.feature_dim} features: the covariance is singular")
    stats_path = os.path.join(work_dir, "reference-stats.npz")
    np.savez(stats_path, mu=mu, sigma=sigma)
    protocol.artifact("reference-stats", stats_path, "npz", {"samples": samples, "featureDim": config.feature_dim, "dataset": spec["dataset"]})

    onnx_path = os.path.join(work_dir, "extractor.onnx")
    exported = export_extractor_onnx(model, onnx_path)
    protocol.artifact("extractor", onnx_path, "onnx", {
        "architecture": config.to_dict(),
        "family": (spec.get("output") or {}).get("family", DEFAULT_FAMILY),
        "params": parameter_count(model),
        "featureDim": config.feature_dim,
        "featureOutput": "features",
        "testAccuracy": test_accuracy,
        "classNames": dataset.class_names,
        "dataset": spec["dataset"],
        "testDataset": test_spec,
        "onnx": exported,
    })
