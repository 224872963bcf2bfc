"""Writes what libs/eval's tests compare with (usage: sampler_fixture.py OUT_DIR, PYTHONPATH=libs/trainer):

- schedules.json: diffusion.py's NoiseSchedule.alphas_cumprod (float32) and ddim_timesteps for
  both kinds and several step counts;
- unet.onnx + sampler.json: a tiny seeded class-conditional UNet exported by the trainer, and for
  each schedule kind a DDIM trajectory from diffusion.py's ddim_sample: x_T, the model input x of
  every step, and the result.
"""
import json
import os
import sys

import torch

from distillery_trainer.diffusion import NoiseSchedule, ddim_sample
from distillery_trainer.export import export_onnx
from distillery_trainer.seeding import configure_threads, seed_everything
from distillery_trainer.unet import UNet, UNetConfig

STEP_COUNTS = [1, 2, 10, 37, 1000, 4000]
DDIM_STEPS = [1, 3, 4, 10, 50, 333, 1000]
SAMPLER = {"cosine": 5, "linear": 4}  # sampler steps per schedule kind
LABELS = [0, 3, 4, 1]  # 4 = num_classes: the unconditional class


def schedules() -> dict:
    out = {}
    for kind in ("cosine", "linear"):
        for steps in STEP_COUNTS:
            schedule = NoiseSchedule(steps, kind)
            out[f"{kind}/{steps}"] = {
                "alphas_cumprod": schedule.alphas_cumprod.tolist(),
                "ddim_timesteps": {str(k): schedule.ddim_timesteps(k) for k in DDIM_STEPS if k <= steps},
            }
    return out


def trajectories(model: UNet, shape: tuple) -> dict:
    out = {}
    labels = torch.tensor(LABELS, dtype=torch.long)
    for kind, steps in SAMPLER.items():
        schedule = NoiseSchedule(1000, kind)
        noise = torch.randn(shape, generator=torch.Generator().manual_seed(123))
        inputs = []

        def eps_model(x, t, c):
            inputs.append(x.clone())
            return model(x, t, c)

        with torch.no_grad():
            result = ddim_sample(eps_model, schedule, shape, labels, steps, generator=torch.Generator().manual_seed(123))
        assert torch.equal(inputs[0], noise)
        out[kind] = {
            "steps": steps,
            "timesteps": schedule.ddim_timesteps(steps),
            "noise": noise.flatten().tolist(),
            "inputs": [x.flatten().tolist() for x in inputs],
            "result": result.flatten().tolist(),
        }
    return out


def main(out_dir: str) -> None:
    configure_threads(1)
    generator = seed_everything(7)
    with open(os.path.join(out_dir, "schedules.json"), "w", encoding="utf-8") as handle:
        json.dump(schedules(), handle)
    config = UNetConfig.from_dict({"resolution": 8, "in_channels": 2, "channels": [8, 16], "layers_per_block": 1, "attention_stages": [1], "num_classes": 4, "groups": 4, "heads": 2})
    model = UNet(config).eval()
    with torch.no_grad():
        for parameter in model.parameters():  # freshly initialised output layers are zero: give eps real values
            parameter.add_(0.02 * torch.randn(parameter.shape, generator=generator))
    onnx_path = os.path.join(out_dir, "unet.onnx")
    export_onnx(model, config, onnx_path)
    shape = (len(LABELS), config.in_channels, config.resolution, config.resolution)
    with open(os.path.join(out_dir, "sampler.json"), "w", encoding="utf-8") as handle:
        json.dump({"onnx": onnx_path, "config": config.to_dict(), "shape": list(shape), "labels": LABELS, "trajectories": trajectories(model, shape)}, handle)


if __name__ == "__main__":
    main(sys.argv[1])
