"""BK-SDM-style students: a teacher UNet with blocks removed and/or narrower channels.

BK-SDM (Kim et al., 2023) removes ResBlock+attention pairs per stage and, for its Base variant, the
mid block, then initialises the student from the teacher's remaining weights; that initialisation is
most of why distillation beats training the small model from scratch.
"""
import dataclasses
import math
from typing import Dict

import torch

from .unet import UNet, UNetConfig


def _round_to_multiple(value: float, multiple: int) -> int:
    return max(multiple, int(round(value / multiple)) * multiple)


def derive_student_config(teacher: UNetConfig, remove_layers: int = 0, channel_scale: float = 1.0, drop_mid: bool = False) -> UNetConfig:
    """The student's architecture.

    remove_layers: ResBlocks (with their attention) removed from every stage; at least one stays.
    channel_scale: in (0, 1]; widths are rounded to a multiple of groups (and of heads, so attention
    still splits evenly). The time embedding keeps the teacher's width so it can be copied whole.
    drop_mid: remove the mid block, as BK-SDM-Base does.
    """
    if remove_layers < 0:
        raise ValueError(f"remove_layers must be >= 0, got {remove_layers}")
    layers = teacher.layers_per_block - remove_layers
    if layers < 1:
        raise ValueError(f"removing {remove_layers} of {teacher.layers_per_block} layers per stage leaves none (keep >= 1)")
    if not 0 < channel_scale <= 1:
        raise ValueError(f"channel_scale must be in (0, 1], got {channel_scale}")
    multiple = teacher.groups * teacher.heads // math.gcd(teacher.groups, teacher.heads)
    channels = [_round_to_multiple(c * channel_scale, multiple) if channel_scale < 1 else c for c in teacher.channels]
    return dataclasses.replace(
        teacher,
        channels=channels,
        layers_per_block=layers,
        attention_stages=list(teacher.attention_stages),
        mid_block=teacher.mid_block and not drop_mid,
    )


def init_student_from_teacher(student: UNet, teacher: UNet) -> Dict[str, int]:
    """Copies teacher weights into the student by parameter name.

    Same name and shape: copied (the kept blocks start as the teacher's). Same name, every dimension
    no larger: the leading slice is copied (channel-reduced layers). Anything else stays freshly
    initialised. Returns counts of tensors {"copied", "sliced", "fresh"}.
    """
    teacher_state = teacher.state_dict()
    counts = {"copied": 0, "sliced": 0, "fresh": 0}
    with torch.no_grad():
        for name, target in student.state_dict().items():
            source = teacher_state.get(name)
            if source is not None and source.shape == target.shape:
                target.copy_(source)
                counts["copied"] += 1
            elif source is not None and source.dim() == target.dim() and all(s >= t for s, t in zip(source.shape, target.shape)):
                target.copy_(source[tuple(slice(0, size) for size in target.shape)])
                counts["sliced"] += 1
            else:
                counts["fresh"] += 1
    return counts
