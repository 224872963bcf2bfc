"""Knowledge-consistency weighting: distil hard where the teacher is reliable, softly elsewhere.

A teacher's eps prediction is only worth imitating where it is close to the noise that was really
added. Per sample, its error e_b = mean((eps_teacher - eps_true)^2) is known exactly during
training (the true noise is at hand), so samples where the teacher is wrong can be down-weighted
in the soft loss, in the spirit of confidence-aware / "trust the teacher when it is right"
distillation (e.g. Zhou et al. 2021, "Rethinking Soft Labels for Knowledge Distillation", which
weighs each sample's KD term by the teacher's reliability).
"""
import torch
from torch import Tensor

from ._numeric import at_least_float32


def _per_sample_mse(a: Tensor, b: Tensor) -> Tensor:
    """Mean squared difference over every dimension but the first: shape (B,)."""
    if a.shape != b.shape:
        raise ValueError(f"shapes differ: {tuple(a.shape)} vs {tuple(b.shape)}")
    return (at_least_float32(a) - at_least_float32(b)).pow(2).reshape(a.shape[0], -1).mean(dim=1)


def knowledge_consistency_weights(eps_teacher: Tensor, eps_true: Tensor, threshold: float) -> Tensor:
    """Per-sample weights (B,): 1 where the teacher's error e_b <= threshold, else threshold / e_b.

    Why threshold / e_b: it is continuous at e_b = threshold (both sides give 1) and makes the
    weighted soft loss of a bad sample behave as if its teacher error were capped at the threshold,
    so an unreliable teacher cannot dominate the batch, yet the student still sees it. The weights
    are constants (detached): they choose how much to trust each target, not something to learn.
    """
    if threshold <= 0:
        raise ValueError(f"threshold must be positive, got {threshold}")
    error = _per_sample_mse(eps_teacher.detach(), eps_true.detach())
    # weight_b = min(1, threshold / e_b); the clamp only avoids 0/0 where e_b = 0 (weight 1 there).
    return torch.clamp(threshold / error.clamp_min(torch.finfo(error.dtype).tiny), max=1.0)


def weighted_mse(a: Tensor, b: Tensor, weights: Tensor) -> Tensor:
    """``mean_b(weights_b * mean((a_b - b_b)^2))``: per-sample MSE, weighted, averaged over the batch.

    With all weights 1 this equals ``F.mse_loss(a, b)``.
    """
    per_sample = _per_sample_mse(a, b)
    if weights.shape != per_sample.shape:
        raise ValueError(f"weights must have shape {tuple(per_sample.shape)}, got {tuple(weights.shape)}")
    return (weights.to(per_sample.dtype) * per_sample).mean()
