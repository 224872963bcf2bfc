"""Feature distillation: match the student's intermediate block outputs to the teacher's.

BK-SDM (Kim et al. 2023, sec. 3) adds L_FeatKD = sum_l ||f_T^l(z_t) - f_S^l(z_t)||^2 over the
outputs of paired UNet blocks; where the student's blocks are narrower, a trainable 1x1 "regressor"
maps them to the teacher's width first (FitNets, Romero et al. 2015, eq. 3). Features are captured
with forward hooks, so neither UNet needs to know it is being distilled.
"""
from typing import Callable, Dict, List, Mapping, Optional, Protocol, Sequence, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ._numeric import at_least_float32
from .consistency import weighted_mse

BlockSpec = Tuple[nn.Module, int]
"""A block to hook and the channel count of its output."""

MULTI_SCALE_FACTORS: Tuple[int, ...] = (1, 2, 4)


class HasNamedBlocks(Protocol):
    """What ``blocks_of`` needs from a UNet: its hookable blocks and their output channels."""

    def named_blocks(self) -> Mapping[str, nn.Module]: ...

    def block_channels(self) -> Mapping[str, int]: ...


def blocks_of(model: HasNamedBlocks) -> Dict[str, BlockSpec]:
    """``{name: (block, channels)}`` for ``FeatureDistillation``, from a model exposing
    ``named_blocks()`` and ``block_channels()`` (keys such as "down.0", "mid", "up.1")."""
    channels = model.block_channels()
    return {name: (block, int(channels[name])) for name, block in model.named_blocks().items()}


def default_feature_weights(count: int) -> List[float]:
    """1.0, 0.8, 0.6, 0.4, 0.2, 0.2, ...: list the pairs from most to least important.

    BK-SDM weighs every block equally; the decay lets a short list lean on its first pairs
    (e.g. the mid block and the first up blocks, which carry most of the teacher's structure)
    without a per-experiment table. Rounded so 1.0 - 0.2 * 3 reads 0.4, not 0.39999999999999997.
    """
    return [max(0.2, round(1.0 - 0.2 * i, 6)) for i in range(count)]


def _first_tensor(output: object) -> Tensor:
    """A block's feature map: its output, or the first tensor of a tuple/list output
    (down blocks often return (hidden, skips))."""
    if isinstance(output, Tensor):
        return output
    if isinstance(output, (tuple, list)):
        for item in output:
            if isinstance(item, Tensor):
                return item
    raise TypeError(f"cannot take a feature map from a block output of type {type(output).__name__}")


def _match_spatial(student: Tensor, teacher: Tensor) -> Tuple[Tensor, Tensor]:
    """Average-pools whichever map is larger (per axis) down to the common (min H, min W)."""
    size = (min(student.shape[-2], teacher.shape[-2]), min(student.shape[-1], teacher.shape[-1]))
    if tuple(student.shape[-2:]) != size:
        student = F.adaptive_avg_pool2d(student, size)
    if tuple(teacher.shape[-2:]) != size:
        teacher = F.adaptive_avg_pool2d(teacher, size)
    return student, teacher


def _multi_scale_mse(student: Tensor, teacher: Tensor, factors: Sequence[int], mse: Callable[[Tensor, Tensor], Tensor] = F.mse_loss) -> Tensor:
    """Mean of the MSEs at average-pool factors ``factors``, skipping those the map is smaller than.

    Coarse scales compare the layout of a feature map rather than its texture, in the spirit of
    ReviewKD's hierarchical context loss (Chen et al. 2021, sec. 3.3), here uniformly averaged.
    Adaptive pooling to (H // f, W // f) equals avg_pool2d(f) when f divides the size and still
    covers every pixel when it does not.
    """
    h, w = student.shape[-2], student.shape[-1]
    terms = []
    for f in factors:
        if h < f or w < f:
            continue
        if f == 1:
            terms.append(mse(student, teacher))
        else:
            size = (h // f, w // f)
            terms.append(mse(F.adaptive_avg_pool2d(student, size), F.adaptive_avg_pool2d(teacher, size)))
    return torch.stack(terms).mean()


class FeatureDistillation(nn.Module):
    """Hooks paired teacher/student blocks and computes the weighted feature-matching loss.

    ``loss() = sum_i w_i * MSE(proj_i(student_feat_i), teacher_feat_i.detach())``. The module's
    only parameters are the 1x1 projections (created only for pairs whose channel counts differ):
    add ``feature_distillation.parameters()`` to the student's optimizer and move the module to the
    student's device. The hooked blocks are deliberately not submodules, so the teacher's weights
    never show up in ``parameters()`` or ``state_dict()``.

    Each forward of a hooked model overwrites its captured features (a block called twice in one
    forward keeps its last output). Set ``enabled = False`` (or call ``clear()`` afterwards) around
    forwards that are not distillation steps, such as sampling previews. Hooks ignore deep copies
    of the hooked modules (an EMA copy made after the hooks were registered shares them).
    """

    def __init__(
        self,
        teacher_blocks: Mapping[str, BlockSpec],
        student_blocks: Mapping[str, BlockSpec],
        pairs: Sequence[Tuple[str, str]],
        weights: Optional[Sequence[float]] = None,
        multi_scale: bool = False,
    ) -> None:
        super().__init__()
        if not pairs:
            raise ValueError("feature distillation needs at least one (teacher, student) block pair")
        self.pairs: List[Tuple[str, str]] = [(str(t), str(s)) for t, s in pairs]
        if len(set(self.pairs)) != len(self.pairs):
            raise ValueError(f"duplicate block pairs in {self.pairs}")
        for teacher_name, student_name in self.pairs:
            if teacher_name not in teacher_blocks:
                raise KeyError(f"teacher has no block {teacher_name!r} (has {sorted(teacher_blocks)})")
            if student_name not in student_blocks:
                raise KeyError(f"student has no block {student_name!r} (has {sorted(student_blocks)})")
        self.weights: List[float] = list(weights) if weights is not None else default_feature_weights(len(self.pairs))
        if len(self.weights) != len(self.pairs):
            raise ValueError(f"{len(self.weights)} weights for {len(self.pairs)} pairs")
        if any(w < 0 for w in self.weights):
            raise ValueError(f"feature weights must be non-negative, got {self.weights}")
        self.multi_scale = multi_scale
        self.enabled = True

        self._teacher_channels = {t: int(teacher_blocks[t][1]) for t, _ in self.pairs}
        self._student_channels = {s: int(student_blocks[s][1]) for _, s in self.pairs}
        # ModuleDict keys may not contain ".", and block names do ("up.1"): key by pair index.
        self.projections = nn.ModuleDict()
        for i, (t, s) in enumerate(self.pairs):
            if self._teacher_channels[t] != self._student_channels[s]:
                # FitNets (Romero et al. 2015) eq. 3: a learned regressor r(student) matched to the hint.
                self.projections[str(i)] = nn.Conv2d(
                    self._student_channels[s], self._teacher_channels[t], kernel_size=1
                )

        self._teacher_features: Dict[str, Tensor] = {}
        self._student_features: Dict[str, Tensor] = {}
        self._handles: List[torch.utils.hooks.RemovableHandle] = []
        for name in sorted({t for t, _ in self.pairs}):
            module = teacher_blocks[name][0]
            hook = self._capture(self._teacher_features, name, module, detach=True)
            self._handles.append(module.register_forward_hook(hook))
        for name in sorted({s for _, s in self.pairs}):
            module = student_blocks[name][0]
            hook = self._capture(self._student_features, name, module, detach=False)
            self._handles.append(module.register_forward_hook(hook))

    def _capture(self, store: Dict[str, Tensor], name: str, owner: nn.Module, detach: bool) -> Callable[..., None]:
        """A forward hook that records ``owner``'s output under ``name``; the teacher's is detached
        at once so no graph through the frozen teacher is kept alive."""

        def hook(module: nn.Module, inputs: object, output: object) -> None:
            if not self.enabled or module is not owner:
                return
            feature = _first_tensor(output)
            store[name] = feature.detach() if detach else feature

        return hook

    def projection_for(self, teacher_name: str, student_name: str) -> Optional[nn.Module]:
        """The 1x1 projection of a pair, or None where the channel counts already agree."""
        key = str(self.pairs.index((teacher_name, student_name)))
        return self.projections[key] if key in self.projections else None

    @staticmethod
    def pair_key(teacher_name: str, student_name: str) -> str:
        """The name of a pair in ``loss()``'s per-pair dict: ``"<teacher>-><student>"``."""
        return f"{teacher_name}->{student_name}"

    @property
    def teacher_features(self) -> Dict[str, Tensor]:
        return dict(self._teacher_features)

    @property
    def student_features(self) -> Dict[str, Tensor]:
        return dict(self._student_features)

    def loss(self, sample_weights: Optional[Tensor] = None) -> Tuple[Tensor, Dict[str, Tensor]]:
        """The weighted sum over pairs and each pair's unweighted MSE (detached, for reporting).

        Run the teacher and the student on the same inputs first. Spatial sizes that differ are
        matched by adaptive average pooling of the larger map. With `sample_weights` (B,) each
        MSE is a per-sample weighted one (knowledge consistency: distil harder where the teacher
        is reliable).
        """
        mse_of: Callable[[Tensor, Tensor], Tensor] = (
            F.mse_loss if sample_weights is None else (lambda a, b: weighted_mse(a, b, sample_weights))
        )
        total: Optional[Tensor] = None
        per_pair: Dict[str, Tensor] = {}
        for i, (t, s) in enumerate(self.pairs):
            if t not in self._teacher_features:
                raise RuntimeError(f"no feature captured for teacher block {t!r}: run the teacher forward first")
            if s not in self._student_features:
                raise RuntimeError(f"no feature captured for student block {s!r}: run the student forward first")
            teacher = self._teacher_features[t].detach()
            student = self._student_features[s]
            if teacher.dim() != 4 or student.dim() != 4:
                raise ValueError(f"pair {t}/{s}: feature maps must be (B, C, H, W)")
            if teacher.shape[1] != self._teacher_channels[t] or student.shape[1] != self._student_channels[s]:
                raise ValueError(
                    f"pair {t}/{s}: captured {teacher.shape[1]}/{student.shape[1]} channels, "
                    f"declared {self._teacher_channels[t]}/{self._student_channels[s]}"
                )
            if teacher.shape[0] != student.shape[0]:
                raise ValueError(f"pair {t}/{s}: batch sizes differ ({teacher.shape[0]} vs {student.shape[0]})")
            if str(i) in self.projections:
                student = self.projections[str(i)](student)
            student, teacher = _match_spatial(at_least_float32(student), at_least_float32(teacher))
            # BK-SDM L_FeatKD: ||f_T^l - f_S^l||^2, averaged over elements (and scales when multi-scale).
            if self.multi_scale:
                mse = _multi_scale_mse(student, teacher, MULTI_SCALE_FACTORS, mse_of)
            else:
                mse = mse_of(student, teacher)
            per_pair[self.pair_key(t, s)] = mse.detach()
            term = self.weights[i] * mse
            total = term if total is None else total + term
        assert total is not None
        return total, per_pair

    def clear(self) -> None:
        """Drops the captured features (and the student graph they keep alive)."""
        self._teacher_features.clear()
        self._student_features.clear()

    def remove(self) -> None:
        """Removes every hook from both models and drops the captured features; idempotent."""
        for handle in self._handles:
            handle.remove()
        self._handles.clear()
        self.clear()
