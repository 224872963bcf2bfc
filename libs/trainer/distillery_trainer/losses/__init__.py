"""Distillation losses, one module per strategy.

- ``output``: hard/soft output distillation (the student's eps against the true noise and the teacher's).
- ``spatial_kl``: temperature-scaled KL between spatial softmaxes, and the temperature schedule.
- ``features``: BK-SDM-style feature distillation through forward hooks and 1x1 projections.
- ``consistency``: per-sample weights that trust the teacher only where it is right.
- ``progressive``: the two-step teacher target of progressive distillation (Salimans & Ho, 2022).
- ``adversarial``: a small class-conditional patch discriminator and hinge losses (ADD, 2023).

None of these import the UNet or the noise schedule: they take tensors, callables or modules,
so each can be tested on tiny stand-ins.
"""
from .adversarial import PatchDiscriminator, hinge_discriminator_loss, hinge_generator_loss
from .consistency import knowledge_consistency_weights, weighted_mse
from .features import FeatureDistillation, blocks_of, default_feature_weights
from .output import OutputLossTerms, output_distillation_loss, output_distillation_terms
from .progressive import TO_X0, two_step_teacher_target
from .spatial_kl import spatial_kl_loss, temperature_at

__all__ = [
    "OutputLossTerms",
    "output_distillation_loss",
    "output_distillation_terms",
    "spatial_kl_loss",
    "temperature_at",
    "FeatureDistillation",
    "default_feature_weights",
    "blocks_of",
    "knowledge_consistency_weights",
    "weighted_mse",
    "TO_X0",
    "two_step_teacher_target",
    "PatchDiscriminator",
    "hinge_discriminator_loss",
    "hinge_generator_loss",
]
