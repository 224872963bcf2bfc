"""`distill`: trains a student UNet from a pretrained teacher with one or more strategies.

Spec (libs/domain DISTILL; defaults in distill_spec.py for direct use):
  {"teacher": "tiny-teacher@v1",
   "resolved": {"teacher": {"ref": "tiny-teacher@v1", "path": "/abs/teacher.pt", "metadata": {...}}},
   "dataset": {...datasets.py...},
   "student": {"derive": {"removeLayers": 1, "channelScale": 0.5, "dropMid": false}} | {"model": {...}},
   "strategy": {"output": {"weight": 1, "alpha": 0.5, "kl": {"weight": 0.1, "temperature": {"initial": 4, "final": 1}}},
                "feature": {"weight": 1, "pairs": [["mid", "mid"]], "layerWeights": [1.0], "multiScale": false},
                "knowledgeConsistency": {"threshold": 0.05},
                "progressive": {"rounds": [16, 8, 4]},
                "adversarial": {"weight": 0.05, "discriminatorLr": 2e-4}},
   "training": {...as pretrain; steps per progressive round...}, "output": {"model": "...", "family": "unet"}}

Every step draws its batch, timesteps and noise from (seed, step) and minimises the weighted sum of
the enabled components, each reported as its own metric:
  output        alpha * MSE(eps_s, eps) + (1 - alpha) * MSE(eps_s, eps_teacher)          "loss/output"
    kl          T^2 * spatial KL(eps_teacher || eps_s), T annealed over the run          "loss/kl", "temperature"
  feature       weighted MSE of paired block outputs through 1x1 projections            "loss/feature", "loss/feature/<pair>"
  knowledgeConsistency  per-sample weights on the teacher-dependent (soft and feature) MSEs  "kc/weight_mean"
  progressive   timesteps on each round's N-step DDIM grid, target = two DDIM steps of the
                round's teacher; after a round the student's EMA is the next one's teacher  "loss/progressive", "round"
  adversarial   hinge GAN on the student's x0 estimate with a patch discriminator      "loss/adversarial_g", "loss/adversarial_d"
Output, feature and knowledge-consistency terms always read the pretrained teacher; only the
progressive target comes from the round's teacher (the pretrained one in round 0).

Writes <work-dir>/checkpoint.pt while training (resume), then student.pt and student.onnx.
"""
import copy
import os
import sys
from typing import Any, Dict, List, Optional, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor

from .. import protocol
from ..checkpoint import STOPPED_EXIT_CODE, StopRequest, load_checkpoint, save_checkpoint
from ..datasets import ImageDataset, load_dataset
from ..diffusion import NoiseSchedule
from ..distill_spec import normalise_strategy, normalise_student, pair_metric_key, resolve_feature_pairs
from ..export import export_onnx
from ..losses import (
    FeatureDistillation,
    PatchDiscriminator,
    blocks_of,
    hinge_discriminator_loss,
    hinge_generator_loss,
    knowledge_consistency_weights,
    output_distillation_loss,
    spatial_kl_loss,
    temperature_at,
    two_step_teacher_target,
    weighted_mse,
)
from ..seeding import pick_device, seed_everything
from ..spec_error import SpecError
from ..students import derive_student_config, init_student_from_teacher
from ..training import ExponentialMovingAverage, grad_norm, learning_rate, step_generator
from ..unet import UNet, UNetConfig, parameter_count
from .pretrain import DEFAULT_TRAINING, unet_config_from_spec

DEFAULT_FAMILY = "unet"


def run(spec: Dict[str, Any], work_dir: str, stop: StopRequest) -> int:
    training = {**DEFAULT_TRAINING, **spec.get("training", {})}
    seed_everything(int(training["seed"]))
    device = pick_device(spec.get("device", "any"))
    try:
        distiller = Distiller(spec, training, device)
    except (ValueError, KeyError) as error:  # SpecError, a dataset or architecture it cannot build, a missing key
        print(f"distill: {error if isinstance(error, ValueError) else f'missing setting {error}'}", file=sys.stderr)
        return 2
    checkpoint_path = os.path.join(work_dir, "checkpoint.pt")
    start = 0
    resumed = load_checkpoint(checkpoint_path)
    if resumed is not None:
        start = distiller.load_state(resumed)
        protocol.log(f"resuming from step {start} of {distiller.total_steps}")
    protocol.log(distiller.describe())

    for step in range(start, distiller.total_steps):
        if stop.requested:
            save_checkpoint(checkpoint_path, distiller.state(step))
            protocol.log(f"stopped by SIGTERM at step {step}: checkpoint written")
            return STOPPED_EXIT_CODE
        for key, value in distiller.train_step(step).items():
            protocol.metric(key, step, value)
        protocol.progress((step + 1) / distiller.total_steps)
        distiller.end_of_step(step)
        if (step + 1) % int(training["checkpointEvery"]) == 0:
            save_checkpoint(checkpoint_path, distiller.state(step + 1))

    distiller.publish(work_dir)
    return 0


class Distiller:
    """The models, optimizers and losses of one distillation run, and one training step."""

    def __init__(self, spec: Dict[str, Any], training: Dict[str, Any], device: torch.device) -> None:
        self.spec, self.training, self.device = spec, training, device
        self.seed = int(training["seed"])
        self.strategy = normalise_strategy(spec.get("strategy"))
        self.student_spec = normalise_student(spec.get("student"))
        self.teacher_ref, teacher_path = _teacher_reference(spec)
        self.teacher, self.teacher_config, self.schedule_spec = load_teacher(teacher_path, device)
        self.schedule = NoiseSchedule(self.schedule_spec["steps"], self.schedule_spec["kind"]).to(device)
        self.dataset = load_dataset(spec["dataset"])
        _check_dataset(self.dataset, self.teacher_config)
        self.images, self.labels = self.dataset.images.to(device), self.dataset.labels.to(device)
        self.batch_size = min(int(training["batchSize"]), len(self.dataset))

        self.student_config = self._student_config()
        self.student = UNet(self.student_config).to(device)
        self.init_counts = init_student_from_teacher(self.student, self.teacher) if "derive" in self.student_spec else None
        self.ema = ExponentialMovingAverage(self.student, float(training["emaDecay"]))

        self.rounds: List[int] = self.strategy["progressive"]["rounds"] if "progressive" in self.strategy else []
        for steps in self.rounds:
            if 2 * steps > self.schedule.num_steps:
                raise SpecError(f"strategy.progressive.rounds: {steps} steps need a {2 * steps}-step teacher grid, the schedule has {self.schedule.num_steps} steps")
        self.steps_per_round = int(training["steps"])
        self.total_steps = self.steps_per_round * max(1, len(self.rounds))
        self.round = 0
        self.round_teacher: UNet = self.teacher

        self.features: Optional[FeatureDistillation] = None
        if "feature" in self.strategy:
            feature = self.strategy["feature"]
            pairs, weights = resolve_feature_pairs(feature, list(self.teacher.named_blocks()), list(self.student.named_blocks()))
            self.features = FeatureDistillation(blocks_of(self.teacher), blocks_of(self.student), pairs, weights, feature["multiScale"]).to(device)
        # The 1x1 projections of feature distillation learn with the student.
        self.trained_parameters = list(self.student.parameters()) + (list(self.features.parameters()) if self.features is not None else [])
        self.optimizer = torch.optim.AdamW(self.trained_parameters, lr=float(training["lr"]), weight_decay=float(training["weightDecay"]))

        self.discriminator: Optional[PatchDiscriminator] = None
        self.discriminator_optimizer: Optional[torch.optim.Optimizer] = None
        if "adversarial" in self.strategy:
            self.discriminator = PatchDiscriminator(self.teacher_config.in_channels, self.teacher_config.num_classes).to(device)
            # betas (0, 0.99): the usual Adam setting for hinge GANs with spectral norm.
            self.discriminator_optimizer = torch.optim.Adam(
                self.discriminator.parameters(), lr=self.strategy["adversarial"]["discriminatorLr"], betas=(0.0, 0.99)
            )

    def _student_config(self) -> UNetConfig:
        try:
            if "derive" in self.student_spec:
                derive = self.student_spec["derive"]
                return derive_student_config(self.teacher_config, derive["removeLayers"], derive["channelScale"], derive["dropMid"])
            teacher = self.teacher_config
            return unet_config_from_spec(self.student_spec["model"], teacher.resolution, teacher.in_channels, teacher.num_classes)
        except ValueError as error:
            raise SpecError(f"student: {error}") from error

    def describe(self) -> str:
        init = f", initialised from the teacher {self.init_counts}" if self.init_counts else ", freshly initialised"
        rounds = f" x {len(self.rounds)} progressive rounds {self.rounds}" if self.rounds else ""
        return (
            f"distill {self.teacher_ref}: teacher {parameter_count(self.teacher):,} -> student {parameter_count(self.student):,} parameters{init}; "
            f"strategy {', '.join(self.strategy)}; {self.steps_per_round} steps{rounds} on {self.device}, {len(self.dataset)} images"
        )

    # -- one step ---------------------------------------------------------------------------

    def _timesteps(self, step: int, generator: torch.Generator) -> Tuple[Tensor, Optional[Tensor], Optional[Tensor]]:
        """Uniform timesteps, or (progressive) a point of the round's N-step student grid with the
        2N-step teacher grid's midpoint and the next student timestep (-1 = x0 after the last)."""
        if not self.rounds:
            return torch.randint(0, self.schedule.num_steps, (self.batch_size,), generator=generator).to(self.device), None, None
        steps = self.rounds[self.round]
        grid = torch.tensor(self.schedule.ddim_timesteps(2 * steps) + [-1], dtype=torch.long)
        index = 2 * torch.randint(0, steps, (self.batch_size,), generator=generator)
        return grid[index].to(self.device), grid[index + 1].to(self.device), grid[index + 2].to(self.device)

    def train_step(self, step: int) -> Dict[str, float]:
        strategy = self.strategy
        local_step = step - self.round * self.steps_per_round
        generator = step_generator(self.seed, step)
        index = torch.randint(0, len(self.dataset), (self.batch_size,), generator=generator).to(self.device)
        t, t_mid, t_next = self._timesteps(step, generator)
        noise = torch.randn(self.images[index].shape, generator=generator).to(self.device)
        x0, labels = self.images[index], self.labels[index]
        xt = self.schedule.q_sample(x0, t, noise)
        lr = learning_rate(local_step, float(self.training["lr"]), int(self.training["warmupSteps"]), self.steps_per_round)
        for group in self.optimizer.param_groups:
            group["lr"] = lr

        metrics: Dict[str, float] = {}
        terms: List[Tensor] = []
        progressive_target = None
        if self.rounds:
            # The round's teacher may be the hooked pretrained teacher: keep its features out.
            if self.features is not None:
                self.features.enabled = False
            teacher = self.round_teacher
            progressive_target = two_step_teacher_target(
                xt, t, t_mid, t_next, lambda z, timesteps: teacher(z, timesteps, labels), self.schedule.alpha, self.schedule.sigma
            )
            if self.features is not None:
                self.features.enabled = True
        eps_teacher = None
        if "output" in strategy or "feature" in strategy or "knowledgeConsistency" in strategy:
            with torch.no_grad():
                eps_teacher = self.teacher(xt, t, labels)
        eps_student = self.student(xt, t, labels)

        weights = None
        if "knowledgeConsistency" in strategy:
            weights = knowledge_consistency_weights(eps_teacher, noise, strategy["knowledgeConsistency"]["threshold"])
            metrics["kc/weight_mean"] = float(weights.mean())
        if "output" in strategy:
            output = strategy["output"]
            if weights is None:
                output_loss = output_distillation_loss(eps_student, noise, eps_teacher, output["alpha"])
            else:
                # Only the soft (teacher) term depends on the teacher's reliability.
                hard = F.mse_loss(eps_student, noise)
                output_loss = output["alpha"] * hard + (1.0 - output["alpha"]) * weighted_mse(eps_student, eps_teacher, weights)
            terms.append(output["weight"] * output_loss)
            metrics["loss/output"] = float(output_loss)
            if "kl" in output:
                kl = output["kl"]
                temperature = kl["temperature"]
                value = temperature_at(step, self.total_steps, temperature["initial"], temperature["final"], temperature["schedule"])
                kl_loss = spatial_kl_loss(eps_student, eps_teacher, value)
                terms.append(kl["weight"] * kl_loss)
                metrics["loss/kl"] = float(kl_loss)
                metrics["temperature"] = value
        if self.features is not None:
            feature_loss, per_pair = self._feature_loss(weights)
            terms.append(strategy["feature"]["weight"] * feature_loss)
            metrics["loss/feature"] = float(feature_loss)
            metrics.update(per_pair)
        if progressive_target is not None:
            progressive_loss = F.mse_loss(eps_student, progressive_target)
            terms.append(progressive_loss)
            metrics["loss/progressive"] = float(progressive_loss)
            metrics["round"] = float(self.round)
        x0_estimate = None
        if self.discriminator is not None:
            # Clipped like a sampler clips x0: at large t the raw estimate divides by alpha_t ~ 0.
            x0_estimate = self.schedule.predict_x0(xt, t, eps_student).clamp(-1.0, 1.0)
            self.discriminator.requires_grad_(False)
            generator_loss = hinge_generator_loss(self.discriminator(x0_estimate, labels))
            self.discriminator.requires_grad_(True)
            terms.append(strategy["adversarial"]["weight"] * generator_loss)
            metrics["loss/adversarial_g"] = float(generator_loss)

        loss = torch.stack(terms).sum()
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        norm = grad_norm(self.trained_parameters)
        torch.nn.utils.clip_grad_norm_(self.trained_parameters, float(self.training["gradClip"]))
        self.optimizer.step()
        self.ema.update(self.student, step)
        if self.features is not None:
            self.features.clear()

        if self.discriminator is not None:
            discriminator_loss = hinge_discriminator_loss(self.discriminator(x0, labels), self.discriminator(x0_estimate.detach(), labels))
            self.discriminator_optimizer.zero_grad(set_to_none=True)
            discriminator_loss.backward()
            self.discriminator_optimizer.step()
            metrics["loss/adversarial_d"] = float(discriminator_loss)

        return {"loss": float(loss), **metrics, "lr": lr, "grad_norm": norm}

    def _feature_loss(self, weights: Optional[Tensor]) -> Tuple[Tensor, Dict[str, float]]:
        """FeatureDistillation's loss (per-sample weighted under knowledge consistency); per pair
        the value before its layer weight, under its metric key."""
        features = self.features
        total, per_pair = features.loss(weights)
        return total, {pair_metric_key(t, s): float(per_pair[features.pair_key(t, s)]) for t, s in features.pairs}

    def end_of_step(self, step: int) -> None:
        """At the end of a progressive round the student's EMA becomes the next round's teacher."""
        if self.rounds and (step + 1) % self.steps_per_round == 0 and self.round + 1 < len(self.rounds):
            self.round += 1
            self.round_teacher = _frozen_copy(self.ema.model)
            protocol.log(f"progressive round {self.round}: {self.rounds[self.round]} steps, the student of round {self.round - 1} is the teacher")

    # -- checkpoints and publishing -----------------------------------------------------------

    def state(self, step: int) -> Dict[str, Any]:
        return {
            "step": step,
            "model": self.student.state_dict(),
            "ema": self.ema.model.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "features": self.features.state_dict() if self.features is not None else None,
            "discriminator": self.discriminator.state_dict() if self.discriminator is not None else None,
            "discriminator_optimizer": self.discriminator_optimizer.state_dict() if self.discriminator_optimizer is not None else None,
            "round": self.round,
            "round_teacher": self.round_teacher.state_dict() if self.round > 0 else None,
        }

    def load_state(self, state: Dict[str, Any]) -> int:
        self.student.load_state_dict(state["model"])
        self.ema.model.load_state_dict(state["ema"])
        self.optimizer.load_state_dict(state["optimizer"])
        if self.features is not None:
            self.features.load_state_dict(state["features"])
        if self.discriminator is not None:
            self.discriminator.load_state_dict(state["discriminator"])
            self.discriminator_optimizer.load_state_dict(state["discriminator_optimizer"])
        self.round = int(state.get("round", 0))
        if self.round > 0:
            self.round_teacher = _frozen_copy(self.ema.model)
            self.round_teacher.load_state_dict(state["round_teacher"])
        return int(state["step"])

    def metadata(self) -> Dict[str, Any]:
        teacher_params, student_params = parameter_count(self.teacher), parameter_count(self.ema.model)
        return {
            "architecture": self.student_config.to_dict(),
            "family": (self.spec.get("output") or {}).get("family", DEFAULT_FAMILY),
            "params": student_params,
            "teacherParams": teacher_params,
            "compression": teacher_params / student_params,
            "schedule": self.schedule_spec,
            "samplingSteps": self.rounds[-1] if self.rounds else None,
            "datasetSize": len(self.dataset),
            "recipe": {"strategy": self.strategy, "student": self.student_spec, "teacher": self.teacher_ref, "training": self.training},
        }

    def publish(self, work_dir: str) -> None:
        """student.pt (EMA weights) and student.onnx, announced in that order."""
        if self.features is not None:
            self.features.remove()
        model = self.ema.model.cpu().eval()
        metadata = self.metadata()
        torch_path = os.path.join(work_dir, "student.pt")
        torch.save(
            {"config": self.student_config.to_dict(), "state_dict": model.state_dict(), "schedule": self.schedule_spec, "samplingSteps": metadata["samplingSteps"]},
            torch_path,
        )
        protocol.artifact("student", torch_path, "torch", metadata)
        onnx_path = os.path.join(work_dir, "student.onnx")
        exported = export_onnx(model, self.student_config, onnx_path, schedule=self.schedule_spec)
        protocol.artifact("student-onnx", onnx_path, "onnx", {**metadata, "onnx": exported, "exportedFrom": "student"})


def _teacher_reference(spec: Dict[str, Any]) -> Tuple[str, str]:
    """(ref, path) of the teacher the runner resolved (spec.resolved.teacher)."""
    resolved = ((spec.get("resolved") or {}).get("teacher")) or {}
    path = resolved.get("path")
    if not path:
        raise SpecError("resolved.teacher.path is missing: the runner resolves the teacher ref to a local file")
    return str(resolved.get("ref") or spec.get("teacher") or path), str(path)


def load_teacher(path: str, device: torch.device) -> Tuple[UNet, UNetConfig, Dict[str, Any]]:
    """A pretrain `teacher.pt` ({config, state_dict, schedule}) as a frozen eval-mode UNet, its
    config, and its noise schedule with defaults filled in."""
    try:
        saved = torch.load(path, map_location="cpu")
        config = UNetConfig.from_dict(saved["config"])
    except (KeyError, TypeError, ValueError) as error:  # not OSError: a missing file is the runner's (infra) problem
        raise SpecError(f"cannot load the teacher {path}: {error}") from error
    teacher = UNet(config)
    teacher.load_state_dict(saved["state_dict"])
    schedule = saved.get("schedule") or {}
    schedule = {"kind": schedule.get("kind", "cosine"), "steps": int(schedule.get("steps", 1000))}
    teacher.eval().requires_grad_(False)
    return teacher.to(device), config, schedule


def _frozen_copy(model: UNet) -> UNet:
    frozen = copy.deepcopy(model).eval()
    frozen.requires_grad_(False)
    return frozen


def _check_dataset(dataset: ImageDataset, teacher: UNetConfig) -> None:
    if dataset.resolution != teacher.resolution or dataset.channels != teacher.in_channels:
        raise SpecError(
            f"the dataset's images are {dataset.channels}x{dataset.resolution}x{dataset.resolution}, "
            f"the teacher takes {teacher.in_channels}x{teacher.resolution}x{teacher.resolution}"
        )
    if len(dataset) and int(dataset.labels.max()) >= teacher.num_classes:
        raise SpecError(f"the dataset has labels up to {int(dataset.labels.max())}, the teacher knows {teacher.num_classes} classes")


