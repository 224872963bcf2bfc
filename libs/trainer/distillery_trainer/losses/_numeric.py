"""Numeric helpers shared by the losses."""
import torch
from torch import Tensor


def at_least_float32(x: Tensor) -> Tensor:
    """``x`` in float32, or kept as is when already float32/float64: losses reduce over many
    elements and fp16/bf16 sums lose precision, but ``.float()`` would also demote float64."""
    return x.to(torch.promote_types(x.dtype, torch.float32))
