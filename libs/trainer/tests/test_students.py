"""BK-SDM-style students: derived configs and initialisation from the teacher's weights."""
import pytest
import torch

from distillery_trainer.students import derive_student_config, init_student_from_teacher
from distillery_trainer.unet import UNet, UNetConfig, parameter_count

TEACHER = UNetConfig(resolution=8, channels=[16, 32], layers_per_block=2, attention_stages=[0, 1], groups=8, heads=4)


def _teacher(config: UNetConfig = TEACHER) -> UNet:
    torch.manual_seed(0)
    return UNet(config)


def _student(config: UNetConfig) -> UNet:
    torch.manual_seed(1)  # a different seed, so equal tensors can only come from the copy
    return UNet(config)


def test_derived_config_removes_layers_mid_and_channels():
    student = derive_student_config(TEACHER, remove_layers=1, channel_scale=0.5, drop_mid=True)
    assert student.layers_per_block == 1 and not student.mid_block
    assert student.channels == [8, 16]
    assert student.attention_stages == TEACHER.attention_stages
    assert student.time_embed_dim == TEACHER.time_embed_dim  # kept so the time MLP copies whole
    assert (student.resolution, student.in_channels, student.num_classes) == (TEACHER.resolution, TEACHER.in_channels, TEACHER.num_classes)
    assert TEACHER.layers_per_block == 2 and TEACHER.mid_block  # the teacher's config is untouched


def test_channels_round_to_a_multiple_of_groups_and_never_to_zero():
    teacher = UNetConfig(channels=[32, 64], groups=8, heads=4)
    assert derive_student_config(teacher, channel_scale=0.3).channels == [8, 16]
    assert derive_student_config(teacher, channel_scale=0.01).channels == [8, 8]
    assert derive_student_config(teacher).channels == [32, 64]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"remove_layers": 1},
        {"channel_scale": 0.5},
        {"drop_mid": True},
        {"remove_layers": 1, "channel_scale": 0.5, "drop_mid": True},
    ],
)
def test_every_reduction_gives_a_smaller_working_model(kwargs):
    teacher = _teacher()
    student = _student(derive_student_config(TEACHER, **kwargs))
    assert parameter_count(student) < parameter_count(teacher)
    x, t, labels = torch.randn(2, 1, 8, 8), torch.tensor([3, 900]), torch.tensor([0, 10])
    with torch.no_grad():
        assert student(x, t, labels).shape == x.shape


@pytest.mark.parametrize("kwargs", [{"remove_layers": 2}, {"remove_layers": -1}, {"channel_scale": 0}, {"channel_scale": 1.5}])
def test_impossible_reductions_are_rejected(kwargs):
    with pytest.raises(ValueError):
        derive_student_config(TEACHER, **kwargs)


def test_init_copies_the_teacher_into_every_kept_block():
    teacher = _teacher()
    student = _student(derive_student_config(TEACHER, remove_layers=1, drop_mid=True))
    counts = init_student_from_teacher(student, teacher)
    student_state, teacher_state = student.state_dict(), teacher.state_dict()
    assert counts == {"copied": len(student_state), "sliced": 0, "fresh": 0}
    for name, tensor in student_state.items():
        assert torch.equal(tensor, teacher_state[name]), name
    assert "down.0.res.0.conv1.weight" in student_state and "down.0.res.1.conv1.weight" not in student_state
    assert not any(name.startswith("mid.") for name in student_state)


def test_init_with_nothing_removed_reproduces_the_teacher():
    teacher = _teacher()
    student = _student(derive_student_config(TEACHER))
    init_student_from_teacher(student, teacher)
    x, t, labels = torch.randn(2, 1, 8, 8), torch.tensor([3, 900]), torch.tensor([0, 10])
    with torch.no_grad():
        torch.testing.assert_close(student(x, t, labels), teacher(x, t, labels), rtol=0, atol=0)


def test_init_slices_channel_reduced_tensors():
    teacher = _teacher()
    student = _student(derive_student_config(TEACHER, channel_scale=0.5))
    counts = init_student_from_teacher(student, teacher)
    student_state, teacher_state = student.state_dict(), teacher.state_dict()
    assert counts["sliced"] > 0 and counts["fresh"] == 0
    assert counts["copied"] + counts["sliced"] == len(student_state)
    # Widths differ: leading slices. The time embedding kept its width: whole copies.
    torch.testing.assert_close(student_state["conv_in.weight"], teacher_state["conv_in.weight"][:8], rtol=0, atol=0)
    torch.testing.assert_close(student_state["up.0.res.0.conv1.weight"], teacher_state["up.0.res.0.conv1.weight"][:16, :32], rtol=0, atol=0)
    torch.testing.assert_close(student_state["conv_out.weight"], teacher_state["conv_out.weight"][:, :8], rtol=0, atol=0)
    for name in ("time_mlp.0.weight", "time_mlp.2.weight", "class_embed.weight"):
        assert torch.equal(student_state[name], teacher_state[name]), name


def test_init_leaves_tensors_without_a_teacher_counterpart_fresh():
    deeper = UNetConfig(resolution=8, channels=[16, 32], layers_per_block=2, attention_stages=[], groups=8, heads=4)
    shallow = UNetConfig(resolution=8, channels=[16, 32], layers_per_block=1, attention_stages=[], groups=8, heads=4)
    student = _student(deeper)
    before = {name: tensor.clone() for name, tensor in student.state_dict().items()}
    counts = init_student_from_teacher(student, _teacher(shallow))
    fresh = [name for name in before if ".res.1." in name]
    assert counts["fresh"] == len(fresh) > 0 and counts["sliced"] == 0
    for name in fresh:
        assert torch.equal(student.state_dict()[name], before[name]), name
