"""Spatial KL distillation and its temperature schedule."""
import math

import pytest
import torch

from distillery_trainer.losses import spatial_kl_loss, temperature_at


def _kl_by_hand(teacher: list, student: list, temperature: float) -> float:
    """KL(softmax(t/T) || softmax(s/T)) * T^2 over a list of positions, in plain floats."""
    et = [math.exp(v / temperature) for v in teacher]
    es = [math.exp(v / temperature) for v in student]
    pt = [v / sum(et) for v in et]
    ps = [v / sum(es) for v in es]
    return temperature**2 * sum(p * math.log(p / q) for p, q in zip(pt, ps))


def test_spatial_kl_is_zero_for_equal_inputs_and_positive_otherwise() -> None:
    torch.manual_seed(0)
    x = torch.randn(3, 2, 4, 4)
    assert spatial_kl_loss(x, x.clone(), 2.0).item() == pytest.approx(0.0, abs=1e-6)
    assert spatial_kl_loss(x, x + torch.randn_like(x), 2.0).item() > 1e-3
    # A per-map constant shift leaves every spatial softmax unchanged.
    assert spatial_kl_loss(x + 5.0, x, 1.0).item() == pytest.approx(0.0, abs=1e-6)


def test_spatial_kl_matches_a_hand_computed_2x2_map() -> None:
    # Teacher logits log([0.1, 0.2, 0.3, 0.4]) (softmax at T=1 is exactly those), student uniform:
    # KL = 0.1 ln 0.4 + 0.2 ln 0.8 + 0.3 ln 1.2 + 0.4 ln 1.6
    #    = -0.0916291 - 0.0446287 + 0.0546965 + 0.1880015 = 0.1064401
    teacher = torch.tensor([[[[math.log(0.1), math.log(0.2)], [math.log(0.3), math.log(0.4)]]]])
    student = torch.zeros(1, 1, 2, 2)
    assert spatial_kl_loss(student, teacher, 1.0).item() == pytest.approx(0.1064401, abs=1e-6)
    # At T = 2 the teacher's softmax is sqrt(p) / sum(sqrt(p)); times T^2 = 4.
    sqrt_p = [math.sqrt(p) for p in (0.1, 0.2, 0.3, 0.4)]
    pt = [v / sum(sqrt_p) for v in sqrt_p]
    expected_t2 = 4.0 * sum(p * math.log(p / 0.25) for p in pt)
    assert spatial_kl_loss(student, teacher, 2.0).item() == pytest.approx(expected_t2, rel=1e-5)
    assert expected_t2 == pytest.approx(_kl_by_hand([math.log(p) for p in (0.1, 0.2, 0.3, 0.4)], [0, 0, 0, 0], 2.0))


def test_spatial_kl_means_over_samples_and_channels() -> None:
    t = [0.0, 1.0, 2.0, 3.0]
    s = [1.0, 0.0, 0.5, 0.0]
    one = _kl_by_hand(t, s, 1.5)
    teacher = torch.tensor([[[t[:2], t[2:]], [t[:2], t[2:]]], [[t[:2], t[2:]], [s[:2], s[2:]]]])
    student = torch.tensor([[[s[:2], s[2:]], [s[:2], s[2:]]], [[t[:2], t[2:]], [s[:2], s[2:]]]])
    # Maps: (0,0) and (0,1) give `one`, (1,0) and (1,1) are equal (0): mean = one / 2.
    assert spatial_kl_loss(student, teacher, 1.5).item() == pytest.approx(one / 2, rel=1e-5)


def test_spatial_kl_temperature_scaling() -> None:
    t = [0.0, 1.0, 2.0, 3.0]
    teacher = torch.tensor([[[t[:2], t[2:]]]], dtype=torch.float64)
    student = torch.zeros(1, 1, 2, 2, dtype=torch.float64)
    for temperature in (0.5, 1.0, 4.0):
        assert spatial_kl_loss(student, teacher, temperature).item() == pytest.approx(
            _kl_by_hand(t, [0, 0, 0, 0], temperature), rel=1e-9
        )
    # Hinton scaling: T^2 * KL tends to Var_u(teacher - student) / 2 as T grows:
    # Var([0, 1, 2, 3]) = (2.25 + 0.25 + 0.25 + 2.25) / 4 = 1.25, so the limit is 0.625.
    assert spatial_kl_loss(student, teacher, 100.0).item() == pytest.approx(0.625, rel=1e-3)
    # Softer distributions carry less raw KL, but the T^2 factor keeps the order of magnitude.
    raw_1 = spatial_kl_loss(student, teacher, 1.0).item()
    raw_10 = spatial_kl_loss(student, teacher, 10.0).item() / 100.0
    assert raw_10 < raw_1 / 10


def test_spatial_kl_gradient_reaches_the_student_only() -> None:
    torch.manual_seed(1)
    student = torch.randn(2, 1, 3, 3, requires_grad=True)
    teacher = torch.randn(2, 1, 3, 3, requires_grad=True)
    spatial_kl_loss(student, teacher, 2.0).backward()
    assert student.grad is not None and student.grad.abs().sum() > 0
    assert teacher.grad is None


def test_spatial_kl_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        spatial_kl_loss(torch.zeros(1, 1, 2, 2), torch.zeros(1, 1, 2, 2), 0.0)
    with pytest.raises(ValueError):
        spatial_kl_loss(torch.zeros(1, 1, 2, 2), torch.zeros(1, 1, 2, 3), 1.0)


# --- temperature schedule -----------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["linear", "cosine"])
def test_temperature_endpoints_midpoint_and_monotonic(kind: str) -> None:
    total = 11
    assert temperature_at(0, total, 4.0, 1.0, kind) == pytest.approx(4.0)
    assert temperature_at(total - 1, total, 4.0, 1.0, kind) == pytest.approx(1.0)
    # Step 5 of 0..10 is the middle: both schedules give the mean (4 + 1) / 2.
    assert temperature_at(5, total, 4.0, 1.0, kind) == pytest.approx(2.5)
    values = [temperature_at(s, total, 4.0, 1.0, kind) for s in range(total)]
    assert all(a > b for a, b in zip(values, values[1:]))
    rising = [temperature_at(s, total, 1.0, 3.0, kind) for s in range(total)]
    assert all(a < b for a, b in zip(rising, rising[1:]))
    # Outside the run the value is clamped to the endpoints.
    assert temperature_at(-3, total, 4.0, 1.0, kind) == pytest.approx(4.0)
    assert temperature_at(50, total, 4.0, 1.0, kind) == pytest.approx(1.0)


def test_temperature_quarter_points() -> None:
    # Step 1 of 0..4: progress 0.25.
    assert temperature_at(1, 5, 4.0, 1.0, "linear") == pytest.approx(3.25)  # 4 - 3 * 0.25
    # 1 + 3 * (1 + cos(pi / 4)) / 2 = 1 + 3 * 0.8535533905932737
    assert temperature_at(1, 5, 4.0, 1.0, "cosine") == pytest.approx(3.5606601717798214)


def test_temperature_single_step_and_bad_input() -> None:
    assert temperature_at(0, 1, 4.0, 1.0, "cosine") == 4.0
    with pytest.raises(ValueError):
        temperature_at(0, 0, 4.0, 1.0)
    with pytest.raises(ValueError):
        temperature_at(0, 10, 4.0, 1.0, "exponential")
