"""Temperature-scaled KL distillation over spatial positions, and its temperature schedule."""
import math

import torch.nn.functional as F
from torch import Tensor

from ._numeric import at_least_float32


def spatial_kl_loss(student: Tensor, teacher: Tensor, temperature: float) -> Tensor:
    """``T^2 * KL(softmax(teacher / T) || softmax(student / T))``, softmax over H*W of each map.

    Why spatial: Hinton's softmax runs over classes, but these UNets predict 1-4 channels of noise,
    and a softmax over a single channel is identically 1 (KL always 0). Each (sample, channel) map
    is instead read as a distribution over its H*W positions, as in channel-wise distillation
    (Shu et al. 2021, "Channel-wise Knowledge Distillation for Dense Prediction", eq. 2-3), which
    also keeps the loss meaningful for 1-channel images.

    Why T^2: the gradients of the softened KL scale as 1/T^2 (Hinton et al. 2015, sec. 2), so
    multiplying by T^2 keeps the loss magnitude roughly independent of T; for large T,
    ``T^2 * KL -> Var_u(teacher - student) / 2`` over the positions u of a map.

    Inputs are (B, C, *spatial); the result is the mean over samples and channels. The teacher is
    detached (it is a target).
    """
    if temperature <= 0:
        raise ValueError(f"temperature must be positive, got {temperature}")
    if student.shape != teacher.shape:
        raise ValueError(f"shapes differ: student {tuple(student.shape)}, teacher {tuple(teacher.shape)}")
    if student.dim() < 3:
        raise ValueError(f"expected (B, C, *spatial), got shape {tuple(student.shape)}")
    # Shu et al. (2021) eq. 2: phi(y_c)_i = exp(y_c,i / T) / sum_j exp(y_c,j / T) over positions i, j.
    log_p_student = F.log_softmax(at_least_float32(student.flatten(2)) / temperature, dim=-1)
    log_p_teacher = F.log_softmax(at_least_float32(teacher.detach().flatten(2)) / temperature, dim=-1)
    # Shu et al. (2021) eq. 3: KL = sum_i p_T(i) * (log p_T(i) - log p_S(i)) over positions i.
    kl = (log_p_teacher.exp() * (log_p_teacher - log_p_student)).sum(dim=-1)
    # Hinton et al. (2015) sec. 2: multiply by T^2 so gradient magnitudes do not shrink with T.
    return kl.mean() * (temperature**2)


def temperature_at(step: int, total_steps: int, initial: float, final: float, kind: str = "linear") -> float:
    """The distillation temperature at ``step`` of ``total_steps`` (steps 0 .. total_steps - 1).

    ``initial`` at step 0, ``final`` at the last step; a high early temperature transfers the
    teacher's "dark knowledge" in soft maps, a low one later sharpens the match. ``kind`` is
    "linear" or "cosine" (cosine annealing, Loshchilov & Hutter 2017, eq. 5:
    final + (initial - final) * (1 + cos(pi * progress)) / 2). Steps outside the range are
    clamped; a run of a single step uses ``initial``.
    """
    if total_steps < 1:
        raise ValueError(f"total_steps must be >= 1, got {total_steps}")
    progress = 0.0 if total_steps == 1 else min(1.0, max(0.0, step / (total_steps - 1)))
    if kind == "linear":
        return initial + (final - initial) * progress
    if kind == "cosine":
        # Loshchilov & Hutter (2017), SGDR eq. 5, with eta_max = initial and eta_min = final.
        return final + (initial - final) * (1.0 + math.cos(math.pi * progress)) / 2.0
    raise ValueError(f"unknown temperature schedule kind {kind!r} (linear | cosine)")
