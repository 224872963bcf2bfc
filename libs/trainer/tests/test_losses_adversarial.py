"""Patch discriminator and hinge losses (adversarial diffusion distillation)."""
import pytest
import torch

from distillery_trainer.losses import PatchDiscriminator, hinge_discriminator_loss, hinge_generator_loss


def test_hinge_losses_by_hand() -> None:
    real = torch.tensor([2.0, 0.5, -1.0])
    fake = torch.tensor([-2.0, 0.0, 1.0])
    # relu(1 - real) = [0, 0.5, 2] -> 2.5 / 3; relu(1 + fake) = [0, 1, 2] -> 1.0
    assert hinge_discriminator_loss(real, fake).item() == pytest.approx(2.5 / 3 + 1.0)
    # -mean(fake) = -(-2 + 0 + 1) / 3
    assert hinge_generator_loss(fake).item() == pytest.approx(1.0 / 3)
    # A confident, correct discriminator pays nothing.
    assert hinge_discriminator_loss(torch.tensor([1.0, 3.0]), torch.tensor([-1.0, -5.0])).item() == 0.0


@pytest.mark.parametrize("size", [16, 28, 3])
@pytest.mark.parametrize("spectral_norm", [True, False])
def test_discriminator_shapes_and_gradients(size: int, spectral_norm: bool) -> None:
    torch.manual_seed(0)
    disc = PatchDiscriminator(in_channels=1, num_classes=10, base_channels=8, spectral_norm=spectral_norm)
    x0_hat = torch.randn(4, 1, size, size, requires_grad=True)
    labels = torch.tensor([0, 3, 9, 3])
    logits = disc(x0_hat, labels)
    assert logits.shape == (4,)
    hinge_generator_loss(logits).backward()
    assert x0_hat.grad is not None and x0_hat.grad.abs().sum() > 0
    assert all(p.grad is not None for p in disc.parameters() if p.requires_grad)


def test_class_projection_by_hand() -> None:
    torch.manual_seed(0)
    disc = PatchDiscriminator(in_channels=1, num_classes=3, base_channels=4, num_layers=2, spectral_norm=False)
    x = torch.randn(2, 1, 8, 8)
    with torch.no_grad():
        h = disc.features(x)  # (2, 8, 2, 2)
        diff = disc(x, torch.tensor([1, 1])) - disc(x, torch.tensor([2, 2]))
        # Projection (Miyato & Koyama 2018): the label enters only as <E[y], mean_patches h>.
        expected = ((disc.embed.weight[1] - disc.embed.weight[2]) * h.mean(dim=(2, 3))).sum(dim=1)
        assert torch.allclose(diff, expected, atol=1e-6)
        zeros = torch.tensor([0, 0])
        assert torch.allclose(disc(x, zeros), disc.patch_logits(x, zeros).mean(dim=(1, 2)))


def test_unconditional_and_missing_labels() -> None:
    torch.manual_seed(0)
    plain = PatchDiscriminator(in_channels=2)
    assert plain(torch.randn(3, 2, 16, 16)).shape == (3,)
    conditional = PatchDiscriminator(in_channels=2, num_classes=4)
    with pytest.raises(ValueError):
        conditional(torch.randn(3, 2, 16, 16))


def test_a_few_discriminator_steps_separate_real_from_fake() -> None:
    torch.manual_seed(0)
    disc = PatchDiscriminator(in_channels=1, num_classes=2, base_channels=8, spectral_norm=False)
    optimizer = torch.optim.Adam(disc.parameters(), lr=1e-2)
    real = torch.ones(8, 1, 8, 8)
    fake = -torch.ones(8, 1, 8, 8)
    labels = torch.tensor([0, 1] * 4)
    first = hinge_discriminator_loss(disc(real, labels), disc(fake, labels)).item()
    for _ in range(30):
        optimizer.zero_grad()
        loss = hinge_discriminator_loss(disc(real, labels), disc(fake.detach(), labels))
        loss.backward()
        optimizer.step()
    assert loss.item() < first and loss.item() < 0.5
