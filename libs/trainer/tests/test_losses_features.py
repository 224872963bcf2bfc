"""Feature distillation through forward hooks, on tiny models of our own."""
import copy
from typing import Dict, List, Tuple

import pytest
import torch
from torch import Tensor, nn

from distillery_trainer.losses import FeatureDistillation, blocks_of, default_feature_weights


class Probe(nn.Module):
    """A block that returns whatever tensor it was last told to (to craft exact features)."""

    def __init__(self) -> None:
        super().__init__()
        self.value = torch.zeros(1)

    def forward(self, x: Tensor) -> Tensor:
        return self.value + 0.0 * x.sum()


class Probes(nn.Module):
    """A 'model' whose named blocks output hand-written feature maps."""

    def __init__(self, names: List[str]) -> None:
        super().__init__()
        self.blocks = nn.ModuleDict({n.replace(".", "_"): Probe() for n in names})
        self.names = names

    def set(self, name: str, value: Tensor) -> None:
        self.blocks[name.replace(".", "_")].value = value

    def block(self, name: str) -> nn.Module:
        return self.blocks[name.replace(".", "_")]

    def forward(self, x: Tensor) -> None:
        for name in self.names:
            self.block(name)(x)


class TinyNet(nn.Module):
    """Two conv blocks; ``down.0`` returns (hidden, skip) like a UNet down block."""

    def __init__(self, c0: int, c1: int, stride: int) -> None:
        super().__init__()
        self.c0, self.c1 = c0, c1
        self.down0 = _DownBlock(1, c0)
        self.mid = nn.Conv2d(c0, c1, 3, stride=stride, padding=1)
        self.out = nn.Conv2d(c1, 1, 1)
        self.seen: Dict[str, Tensor] = {}

    def forward(self, x: Tensor) -> Tensor:
        h, _skip = self.down0(x)
        self.seen["down.0"] = h
        m = self.mid(torch.relu(h))
        self.seen["mid"] = m
        return self.out(m)

    def blocks(self) -> Dict[str, Tuple[nn.Module, int]]:
        return {"down.0": (self.down0, self.c0), "mid": (self.mid, self.c1)}


class _DownBlock(nn.Module):
    def __init__(self, cin: int, cout: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 3, padding=1)

    def forward(self, x: Tensor) -> Tuple[Tensor, Tensor]:
        h = self.conv(x)
        return h, h * 2


def _probe_blocks(model: Probes, channels: Dict[str, int]) -> Dict[str, Tuple[nn.Module, int]]:
    return {n: (model.block(n), c) for n, c in channels.items()}


def test_default_weights() -> None:
    assert default_feature_weights(6) == [1.0, 0.8, 0.6, 0.4, 0.2, 0.2]
    teacher, student = TinyNet(4, 8, 1), TinyNet(4, 8, 1)
    pairs = [("down.0", "down.0"), ("mid", "mid")]
    assert FeatureDistillation(teacher.blocks(), student.blocks(), pairs).weights == [1.0, 0.8]
    names = ["a", "b", "c", "d"]
    t, s = Probes(names), Probes(names)
    chans = {n: 1 for n in names}
    fd = FeatureDistillation(_probe_blocks(t, chans), _probe_blocks(s, chans), [(n, n) for n in names])
    assert fd.weights == [1.0, 0.8, 0.6, 0.4]


def test_hooks_capture_the_block_outputs() -> None:
    torch.manual_seed(0)
    teacher, student = TinyNet(4, 8, 1), TinyNet(2, 4, 2)
    pairs = [("down.0", "down.0"), ("mid", "mid")]
    fd = FeatureDistillation(teacher.blocks(), student.blocks(), pairs)
    x = torch.randn(2, 1, 8, 8)
    with torch.no_grad():
        teacher(x)
    student(x)
    # The tuple output of down.0 contributes its first tensor; the teacher's is detached.
    assert torch.equal(fd.teacher_features["down.0"], teacher.seen["down.0"])
    assert torch.equal(fd.teacher_features["mid"], teacher.seen["mid"])
    assert fd.student_features["down.0"] is student.seen["down.0"]
    assert fd.student_features["mid"] is student.seen["mid"]
    assert fd.student_features["mid"].shape == (2, 4, 4, 4)


def test_projections_only_where_channels_differ() -> None:
    teacher, student = TinyNet(4, 8, 1), TinyNet(4, 3, 1)
    fd = FeatureDistillation(teacher.blocks(), student.blocks(), [("down.0", "down.0"), ("mid", "mid")])
    assert fd.projection_for("down.0", "down.0") is None
    projection = fd.projection_for("mid", "mid")
    assert isinstance(projection, nn.Conv2d)
    assert (projection.in_channels, projection.out_channels, projection.kernel_size) == (3, 8, (1, 1))
    assert len(fd.projections) == 1
    # Only the projections are parameters: the hooked models are not submodules.
    assert sum(p.numel() for p in fd.parameters()) == 3 * 8 + 8
    assert all(not k.startswith(("teacher", "student")) for k in fd.state_dict())


def test_loss_by_hand_with_projection_and_weights() -> None:
    teacher, student = Probes(["a", "b"]), Probes(["a", "b"])
    fd = FeatureDistillation(
        _probe_blocks(teacher, {"a": 1, "b": 2}), _probe_blocks(student, {"a": 1, "b": 1}), [("a", "a"), ("b", "b")]
    )
    projection = fd.projection_for("b", "b")
    with torch.no_grad():
        projection.weight.copy_(torch.tensor([2.0, -1.0]).reshape(2, 1, 1, 1))
        projection.bias.zero_()
    feature = torch.tensor([[[[1.0, 2.0], [3.0, 4.0]]]])
    teacher.set("a", torch.zeros(1, 1, 2, 2))
    teacher.set("b", torch.zeros(1, 2, 2, 2))
    student.set("a", feature)
    student.set("b", feature)
    teacher(torch.zeros(1))
    student(torch.zeros(1))
    total, per_pair = fd.loss()
    # a: (1 + 4 + 9 + 16) / 4 = 7.5
    # b: projected [2, 4, 6, 8] and [-1, -2, -3, -4]: (4 + 16 + 36 + 64 + 1 + 4 + 9 + 16) / 8 = 18.75
    assert per_pair["a->a"].item() == pytest.approx(7.5)
    assert per_pair["b->b"].item() == pytest.approx(18.75)
    # 1.0 * 7.5 + 0.8 * 18.75 = 7.5 + 15
    assert total.item() == pytest.approx(22.5)

    custom = FeatureDistillation(
        _probe_blocks(teacher, {"a": 1}), _probe_blocks(student, {"a": 1}), [("a", "a")], weights=[0.5]
    )
    teacher(torch.zeros(1))
    student(torch.zeros(1))
    assert custom.loss()[0].item() == pytest.approx(3.75)


def test_sample_weights_make_each_pair_a_per_sample_weighted_mse() -> None:
    teacher, student = Probes(["a"]), Probes(["a"])
    fd = FeatureDistillation(_probe_blocks(teacher, {"a": 1}), _probe_blocks(student, {"a": 1}), [("a", "a")])
    teacher.set("a", torch.zeros(2, 1, 1, 2))
    # sample 0 is off by 1 everywhere (MSE 1), sample 1 by 3 (MSE 9)
    student.set("a", torch.tensor([[[[1.0, 1.0]]], [[[3.0, 3.0]]]]))
    teacher(torch.zeros(1))
    student(torch.zeros(1))
    assert fd.loss()[0].item() == pytest.approx(5.0)
    # weights (1, 0): (1 * 1 + 0 * 9) / 2 = 0.5; all ones gives the unweighted value
    total, per_pair = fd.loss(torch.tensor([1.0, 0.0]))
    assert total.item() == pytest.approx(0.5) and per_pair["a->a"].item() == pytest.approx(0.5)
    assert fd.loss(torch.ones(2))[0].item() == pytest.approx(5.0)


def test_spatial_sizes_are_matched_by_pooling_the_larger() -> None:
    big = torch.arange(16.0).reshape(1, 1, 4, 4)
    # 2x2 means of 0..15 laid out 4x4: [[2.5, 4.5], [10.5, 12.5]];
    # against zeros: (6.25 + 20.25 + 110.25 + 156.25) / 4 = 73.25
    for student_map, teacher_map in ((big, torch.zeros(1, 1, 2, 2)), (torch.zeros(1, 1, 2, 2), big)):
        teacher, student = Probes(["a"]), Probes(["a"])
        fd = FeatureDistillation(_probe_blocks(teacher, {"a": 1}), _probe_blocks(student, {"a": 1}), [("a", "a")])
        teacher.set("a", teacher_map)
        student.set("a", student_map)
        teacher(torch.zeros(1))
        student(torch.zeros(1))
        assert fd.loss()[0].item() == pytest.approx(73.25)


def test_multi_scale_averages_pool_factors_1_2_4() -> None:
    teacher, student = Probes(["a", "b"]), Probes(["a", "b"])
    chans = {"a": 1, "b": 1}
    fd = FeatureDistillation(
        _probe_blocks(teacher, chans), _probe_blocks(student, chans), [("a", "a"), ("b", "b")],
        weights=[1.0, 1.0], multi_scale=True,
    )
    teacher.set("a", torch.zeros(1, 1, 4, 4))
    student.set("a", torch.arange(16.0).reshape(1, 1, 4, 4))
    teacher.set("b", torch.zeros(1, 1, 2, 2))
    student.set("b", torch.tensor([[[[1.0, 2.0], [3.0, 4.0]]]]))
    teacher(torch.zeros(1))
    student(torch.zeros(1))
    total, per_pair = fd.loss()
    # a, 4x4: factor 1: sum(k^2, k < 16) / 16 = 1240 / 16 = 77.5; factor 2: 73.25; factor 4: 7.5^2 = 56.25
    # mean = (77.5 + 73.25 + 56.25) / 3 = 69.0
    assert per_pair["a->a"].item() == pytest.approx(69.0)
    # b, 2x2: factor 4 is skipped; factor 1: 7.5, factor 2: 2.5^2 = 6.25; mean 6.875
    assert per_pair["b->b"].item() == pytest.approx(6.875)
    assert total.item() == pytest.approx(75.875)


def test_gradients_reach_student_and_projections_not_teacher() -> None:
    torch.manual_seed(0)
    teacher, student = TinyNet(4, 8, 1), TinyNet(2, 4, 2)
    fd = FeatureDistillation(teacher.blocks(), student.blocks(), [("down.0", "down.0"), ("mid", "mid")])
    x = torch.randn(2, 1, 8, 8)
    teacher(x)  # deliberately with grad enabled: the hooks must still cut the teacher off
    student(x)
    total, per_pair = fd.loss()
    total.backward()
    assert all(p.grad is None for p in teacher.parameters())
    assert student.down0.conv.weight.grad is not None and student.down0.conv.weight.grad.abs().sum() > 0
    assert student.mid.weight.grad is not None and student.mid.weight.grad.abs().sum() > 0
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in fd.projections.parameters())
    assert all(not v.requires_grad for v in per_pair.values())


def test_clear_remove_enabled_and_deep_copies() -> None:
    torch.manual_seed(0)
    teacher, student = TinyNet(4, 8, 1), TinyNet(4, 8, 1)
    fd = FeatureDistillation(teacher.blocks(), student.blocks(), [("mid", "mid")])
    x = torch.randn(1, 1, 4, 4)
    teacher(x)
    student(x)
    fd.clear()
    with pytest.raises(RuntimeError):
        fd.loss()

    teacher(x)
    student(x)
    captured = fd.student_features["mid"]
    student.seen.clear()  # non-leaf tensors cannot be deep-copied
    ema = copy.deepcopy(student)  # shares the hook closures, which must ignore it
    assert len(ema.mid._forward_hooks) == 1
    ema(torch.randn(1, 1, 4, 4))
    assert fd.student_features["mid"] is captured
    fd.enabled = False
    student(torch.randn(1, 1, 4, 4))
    assert fd.student_features["mid"] is captured
    fd.enabled = True

    fd.remove()
    assert len(teacher.mid._forward_hooks) == 0 and len(student.mid._forward_hooks) == 0
    teacher(x)
    student(x)
    assert fd.student_features == {} and fd.teacher_features == {}
    fd.remove()  # idempotent


def test_bad_configuration_is_rejected() -> None:
    teacher, student = TinyNet(4, 8, 1), TinyNet(4, 8, 1)
    with pytest.raises(KeyError):
        FeatureDistillation(teacher.blocks(), student.blocks(), [("up.0", "mid")])
    with pytest.raises(ValueError):
        FeatureDistillation(teacher.blocks(), student.blocks(), [("mid", "mid")], weights=[1.0, 0.5])
    with pytest.raises(ValueError):
        FeatureDistillation(teacher.blocks(), student.blocks(), [])
    # Declared channels that do not match what the block produces are caught at loss time.
    wrong = {"mid": (student.mid, 5)}
    fd = FeatureDistillation(teacher.blocks(), wrong, [("mid", "mid")])
    x = torch.randn(1, 1, 4, 4)
    teacher(x)
    student(x)
    with pytest.raises(ValueError):
        fd.loss()


class _NamedBlocksModel(nn.Module):
    """Exposes named_blocks()/block_channels() like the project's UNet."""

    def __init__(self) -> None:
        super().__init__()
        self.a = nn.Conv2d(1, 3, 1)
        self.b = nn.Conv2d(3, 5, 1)

    def forward(self, x: Tensor) -> Tensor:
        return self.b(self.a(x))

    def named_blocks(self) -> Dict[str, nn.Module]:
        return {"down.0": self.a, "mid": self.b}

    def block_channels(self) -> Dict[str, int]:
        return {"down.0": 3, "mid": 5}


def test_blocks_of_a_model_with_named_blocks() -> None:
    model = _NamedBlocksModel()
    blocks = blocks_of(model)
    assert blocks == {"down.0": (model.a, 3), "mid": (model.b, 5)}
    fd = FeatureDistillation(blocks, blocks_of(_NamedBlocksModel()), [("mid", "mid"), ("down.0", "down.0")])
    assert len(fd.projections) == 0 and fd.weights == [1.0, 0.8]
