"""Adversarial distillation: a small patch discriminator on the student's predicted clean image.

Adversarial Diffusion Distillation (Sauer et al. 2023, sec. 3.2) judges the student's
x0 prediction with a discriminator trained by the hinge loss; class conditioning enters through a
projection (Miyato & Koyama 2018, "cGANs with Projection Discriminator", eq. 3).
"""
from typing import Optional

import torch
import torch.nn.functional as F
from torch import Tensor, nn


def _maybe_sn(module: nn.Module, enabled: bool) -> nn.Module:
    """Spectral normalisation (Miyato et al. 2018) keeps the discriminator 1-Lipschitz-ish, the
    usual partner of the hinge loss; ``torch.nn.utils.spectral_norm`` exists in torch 1.13 and 2.x."""
    return nn.utils.spectral_norm(module) if enabled else module


class PatchDiscriminator(nn.Module):
    """A PatchGAN-style conv net (Isola et al. 2017) returning one logit per sample.

    Strided 3x3 convs turn x0_hat (B, C, H, W) into features h (B, F, h, w). Each patch gets the
    logit ``psi(h_p) + <embed(y), h_p>`` (projection discriminator, Miyato & Koyama 2018, eq. 3,
    applied per patch) and the sample's logit is the mean over patches. ``num_classes`` None or 0
    makes it unconditional. Any H, W >= 1 works (3x3 stride 2 padding 1 halves, rounding up).
    """

    def __init__(
        self,
        in_channels: int,
        num_classes: Optional[int] = None,
        base_channels: int = 32,
        num_layers: int = 3,
        spectral_norm: bool = True,
    ) -> None:
        super().__init__()
        if num_layers < 1:
            raise ValueError(f"num_layers must be >= 1, got {num_layers}")
        layers = []
        channels = in_channels
        for i in range(num_layers):
            out = base_channels * (2 ** i)
            layers.append(_maybe_sn(nn.Conv2d(channels, out, kernel_size=3, stride=2, padding=1), spectral_norm))
            layers.append(nn.LeakyReLU(0.2))
            channels = out
        self.features = nn.Sequential(*layers)
        self.feature_channels = channels
        self.head = _maybe_sn(nn.Conv2d(channels, 1, kernel_size=1), spectral_norm)
        self.num_classes = num_classes or 0
        self.embed: Optional[nn.Module] = None
        if self.num_classes > 0:
            self.embed = _maybe_sn(nn.Embedding(self.num_classes, channels), spectral_norm)

    def patch_logits(self, x0_hat: Tensor, class_labels: Optional[Tensor] = None) -> Tensor:
        """Logits per patch, (B, h, w)."""
        h = self.features(x0_hat)
        logits = self.head(h).squeeze(1)
        if self.embed is not None:
            if class_labels is None:
                raise ValueError("this discriminator is class-conditional: pass class_labels")
            y = self.embed(class_labels.long())  # (B, F)
            # Miyato & Koyama (2018) eq. 3: f(x, y) = psi(phi(x)) + y^T V phi(x).
            logits = logits + torch.einsum("bf,bfhw->bhw", y, h)
        return logits

    def forward(self, x0_hat: Tensor, class_labels: Optional[Tensor] = None) -> Tensor:
        """One logit per sample, (B,): the mean of the patch logits."""
        return self.patch_logits(x0_hat, class_labels).flatten(1).mean(dim=1)


def hinge_discriminator_loss(real_logits: Tensor, fake_logits: Tensor) -> Tensor:
    """``mean(relu(1 - D(real))) + mean(relu(1 + D(fake)))`` (Lim & Ye 2017, "Geometric GAN";
    ADD, Sauer et al. 2023, sec. 3.2). Pass ``fake_logits`` computed on a detached x0_hat so only D learns from it."""
    # Lim & Ye (2017), hinge loss for D / ADD sec. 3.2.
    return F.relu(1.0 - real_logits).mean() + F.relu(1.0 + fake_logits).mean()


def hinge_generator_loss(fake_logits: Tensor) -> Tensor:
    """``-mean(D(fake))``: the generator (student) side of the hinge game (ADD, Sauer et al. 2023, sec. 3.2)."""
    # Lim & Ye (2017), generator side / ADD sec. 3.2: L_adv^G = -E[D(x0_hat)].
    return -fake_logits.mean()
