"""`pretrain`: trains a teacher UNet on a dataset with the DDPM objective.

Spec (validated on the platform by libs/domain `pretrainSpecSchema`; defaults here for direct use):
  {"dataset": {...datasets.py...},
   "model": {"channels": [32, 64], "layersPerBlock": 1, "attentionStages": [1], "groups": 8, "heads": 4},
   "schedule": {"kind": "cosine", "steps": 1000},
   "training": {"steps": 200, "batchSize": 32, "lr": 2e-4, "weightDecay": 0.0, "warmupSteps": 20,
                "gradClip": 1.0, "emaDecay": 0.999, "seed": 0, "checkpointEvery": 50},
   "device": "any"}
Writes <work-dir>/checkpoint.pt while training (resume), then teacher.pt (the EMA weights and the
architecture) and teacher.onnx, announced as artifact lines for the runner to register.
"""
import os
from typing import Any, Dict

import torch
import torch.nn.functional as F

from .. import protocol
from ..checkpoint import STOPPED_EXIT_CODE, StopRequest, load_checkpoint, save_checkpoint
from ..datasets import load_dataset
from ..diffusion import NoiseSchedule
from ..export import export_onnx
from ..seeding import pick_device, seed_everything
from ..training import ExponentialMovingAverage, grad_norm, learning_rate, step_generator
from ..unet import UNet, UNetConfig, parameter_count

DEFAULT_TRAINING = {
    "steps": 200, "batchSize": 32, "lr": 2e-4, "weightDecay": 0.0, "warmupSteps": 20,
    "gradClip": 1.0, "emaDecay": 0.999, "seed": 0, "checkpointEvery": 50,
}


def run(spec: Dict[str, Any], work_dir: str, stop: StopRequest) -> int:
    training = {**DEFAULT_TRAINING, **spec.get("training", {})}
    seed_everything(int(training["seed"]))
    device = pick_device(spec.get("device", "any"))
    dataset = load_dataset(spec["dataset"])
    config = unet_config_from_spec(spec.get("model", {}), dataset.resolution, dataset.channels, len(dataset.class_names))
    schedule_spec = spec.get("schedule", {})
    schedule = NoiseSchedule(int(schedule_spec.get("steps", 1000)), schedule_spec.get("kind", "cosine")).to(device)
    model = UNet(config).to(device)
    ema = ExponentialMovingAverage(model, float(training["emaDecay"]))
    optimizer = torch.optim.AdamW(model.parameters(), lr=float(training["lr"]), weight_decay=float(training["weightDecay"]))
    total_steps = int(training["steps"])
    checkpoint_path = os.path.join(work_dir, "checkpoint.pt")

    start = 0
    resumed = load_checkpoint(checkpoint_path)
    if resumed is not None:
        model.load_state_dict(resumed["model"])
        ema.model.load_state_dict(resumed["ema"])
        optimizer.load_state_dict(resumed["optimizer"])
        start = int(resumed["step"])
        protocol.log(f"resuming from step {start} of {total_steps}")
    protocol.log(f"pretrain: {parameter_count(model):,} parameters on {device}, {len(dataset)} images, {total_steps} steps")

    images, labels = dataset.images.to(device), dataset.labels.to(device)
    batch_size = min(int(training["batchSize"]), len(dataset))
    for step in range(start, total_steps):
        if stop.requested:
            save_checkpoint(checkpoint_path, state_of(model, ema, optimizer, step))
            protocol.log(f"stopped by SIGTERM at step {step}: checkpoint written")
            return STOPPED_EXIT_CODE
        generator = step_generator(int(training["seed"]), step)
        index = torch.randint(0, len(dataset), (batch_size,), generator=generator).to(device)
        t = torch.randint(0, schedule.num_steps, (batch_size,), generator=generator).to(device)
        noise = torch.randn(images[index].shape, generator=generator).to(device)
        lr = learning_rate(step, float(training["lr"]), int(training["warmupSteps"]), total_steps)
        for group in optimizer.param_groups:
            group["lr"] = lr
        loss = F.mse_loss(model(schedule.q_sample(images[index], t, noise), t, labels[index]), noise)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        norm = grad_norm(model.parameters())
        torch.nn.utils.clip_grad_norm_(model.parameters(), float(training["gradClip"]))
        optimizer.step()
        ema.update(model, step)
        protocol.metric("loss", step, float(loss))
        protocol.metric("lr", step, lr)
        protocol.metric("grad_norm", step, norm)
        protocol.progress((step + 1) / total_steps)
        if (step + 1) % int(training["checkpointEvery"]) == 0:
            save_checkpoint(checkpoint_path, state_of(model, ema, optimizer, step + 1))

    publish(ema.model.cpu(), config, schedule_spec, training, work_dir, dataset_size=len(dataset))
    return 0


MODEL_KEYS = {"channels": "channels", "layersPerBlock": "layers_per_block", "attentionStages": "attention_stages", "groups": "groups", "heads": "heads"}


def unet_config_from_spec(model: Dict[str, Any], resolution: int, channels: int, classes: int) -> UNetConfig:
    """The platform's camelCase model spec plus what the dataset decides (size, channels, classes)."""
    unknown = set(model) - set(MODEL_KEYS)
    if unknown:
        raise ValueError(f"unknown model settings: {', '.join(sorted(unknown))}")
    fields = {MODEL_KEYS[key]: value for key, value in model.items()}
    return UNetConfig.from_dict({**fields, "resolution": resolution, "in_channels": channels, "num_classes": classes})


def state_of(model, ema, optimizer, step: int) -> Dict[str, Any]:
    return {"model": model.state_dict(), "ema": ema.model.state_dict(), "optimizer": optimizer.state_dict(), "step": step}


def publish(model: UNet, config: UNetConfig, schedule: Dict[str, Any], training: Dict[str, Any], work_dir: str, dataset_size: int) -> None:
    """teacher.pt and teacher.onnx, announced for registration (ONNX EXPORTED_FROM the TORCH one)."""
    metadata = {
        "architecture": config.to_dict(),
        "family": "unet",
        "params": parameter_count(model),
        "schedule": schedule,
        "training": training,
        "datasetSize": dataset_size,
    }
    torch_path = os.path.join(work_dir, "teacher.pt")
    torch.save({"config": config.to_dict(), "state_dict": model.state_dict(), "schedule": schedule}, torch_path)
    protocol.artifact("teacher", torch_path, "torch", metadata)
    onnx_path = os.path.join(work_dir, "teacher.onnx")
    exported = export_onnx(model.eval(), config, onnx_path, schedule=schedule)
    protocol.artifact("teacher-onnx", onnx_path, "onnx", {**metadata, "onnx": exported, "exportedFrom": "teacher"})
