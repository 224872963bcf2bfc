"""Output distillation: the hard/soft blend of the student's eps against the data and the teacher."""
import pytest
import torch

from distillery_trainer.losses import OutputLossTerms, output_distillation_loss, output_distillation_terms

# eps_s = [1, 2, 3, 4], eps = 0, eps_teacher = 1:
# hard = (1 + 4 + 9 + 16) / 4 = 7.5, soft = (0 + 1 + 4 + 9) / 4 = 3.5.
EPS_S = torch.tensor([[[[1.0, 2.0], [3.0, 4.0]]]])
EPS_TRUE = torch.zeros(1, 1, 2, 2)
EPS_TEACHER = torch.ones(1, 1, 2, 2)


def test_output_loss_blends_hard_and_soft_by_hand() -> None:
    terms = output_distillation_terms(EPS_S, EPS_TRUE, EPS_TEACHER, alpha=0.3)
    assert isinstance(terms, OutputLossTerms)
    assert terms.hard.item() == pytest.approx(7.5)
    assert terms.soft.item() == pytest.approx(3.5)
    # 0.3 * 7.5 + 0.7 * 3.5 = 2.25 + 2.45
    assert terms.total.item() == pytest.approx(4.7)
    assert output_distillation_loss(EPS_S, EPS_TRUE, EPS_TEACHER, 0.3).item() == pytest.approx(4.7)


def test_output_loss_alpha_edges() -> None:
    assert output_distillation_loss(EPS_S, EPS_TRUE, EPS_TEACHER, 1.0).item() == pytest.approx(7.5)
    assert output_distillation_loss(EPS_S, EPS_TRUE, EPS_TEACHER, 0.0).item() == pytest.approx(3.5)
    # alpha = 1 is plain training: the teacher need not be run at all.
    only_hard = output_distillation_terms(EPS_S, EPS_TRUE, None, 1.0)
    assert only_hard.total.item() == pytest.approx(7.5) and only_hard.soft.item() == 0.0
    with pytest.raises(ValueError):
        output_distillation_loss(EPS_S, EPS_TRUE, None, 0.5)
    for bad in (-0.1, 1.1):
        with pytest.raises(ValueError):
            output_distillation_loss(EPS_S, EPS_TRUE, EPS_TEACHER, bad)


def test_output_loss_does_not_reach_the_teacher() -> None:
    student = EPS_S.clone().requires_grad_(True)
    teacher = EPS_TEACHER.clone().requires_grad_(True)
    output_distillation_loss(student, EPS_TRUE, teacher, 0.5).backward()
    assert teacher.grad is None
    # d/ds [0.5 * mean(s^2) + 0.5 * mean((s - 1)^2)] = (s + (s - 1)) / 4 = (2s - 1) / 4
    assert student.grad.flatten().tolist() == pytest.approx([0.25, 0.75, 1.25, 1.75])
