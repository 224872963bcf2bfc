"""Noise schedules and deterministic DDIM sampling.

Teacher training, distillation and the TypeScript sampler (which runs the exported UNet in
onnxruntime-node) must agree step for step, so everything here is plain closed-form arithmetic on
one table, ``alphas_cumprod``: no clipping, no hidden randomness.
"""
import math
from typing import Callable, List, Optional, Sequence, Union

import torch
from torch import Tensor

Timesteps = Union[int, Tensor]
EpsModel = Callable[[Tensor, Tensor, Tensor], Tensor]


def _cosine_betas(num_steps: int, s: float = 0.008) -> Tensor:
    """Nichol & Dhariwal (2021): alpha_bar follows cos^2, betas clipped at 0.999 so the last step
    is not a singularity."""
    def alpha_bar(u: float) -> float:
        return math.cos((u + s) / (1 + s) * math.pi / 2) ** 2

    betas = [min(1 - alpha_bar((i + 1) / num_steps) / alpha_bar(i / num_steps), 0.999) for i in range(num_steps)]
    return torch.tensor(betas, dtype=torch.float64)


def _linear_betas(num_steps: int) -> Tensor:
    """DDPM's 1e-4..0.02 over 1000 steps, scaled so other step counts keep the same total noise."""
    scale = 1000 / num_steps
    return torch.linspace(scale * 1e-4, scale * 0.02, num_steps, dtype=torch.float64)


class NoiseSchedule:
    """The forward process q(x_t | x_0) = N(alpha_t x_0, sigma_t^2 I) and the DDIM reverse step.

    Tables are computed in float64 and stored as float32, the precision the models and the ONNX
    side use, so Python and TypeScript read the same numbers.
    """

    def __init__(self, num_steps: int = 1000, kind: str = "cosine") -> None:
        if num_steps < 1:
            raise ValueError(f"num_steps must be >= 1, got {num_steps}")
        if kind == "cosine":
            betas = _cosine_betas(num_steps)
        elif kind == "linear":
            betas = _linear_betas(num_steps)
        else:
            raise ValueError(f"unknown noise schedule {kind!r} (expected 'cosine' or 'linear')")
        self.num_steps = num_steps
        self.kind = kind
        self.betas = betas.float()
        self.alphas_cumprod = torch.cumprod(1 - betas, dim=0).float()

    def to(self, device: Union[str, torch.device]) -> "NoiseSchedule":
        """Moves the tables once so per-step lookups on CUDA need no host-to-device copy."""
        self.betas = self.betas.to(device)
        self.alphas_cumprod = self.alphas_cumprod.to(device)
        return self

    def _alphas_cumprod_at(self, t: Tensor) -> Tensor:
        """alphas_cumprod[t] as (B,1,1,1); t = -1 means "clean data" (alpha_bar = 1)."""
        table = self.alphas_cumprod.to(t.device)
        values = torch.where(t >= 0, table[t.clamp(min=0)], torch.ones((), dtype=table.dtype, device=t.device))
        return values.reshape(-1, 1, 1, 1)

    def alpha(self, t: Tensor) -> Tensor:
        """Signal scale sqrt(alphas_cumprod[t]), shaped (B,1,1,1) to broadcast over images."""
        return self._alphas_cumprod_at(t).sqrt()

    def sigma(self, t: Tensor) -> Tensor:
        """Noise scale sqrt(1 - alphas_cumprod[t]), shaped (B,1,1,1)."""
        return (1 - self._alphas_cumprod_at(t)).sqrt()

    def q_sample(self, x0: Tensor, t: Tensor, noise: Tensor) -> Tensor:
        """Noises clean images to timestep t with the given noise (the training input)."""
        return self.alpha(t) * x0 + self.sigma(t) * noise

    def predict_x0(self, xt: Tensor, t: Tensor, eps: Tensor) -> Tensor:
        """Inverts q_sample given a noise estimate."""
        return (xt - self.sigma(t) * eps) / self.alpha(t)

    def ddim_step(self, xt: Tensor, t: Timesteps, t_prev: Timesteps, eps: Tensor) -> Tensor:
        """Deterministic DDIM (eta = 0): re-noise the x0 estimate to t_prev with the same eps.

        ``t_prev = -1`` lands on the x0 estimate itself. With the true eps of some x0 the result is
        exactly q_sample(x0, t_prev, eps), which is what makes few-step sampling consistent.
        """
        t = _batch_timesteps(t, xt)
        t_prev = _batch_timesteps(t_prev, xt)
        x0 = self.predict_x0(xt, t, eps)
        return self.alpha(t_prev) * x0 + self.sigma(t_prev) * eps

    def ddim_timesteps(self, steps: int) -> List[int]:
        """`steps` evenly spaced timesteps, descending from the last one (1000/4 -> 999, 749, 499, 249).

        Starting at num_steps - 1 means sampling begins from (almost) pure noise whatever the count.
        """
        if not 1 <= steps <= self.num_steps:
            raise ValueError(f"steps must be in 1..{self.num_steps}, got {steps}")
        stride = self.num_steps / steps
        return [self.num_steps - 1 - int(i * stride) for i in range(steps)]


def _batch_timesteps(t: Timesteps, like: Tensor) -> Tensor:
    """An int or a scalar tensor becomes one int64 timestep per sample of `like`."""
    t = torch.as_tensor(t, dtype=torch.long, device=like.device)
    return t.expand(like.shape[0]) if t.dim() == 0 else t


@torch.no_grad()
def ddim_sample(
    model: EpsModel,
    schedule: NoiseSchedule,
    shape: Sequence[int],
    class_labels: Tensor,
    steps: int,
    generator: Optional[torch.Generator] = None,
) -> Tensor:
    """Draws x_T ~ N(0, I) and runs `steps` DDIM steps down to x0; model(x, t, class_labels) -> eps.

    The starting noise is drawn on the generator's device and then moved, so one seed gives the same
    samples on CPU and CUDA.
    """
    device = class_labels.device
    noise_device = generator.device if generator is not None else device
    x = torch.randn(tuple(shape), generator=generator, device=noise_device).to(device)
    timesteps = schedule.ddim_timesteps(steps)
    for t, t_prev in zip(timesteps, timesteps[1:] + [-1]):
        t_batch = torch.full((x.shape[0],), t, dtype=torch.long, device=device)
        eps = model(x, t_batch, class_labels)
        x = schedule.ddim_step(x, t_batch, t_prev, eps)
    return x
