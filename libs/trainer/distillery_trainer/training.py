"""Pieces every training command shares: step-seeded randomness, the learning-rate schedule, EMA."""
import copy
import math
from typing import Iterable, Optional

import torch
from torch import nn


def step_generator(seed: int, step: int) -> torch.Generator:
    """All randomness of step `step` (batch, timesteps, noise) comes from (seed, step) alone, so a
    run resumed from a checkpoint at any step continues exactly as the uninterrupted run would."""
    return torch.Generator().manual_seed(seed * 1_000_003 + step)


def learning_rate(step: int, base: float, warmup_steps: int, total_steps: int, final_fraction: float = 0.1) -> float:
    """Linear warm-up to `base`, then cosine decay to `final_fraction * base` at the last step."""
    if warmup_steps > 0 and step < warmup_steps:
        return base * (step + 1) / warmup_steps
    decay_steps = max(1, total_steps - warmup_steps)
    progress = min(1.0, (step - warmup_steps) / decay_steps)
    return base * (final_fraction + (1.0 - final_fraction) * 0.5 * (1.0 + math.cos(math.pi * progress)))


class ExponentialMovingAverage:
    """EMA of a model's weights: the weights that get evaluated and registered.

    With `step`, the decay warms up as min(decay, (1 + step) / (10 + step)) (diffusers' EMAModel):
    a plain 0.999 would leave 0.999^1500 = 22% of the initial weights in a 1,500-step student's
    average — for a student sliced from its teacher, a model that never learned its own shape
    (measured: FID 129 against the teacher's 14 on Fashion-MNIST).
    """

    def __init__(self, model: nn.Module, decay: float) -> None:
        self.decay = decay
        self.model = copy.deepcopy(model).eval()
        for parameter in self.model.parameters():
            parameter.requires_grad_(False)

    def decay_at(self, step: Optional[int]) -> float:
        return self.decay if step is None else min(self.decay, (1 + step) / (10 + step))

    @torch.no_grad()
    def update(self, model: nn.Module, step: Optional[int] = None) -> None:
        decay = self.decay_at(step)
        for averaged, current in zip(self.model.parameters(), model.parameters()):
            averaged.mul_(decay).add_(current.detach(), alpha=1.0 - decay)
        for averaged_buffer, buffer in zip(self.model.buffers(), model.buffers()):
            averaged_buffer.copy_(buffer)


def grad_norm(parameters: Iterable[nn.Parameter]) -> float:
    norms = [parameter.grad.detach().norm() for parameter in parameters if parameter.grad is not None]
    return float(torch.norm(torch.stack(norms))) if norms else 0.0
