"""The progressive-distillation target (Salimans & Ho 2022, Algorithm 2)."""
import math
from typing import Callable, Tuple

import pytest
import torch
from torch import Tensor

from distillery_trainer.losses import TO_X0, two_step_teacher_target


def _linear_schedule(steps: int = 1000) -> Tuple[Callable[[Tensor], Tensor], Callable[[Tensor], Tensor]]:
    """DDPM's linear betas 1e-4 .. 0.02 (Ho et al. 2020); alpha = sqrt(abar), sigma = sqrt(1 - abar)."""
    betas = torch.linspace(1e-4, 0.02, steps, dtype=torch.float64)
    abar = torch.cumprod(1.0 - betas, dim=0)

    def alpha(t: Tensor) -> Tensor:
        assert bool((t >= 0).all()), "the schedule must never see TO_X0"
        return abar[t].sqrt().float().reshape(-1, 1, 1, 1)

    def sigma(t: Tensor) -> Tensor:
        assert bool((t >= 0).all()), "the schedule must never see TO_X0"
        return (1.0 - abar[t]).sqrt().float().reshape(-1, 1, 1, 1)

    return alpha, sigma


def _ddim(z: Tensor, eps: Tensor, a_t: Tensor, s_t: Tensor, a_s: Tensor, s_s: Tensor) -> Tensor:
    """Written out again here, independently of the module: x0 = (z - s eps) / a; z' = a' x0 + s' eps."""
    return a_s * (z - s_t * eps) / a_t + s_s * eps


def _nonlinear_teacher(z: Tensor, t: Tensor) -> Tensor:
    return torch.tanh(z) * (1.0 + t.float().reshape(-1, 1, 1, 1) / 1000.0) + 0.1 * z.flip(-1)


def test_scalar_example_by_hand() -> None:
    # alpha/sigma: t=2 -> (0.6, 0.8), t=1 -> (0.8, 0.6), t=0 -> (0.96, 0.28); teacher eps = 0.5 z.
    table_a = torch.tensor([0.96, 0.8, 0.6])
    table_s = torch.tensor([0.28, 0.6, 0.8])
    alpha = lambda t: table_a[t].reshape(-1, 1, 1, 1)  # noqa: E731
    sigma = lambda t: table_s[t].reshape(-1, 1, 1, 1)  # noqa: E731
    # eps1 = 0.5; x0 = (1 - 0.8 * 0.5) / 0.6 = 1.0; z_mid = 0.8 * 1 + 0.6 * 0.5 = 1.1
    # eps2 = 0.55; x0 = (1.1 - 0.6 * 0.55) / 0.8 = 0.9625; z_next = 0.96 * 0.9625 + 0.28 * 0.55 = 1.078
    # ratio = 0.28 / 0.8 = 0.35; x~ = (1.078 - 0.35) / (0.96 - 0.35 * 0.6) = 0.728 / 0.75 = 0.970666...
    # eps~ = (1 - 0.6 * 0.970666...) / 0.8 = 0.4176 / 0.8 = 0.522
    target = two_step_teacher_target(torch.ones(1, 1, 1, 1), 2, 1, 0, lambda z, t: 0.5 * z, alpha, sigma)
    assert target.item() == pytest.approx(0.522, abs=1e-6)
    # And one student step with it: x0 = (1 - 0.8 * 0.522) / 0.6 = 0.970666...; 0.96 x0 + 0.28 * 0.522 = 1.078
    x0 = (1.0 - 0.8 * 0.522) / 0.6
    assert 0.96 * x0 + 0.28 * 0.522 == pytest.approx(1.078)


def test_true_noise_teacher_one_student_step_reproduces_two_teacher_steps() -> None:
    alpha, sigma = _linear_schedule()
    torch.manual_seed(0)
    x0 = torch.randn(4, 1, 4, 4)
    noise = torch.randn(4, 1, 4, 4)
    t = torch.tensor([999, 500, 100, 10])
    t_mid, t_next = t - 5, t - 10
    z_t = alpha(t) * x0 + sigma(t) * noise

    def teacher(z: Tensor, tt: Tensor) -> Tensor:
        return (z - alpha(tt) * x0) / sigma(tt)

    eps_target = two_step_teacher_target(z_t, t, t_mid, t_next, teacher, alpha, sigma)
    # The teacher's own two steps.
    z_mid = _ddim(z_t, teacher(z_t, t), alpha(t), sigma(t), alpha(t_mid), sigma(t_mid))
    z_next = _ddim(z_mid, teacher(z_mid, t_mid), alpha(t_mid), sigma(t_mid), alpha(t_next), sigma(t_next))
    # One student step t -> t_next with the target as its eps.
    student_next = _ddim(z_t, eps_target, alpha(t), sigma(t), alpha(t_next), sigma(t_next))
    assert torch.allclose(student_next, z_next, atol=1e-5)
    # This teacher is exact, so the target is the true noise.
    assert torch.allclose(eps_target, noise, atol=1e-4)


def test_nonlinear_teacher_matches_the_paper_closed_form() -> None:
    alpha, sigma = _linear_schedule()
    torch.manual_seed(1)
    z_t = torch.randn(3, 2, 4, 4)
    t, t_mid, t_next = torch.tensor([800, 400, 60]), torch.tensor([700, 300, 40]), torch.tensor([600, 200, 20])
    eps_target = two_step_teacher_target(z_t, t, t_mid, t_next, _nonlinear_teacher, alpha, sigma)

    a, s = alpha(t), sigma(t)
    a2, s2 = alpha(t_next), sigma(t_next)
    z_mid = _ddim(z_t, _nonlinear_teacher(z_t, t), a, s, alpha(t_mid), sigma(t_mid))
    z2 = _ddim(z_mid, _nonlinear_teacher(z_mid, t_mid), alpha(t_mid), sigma(t_mid), a2, s2)
    # Salimans & Ho (2022), Algorithm 2: x~ = (z'' - (s''/s) z) / (a'' - (s''/s) a); eps~ = (z - a x~) / s.
    x_tilde = (z2 - (s2 / s) * z_t) / (a2 - (s2 / s) * a)
    assert torch.allclose(eps_target, (z_t - a * x_tilde) / s, atol=1e-5)
    assert torch.allclose(_ddim(z_t, eps_target, a, s, a2, s2), z2, atol=1e-5)


@pytest.mark.parametrize("to_x0", [None, TO_X0, torch.tensor([-1, -1])])
def test_last_step_to_x0(to_x0: object) -> None:
    alpha, sigma = _linear_schedule()
    torch.manual_seed(2)
    z_t = torch.randn(2, 1, 3, 3)
    t, t_mid = torch.tensor([20, 2]), torch.tensor([10, 1])
    eps_target = two_step_teacher_target(z_t, t, t_mid, to_x0, _nonlinear_teacher, alpha, sigma)
    z_mid = _ddim(z_t, _nonlinear_teacher(z_t, t), alpha(t), sigma(t), alpha(t_mid), sigma(t_mid))
    # Stepping to x0 (alpha 1, sigma 0) lands on the teacher's x0 prediction at t_mid: x~ = z_next.
    x0_teacher = (z_mid - sigma(t_mid) * _nonlinear_teacher(z_mid, t_mid)) / alpha(t_mid)
    student_x0 = (z_t - sigma(t) * eps_target) / alpha(t)
    assert torch.allclose(student_x0, x0_teacher, atol=1e-5)


def test_mixed_batch_with_some_samples_to_x0() -> None:
    alpha, sigma = _linear_schedule()
    torch.manual_seed(3)
    z_t = torch.randn(2, 1, 3, 3)
    t, t_mid, t_next = torch.tensor([40, 2]), torch.tensor([30, 1]), torch.tensor([20, TO_X0])
    eps_target = two_step_teacher_target(z_t, t, t_mid, t_next, _nonlinear_teacher, alpha, sigma)
    z_mid = _ddim(z_t, _nonlinear_teacher(z_t, t), alpha(t), sigma(t), alpha(t_mid), sigma(t_mid))
    a2 = torch.cat([alpha(t_next[:1]), torch.ones(1, 1, 1, 1)])
    s2 = torch.cat([sigma(t_next[:1]), torch.zeros(1, 1, 1, 1)])
    z2 = _ddim(z_mid, _nonlinear_teacher(z_mid, t_mid), alpha(t_mid), sigma(t_mid), a2, s2)
    assert torch.allclose(_ddim(z_t, eps_target, alpha(t), sigma(t), a2, s2), z2, atol=1e-5)


def test_target_is_detached_and_keeps_dtype() -> None:
    alpha, sigma = _linear_schedule()
    z_t = torch.randn(2, 1, 2, 2, requires_grad=True)
    target = two_step_teacher_target(z_t, 300, 200, 100, _nonlinear_teacher, alpha, sigma)
    assert not target.requires_grad and target.dtype == torch.float32 and target.shape == z_t.shape
    with pytest.raises(ValueError):
        two_step_teacher_target(z_t, 300, TO_X0, TO_X0, _nonlinear_teacher, alpha, sigma)
    assert math.isfinite(target.abs().sum().item())
