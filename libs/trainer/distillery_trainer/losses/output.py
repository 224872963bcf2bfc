"""Output distillation: the student's noise prediction learns from the data and from the teacher.

Hinton et al. (2015), "Distilling the Knowledge in a Neural Network", sec. 2: a weighted sum of
the hard loss (against ground truth) and the soft loss (against the teacher). For an
eps-predicting diffusion UNet both are MSEs (BK-SDM, Kim et al. 2023, sec. 3: L_task and L_OutKD).
"""
from typing import NamedTuple, Optional

import torch
import torch.nn.functional as F
from torch import Tensor


class OutputLossTerms(NamedTuple):
    """The blended loss and its two parts, kept apart so both can be reported as metrics."""

    total: Tensor
    hard: Tensor
    soft: Tensor


def output_distillation_terms(
    eps_student: Tensor, eps_true: Tensor, eps_teacher: Optional[Tensor], alpha: float
) -> OutputLossTerms:
    """``alpha * MSE(eps_s, eps) + (1 - alpha) * MSE(eps_s, eps_teacher)`` and its parts.

    alpha = 1 is plain training on the data (the teacher may then be None and is never run);
    alpha = 0 is pure imitation of the teacher. The teacher's prediction is a target, so it is
    detached: no gradient may reach the frozen teacher.
    """
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"alpha must lie in [0, 1], got {alpha}")
    # Hinton et al. (2015) sec. 2 / BK-SDM L_task: L_task = ||eps - eps_S(z_t, t)||^2.
    hard = F.mse_loss(eps_student, eps_true)
    if eps_teacher is None:
        if alpha != 1.0:
            raise ValueError("eps_teacher is required unless alpha == 1")
        soft = torch.zeros_like(hard)
    else:
        # BK-SDM L_OutKD = ||eps_T(z_t, t) - eps_S(z_t, t)||^2.
        soft = F.mse_loss(eps_student, eps_teacher.detach())
    total = alpha * hard + (1.0 - alpha) * soft
    return OutputLossTerms(total=total, hard=hard, soft=soft)


def output_distillation_loss(
    eps_student: Tensor, eps_true: Tensor, eps_teacher: Optional[Tensor], alpha: float
) -> Tensor:
    """The scalar ``alpha * hard + (1 - alpha) * soft`` (see ``output_distillation_terms``)."""
    return output_distillation_terms(eps_student, eps_true, eps_teacher, alpha).total
