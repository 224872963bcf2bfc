"""Progressive distillation target (Salimans & Ho 2022, "Progressive Distillation for Fast
Sampling of Diffusion Models", Algorithm 2): one student DDIM step must do two teacher steps."""
from typing import Callable, Optional, Tuple, Union

import torch
from torch import Tensor

TO_X0 = -1
"""A ``t_next`` (scalar or per-sample entry) that means "step all the way to x0" (alpha 1, sigma 0);
the same -1 that ``NoiseSchedule`` uses for clean data."""

Timesteps = Union[Tensor, int]
Schedule = Callable[[Tensor], Tensor]
"""alpha(t) or sigma(t): timesteps (B,) -> coefficients broadcastable as (B, 1, 1, 1)."""


def _as_batch(t: Optional[Timesteps], like: Tensor) -> Tensor:
    """Timesteps as a (B,) int64 tensor on ``like``'s device; None means ``TO_X0``."""
    batch = like.shape[0]
    if t is None:
        t = TO_X0
    if isinstance(t, Tensor):
        t = t.to(device=like.device, dtype=torch.long)
        return t.reshape(()).expand(batch) if t.numel() == 1 else t.reshape(batch)
    return torch.full((batch,), int(t), dtype=torch.long, device=like.device)


def _coefficients(t: Tensor, alpha: Schedule, sigma: Schedule, like: Tensor) -> Tuple[Tensor, Tensor]:
    """(alpha_t, sigma_t) as (B, 1, ...) in ``like``'s dtype; entries with t < 0 are x0 (1, 0).

    The schedule is only ever called with valid (clamped) indices, so a negative ``TO_X0`` never
    wraps around to the last timestep of an alphas_cumprod table.
    """
    shape = (like.shape[0],) + (1,) * (like.dim() - 1)
    is_x0 = (t < 0).reshape(shape)
    valid = t.clamp_min(0)
    a = alpha(valid).to(device=like.device, dtype=like.dtype).reshape(shape)
    s = sigma(valid).to(device=like.device, dtype=like.dtype).reshape(shape)
    return torch.where(is_x0, torch.ones_like(a), a), torch.where(is_x0, torch.zeros_like(s), s)


def _ddim_step(z_t: Tensor, eps: Tensor, a_t: Tensor, s_t: Tensor, a_s: Tensor, s_s: Tensor) -> Tensor:
    """Deterministic DDIM (Song et al. 2021, eq. 12 with sigma = 0; Salimans & Ho sec. 3):
    x0_hat = (z_t - sigma_t * eps) / alpha_t, z_s = alpha_s * x0_hat + sigma_s * eps."""
    x0_hat = (z_t - s_t * eps) / a_t
    return a_s * x0_hat + s_s * eps


def two_step_teacher_target(
    xt: Tensor,
    t: Timesteps,
    t_mid: Timesteps,
    t_next: Optional[Timesteps],
    teacher_eps_fn: Callable[[Tensor, Tensor], Tensor],
    alpha: Schedule,
    sigma: Schedule,
) -> Tensor:
    """The eps-target that makes ONE student DDIM step t -> t_next land on the teacher's two steps.

    The teacher takes two deterministic DDIM steps z_t -> z_mid -> z_next (``teacher_eps_fn(z, t)``
    returns its eps; class labels belong in its closure). Algorithm 2 of Salimans & Ho then gives the
    x-target
        x~ = (z_next - (sigma_next / sigma_t) z_t) / (alpha_next - (sigma_next / sigma_t) alpha_t),
    which this eps-predicting student needs as eps~ = (z_t - alpha_t x~) / sigma_t: then
    x0_hat = x~ and alpha_next x~ + sigma_next eps~ = z_next exactly. ``t_next`` None, ``TO_X0``
    or negative entries mean x0 (alpha 1, sigma 0), where x~ reduces to z_next. The denominator is
    positive whenever alpha/sigma grows from t to t_next (a monotone schedule).

    The teacher runs under no_grad and the target is detached; it is computed in at least float32
    because the division by sigma_t amplifies rounding near t = 0.
    """
    dtype = torch.promote_types(xt.dtype, torch.float32)
    z_t = xt.detach().to(dtype)
    t_b, t_mid_b, t_next_b = _as_batch(t, z_t), _as_batch(t_mid, z_t), _as_batch(t_next, z_t)
    if bool((t_b < 0).any()) or bool((t_mid_b < 0).any()):
        raise ValueError("t and t_mid must be real timesteps; only t_next may be TO_X0")
    a_t, s_t = _coefficients(t_b, alpha, sigma, z_t)
    a_mid, s_mid = _coefficients(t_mid_b, alpha, sigma, z_t)
    a_next, s_next = _coefficients(t_next_b, alpha, sigma, z_t)

    with torch.no_grad():
        # Salimans & Ho (2022) Algorithm 2: two DDIM steps of the teacher, t -> t' -> t''.
        eps_1 = teacher_eps_fn(xt.detach(), t_b).to(dtype)
        z_mid = _ddim_step(z_t, eps_1, a_t, s_t, a_mid, s_mid)
        eps_2 = teacher_eps_fn(z_mid.to(xt.dtype), t_mid_b).to(dtype)
        z_next = _ddim_step(z_mid, eps_2, a_mid, s_mid, a_next, s_next)

        # Algorithm 2: x~ = (z_t'' - (sigma_t''/sigma_t) z_t) / (alpha_t'' - (sigma_t''/sigma_t) alpha_t).
        ratio = s_next / s_t
        x_target = (z_next - ratio * z_t) / (a_next - ratio * a_t)
        # eps-parametrisation of the same target (Salimans & Ho sec. 4: eps = (z_t - alpha_t x) / sigma_t).
        eps_target = (z_t - a_t * x_target) / s_t
    return eps_target.to(xt.dtype)
