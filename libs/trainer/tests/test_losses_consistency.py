"""Knowledge-consistency weights and the weighted MSE."""
import pytest
import torch
import torch.nn.functional as F

from distillery_trainer.losses import knowledge_consistency_weights, weighted_mse


def test_weights_by_hand() -> None:
    eps_true = torch.zeros(4, 1, 1, 2)
    eps_teacher = torch.tensor([[[[0.1, 0.1]]], [[[1.0, 1.0]]], [[[0.0, 2.0]]], [[[0.0, 0.0]]]])
    # errors: 0.01, 1.0, (0 + 4) / 2 = 2.0, 0.0; threshold 0.5 -> 1, 0.5 / 1, 0.5 / 2, 1
    weights = knowledge_consistency_weights(eps_teacher, eps_true, threshold=0.5)
    assert weights.shape == (4,)
    assert weights.tolist() == pytest.approx([1.0, 0.5, 0.25, 1.0])
    # Exactly at the threshold both branches agree.
    at = knowledge_consistency_weights(torch.full((1, 1, 1, 2), 0.5**0.5), torch.zeros(1, 1, 1, 2), 0.5)
    assert at.item() == pytest.approx(1.0)


def test_weights_are_constants() -> None:
    eps_teacher = torch.randn(3, 1, 2, 2, requires_grad=True)
    weights = knowledge_consistency_weights(eps_teacher, torch.zeros(3, 1, 2, 2), 0.1)
    assert not weights.requires_grad
    with pytest.raises(ValueError):
        knowledge_consistency_weights(eps_teacher, torch.zeros(3, 1, 2, 2), 0.0)


def test_weighted_mse_by_hand() -> None:
    a = torch.tensor([[[[1.0, 1.0]]], [[[2.0, 2.0]]], [[[0.0, 0.0]]]])
    b = torch.zeros(3, 1, 1, 2)
    # per-sample MSE 1, 4, 0; weighted by 1, 0.5, 0.25: (1 + 2 + 0) / 3 = 1.0
    assert weighted_mse(a, b, torch.tensor([1.0, 0.5, 0.25])).item() == pytest.approx(1.0)
    torch.manual_seed(0)
    x, y = torch.randn(5, 2, 3, 3), torch.randn(5, 2, 3, 3)
    assert weighted_mse(x, y, torch.ones(5)).item() == pytest.approx(F.mse_loss(x, y).item(), rel=1e-6)
    with pytest.raises(ValueError):
        weighted_mse(x, y, torch.ones(4))


def test_weighted_soft_loss_trains_the_student_only() -> None:
    student = torch.zeros(2, 1, 1, 2, requires_grad=True)
    eps_teacher = torch.tensor([[[[1.0, 1.0]]], [[[3.0, 3.0]]]])
    eps_true = torch.tensor([[[[1.0, 1.0]]], [[[1.0, 1.0]]]])
    # teacher errors 0 and 4; threshold 1 -> weights 1 and 0.25
    weights = knowledge_consistency_weights(eps_teacher, eps_true, 1.0)
    weighted_mse(student, eps_teacher, weights).backward()
    # d/ds mean_b(w_b * mean((s - t)^2)) = w_b * 2 (s - t) / 2 / 2 = w_b * (s - t) / 2
    assert student.grad.flatten().tolist() == pytest.approx([-0.5, -0.5, -0.375, -0.375])
