"""A class-conditional UNet noise predictor laid out like Stable Diffusion's, at toy scale.

Down stages of ResBlocks (optionally followed by a spatial transformer that self-attends and
cross-attends to the class embedding, as SD does to text), a mid block, and up stages that mirror
them with skip connections. Each stage is one module returning one tensor so feature distillation
can hook "down.<i>", "mid" and "up.<i>" directly. Attention is written out by hand: torch 1.13 has no
scaled_dot_product_attention and the ONNX export must stay at opset 17.
"""
import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

import torch
import torch.nn.functional as F
from torch import Tensor, nn

# The class embedding is split into this many context tokens: softmax over a single key is
# constantly 1, which would leave cross-attention's queries without any gradient.
CONTEXT_TOKENS = 4


@dataclass
class UNetConfig:
    """Architecture of a UNet; JSON-able (to_dict/from_dict) so it travels as model metadata.

    `channels` lists the down stages' widths (the up path mirrors them); `attention_stages` names the
    stage indices that get a transformer; `mid_block` is False for BK-SDM-Base-style students.
    """

    resolution: int = 16
    in_channels: int = 1
    channels: List[int] = field(default_factory=lambda: [32, 64])
    layers_per_block: int = 1
    attention_stages: List[int] = field(default_factory=lambda: [1])
    num_classes: int = 10
    groups: int = 8
    heads: int = 4
    time_embed_dim: Optional[int] = None
    mid_block: bool = True

    def __post_init__(self) -> None:
        self.channels = [int(c) for c in self.channels]
        self.attention_stages = sorted({int(s) for s in self.attention_stages})
        if self.time_embed_dim is None:
            self.time_embed_dim = 4 * self.channels[0] if self.channels else 0
        self._validate()

    def _validate(self) -> None:
        """Fails at construction with a readable message rather than deep inside a forward pass."""
        if not self.channels:
            raise ValueError("channels must list at least one stage")
        if self.layers_per_block < 1:
            raise ValueError(f"layers_per_block must be >= 1, got {self.layers_per_block}")
        if self.num_classes < 1 or self.in_channels < 1 or self.groups < 1 or self.heads < 1:
            raise ValueError("num_classes, in_channels, groups and heads must be >= 1")
        if self.time_embed_dim < 8 or self.time_embed_dim % CONTEXT_TOKENS:
            raise ValueError(f"time_embed_dim must be a multiple of {CONTEXT_TOKENS} and >= 8, got {self.time_embed_dim}")
        downsamples = 2 ** (len(self.channels) - 1)
        if self.resolution < downsamples or self.resolution % downsamples:
            raise ValueError(f"resolution {self.resolution} is not divisible by 2^{len(self.channels) - 1}")
        for stage, width in enumerate(self.channels):
            if width < 1 or width % self.groups:
                raise ValueError(f"channels[{stage}] = {width} is not a positive multiple of groups = {self.groups}")
        for stage in self.attention_stages:
            if not 0 <= stage < len(self.channels):
                raise ValueError(f"attention stage {stage} is out of range for {len(self.channels)} stages")
        attended = self.attention_stages + ([len(self.channels) - 1] if self.mid_block else [])
        for stage in attended:
            if self.channels[stage] % self.heads:
                raise ValueError(f"channels[{stage}] = {self.channels[stage]} is not divisible by heads = {self.heads}")

    @classmethod
    def from_dict(cls, d: Dict[str, Any]) -> "UNetConfig":
        """Rejects unknown keys so a typo in a spec is an error, not a silently default model."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            raise ValueError(f"unknown UNet config keys: {', '.join(unknown)}")
        return cls(**d)

    def to_dict(self) -> Dict[str, Any]:
        return dataclasses.asdict(self)


def parameter_count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def timestep_embedding(t: Tensor, dim: int, max_period: float = 10000.0) -> Tensor:
    """Sinusoidal features of integer timesteps (cos then sin), as in DDPM/SD."""
    half = dim // 2
    freqs = torch.exp(-math.log(max_period) * torch.arange(half, dtype=torch.float32, device=t.device) / half)
    args = t.float()[:, None] * freqs[None, :]
    return torch.cat([torch.cos(args), torch.sin(args)], dim=-1)


def _frequency_dim(time_embed_dim: int) -> int:
    """Sinusoid width from time_embed_dim alone (= channels[0] for the default 4x), so a
    channel-reduced student keeps the teacher's time MLP whole."""
    return 2 * (time_embed_dim // 8)


class ResBlock(nn.Module):
    """GroupNorm-SiLU-conv twice with the (time + class) embedding added in between."""

    def __init__(self, in_channels: int, out_channels: int, embed_dim: int, groups: int) -> None:
        super().__init__()
        self.norm1 = nn.GroupNorm(groups, in_channels)
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, padding=1)
        self.embed = nn.Linear(embed_dim, out_channels)
        self.norm2 = nn.GroupNorm(groups, out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1)
        self.shortcut = nn.Conv2d(in_channels, out_channels, 1) if in_channels != out_channels else nn.Identity()

    def forward(self, x: Tensor, emb: Tensor) -> Tensor:
        h = self.conv1(F.silu(self.norm1(x)))
        h = h + self.embed(F.silu(emb))[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        return self.shortcut(x) + h


class Attention(nn.Module):
    """Multi-head softmax(Q K^T / sqrt(d)) V; self-attention when context is None."""

    def __init__(self, channels: int, context_dim: int, heads: int) -> None:
        super().__init__()
        self.heads = heads
        self.to_q = nn.Linear(channels, channels, bias=False)
        self.to_k = nn.Linear(context_dim, channels, bias=False)
        self.to_v = nn.Linear(context_dim, channels, bias=False)
        self.to_out = nn.Linear(channels, channels)

    def _split(self, x: Tensor) -> Tensor:
        batch, tokens, channels = x.shape
        return x.reshape(batch, tokens, self.heads, channels // self.heads).transpose(1, 2)

    def forward(self, x: Tensor, context: Optional[Tensor] = None) -> Tensor:
        context = x if context is None else context
        q, k, v = self._split(self.to_q(x)), self._split(self.to_k(context)), self._split(self.to_v(context))
        weights = torch.softmax(q @ k.transpose(-1, -2) * (q.shape[-1] ** -0.5), dim=-1)
        out = (weights @ v).transpose(1, 2)
        return self.to_out(out.reshape(x.shape))


class SpatialTransformer(nn.Module):
    """SD's transformer block over the pixels: self-attention, cross-attention to the class
    context, feed-forward, each pre-normed and residual."""

    def __init__(self, channels: int, context_dim: int, heads: int, groups: int) -> None:
        super().__init__()
        self.norm = nn.GroupNorm(groups, channels)
        self.proj_in = nn.Conv2d(channels, channels, 1)
        self.norm_self = nn.LayerNorm(channels)
        self.self_attn = Attention(channels, channels, heads)
        self.norm_cross = nn.LayerNorm(channels)
        self.cross_attn = Attention(channels, context_dim, heads)
        self.norm_ff = nn.LayerNorm(channels)
        self.ff = nn.Sequential(nn.Linear(channels, 4 * channels), nn.GELU(), nn.Linear(4 * channels, channels))
        self.proj_out = nn.Conv2d(channels, channels, 1)

    def forward(self, x: Tensor, context: Tensor) -> Tensor:
        h = self.proj_in(self.norm(x))
        tokens = h.flatten(2).transpose(1, 2)
        tokens = tokens + self.self_attn(self.norm_self(tokens))
        tokens = tokens + self.cross_attn(self.norm_cross(tokens), context)
        tokens = tokens + self.ff(self.norm_ff(tokens))
        h = tokens.transpose(1, 2).reshape(h.shape)
        return x + self.proj_out(h)


class Stage(nn.Module):
    """ResBlocks, each followed by a transformer when the stage attends.

    Only the first ResBlock changes width (it also takes the concatenated skip in the up path), so
    removing later layers leaves the remaining tensors' shapes, and thus teacher weights, intact.
    """

    def __init__(self, in_channels: int, out_channels: int, layers: int, attention: bool, embed_dim: int, config: UNetConfig) -> None:
        super().__init__()
        self.res = nn.ModuleList(
            ResBlock(in_channels if i == 0 else out_channels, out_channels, embed_dim, config.groups) for i in range(layers)
        )
        self.attn = nn.ModuleList(
            SpatialTransformer(out_channels, embed_dim // CONTEXT_TOKENS, config.heads, config.groups) for _ in range(layers if attention else 0)
        )

    def run(self, h: Tensor, emb: Tensor, context: Tensor) -> Tensor:
        for i, res in enumerate(self.res):
            h = res(h, emb)
            if self.attn:
                h = self.attn[i](h, context)
        return h


class DownStage(Stage):
    """Downsamples (except stage 0) then runs the stage; the output is also the skip."""

    def __init__(self, in_channels: int, out_channels: int, downsample: bool, attention: bool, embed_dim: int, config: UNetConfig) -> None:
        super().__init__(in_channels, out_channels, config.layers_per_block, attention, embed_dim, config)
        self.downsample = nn.Conv2d(in_channels, in_channels, 3, stride=2, padding=1) if downsample else None

    def forward(self, h: Tensor, emb: Tensor, context: Tensor) -> Tensor:
        if self.downsample is not None:
            h = self.downsample(h)
        return self.run(h, emb, context)


class UpStage(Stage):
    """Concatenates the mirrored down stage's output, runs the stage, then upsamples (nearest + conv)."""

    def __init__(self, in_channels: int, skip_channels: int, out_channels: int, upsample: bool, attention: bool, embed_dim: int, config: UNetConfig) -> None:
        super().__init__(in_channels + skip_channels, out_channels, config.layers_per_block, attention, embed_dim, config)
        self.upsample = nn.Conv2d(out_channels, out_channels, 3, padding=1) if upsample else None

    def forward(self, h: Tensor, skip: Tensor, emb: Tensor, context: Tensor) -> Tensor:
        h = self.run(torch.cat([h, skip], dim=1), emb, context)
        if self.upsample is not None:
            h = self.upsample(F.interpolate(h, scale_factor=2.0, mode="nearest"))
        return h


class MidBlock(nn.Module):
    """ResBlock, transformer, ResBlock at the lowest resolution."""

    def __init__(self, channels: int, embed_dim: int, config: UNetConfig) -> None:
        super().__init__()
        self.res1 = ResBlock(channels, channels, embed_dim, config.groups)
        self.attn = SpatialTransformer(channels, embed_dim // CONTEXT_TOKENS, config.heads, config.groups)
        self.res2 = ResBlock(channels, channels, embed_dim, config.groups)

    def forward(self, h: Tensor, emb: Tensor, context: Tensor) -> Tensor:
        return self.res2(self.attn(self.res1(h, emb), context), emb)


class UNet(nn.Module):
    """Predicts the noise eps in x_t given the timestep and the class label.

    Label ``num_classes`` is the null class, reserved for classifier-free guidance. The class
    embedding is added to the time embedding and, cut into CONTEXT_TOKENS tokens, is the context
    that cross-attention reads (SD's text tokens, here).
    Up stage i mirrors down stage n-1-i (up.0 is the deepest, as in diffusers).
    """

    def __init__(self, config: UNetConfig) -> None:
        super().__init__()
        self.config = config
        channels, embed_dim = config.channels, config.time_embed_dim
        self.frequency_dim = _frequency_dim(embed_dim)
        self.time_mlp = nn.Sequential(nn.Linear(self.frequency_dim, embed_dim), nn.SiLU(), nn.Linear(embed_dim, embed_dim))
        self.class_embed = nn.Embedding(config.num_classes + 1, embed_dim)
        self.conv_in = nn.Conv2d(config.in_channels, channels[0], 3, padding=1)
        n = len(channels)
        self.down = nn.ModuleList(
            DownStage(channels[max(i - 1, 0)], channels[i], i > 0, i in config.attention_stages, embed_dim, config) for i in range(n)
        )
        self.mid = MidBlock(channels[-1], embed_dim, config) if config.mid_block else None
        self.up = nn.ModuleList(
            UpStage(channels[min(i + 1, n - 1)], channels[i], channels[i], i > 0, i in config.attention_stages, embed_dim, config)
            for i in reversed(range(n))
        )
        self.norm_out = nn.GroupNorm(config.groups, channels[0])
        self.conv_out = nn.Conv2d(channels[0], config.in_channels, 3, padding=1)

    def forward(self, x: Tensor, t: Tensor, class_labels: Tensor) -> Tensor:
        class_emb = self.class_embed(class_labels)
        emb = self.time_mlp(timestep_embedding(t, self.frequency_dim)) + class_emb
        context = class_emb.reshape(class_emb.shape[0], CONTEXT_TOKENS, -1)
        h = self.conv_in(x)
        skips = []
        for stage in self.down:
            h = stage(h, emb, context)
            skips.append(h)
        if self.mid is not None:
            h = self.mid(h, emb, context)
        for stage in self.up:
            h = stage(h, skips.pop(), emb, context)
        return self.conv_out(F.silu(self.norm_out(h)))

    def named_blocks(self) -> Dict[str, nn.Module]:
        """The hookable blocks in execution order; each returns one (B, C, H, W) tensor."""
        blocks: Dict[str, nn.Module] = {f"down.{i}": stage for i, stage in enumerate(self.down)}
        if self.mid is not None:
            blocks["mid"] = self.mid
        blocks.update({f"up.{i}": stage for i, stage in enumerate(self.up)})
        return blocks

    def block_channels(self) -> Dict[str, int]:
        """Output channels of each named block (what a feature-distillation projector must map)."""
        channels = self.config.channels
        n = len(channels)
        widths = {f"down.{i}": c for i, c in enumerate(channels)}
        if self.mid is not None:
            widths["mid"] = channels[-1]
        widths.update({f"up.{i}": channels[n - 1 - i] for i in range(n)})
        return widths
