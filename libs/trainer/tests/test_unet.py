"""The UNet: shapes, per-sample independence, determinism, gradients, hookable blocks, config."""
import json

import pytest
import torch

from distillery_trainer.unet import UNet, UNetConfig, parameter_count

CONFIGS = {
    "default": UNetConfig(),
    "three_stages_no_mid": UNetConfig(channels=[8, 16, 16], layers_per_block=2, attention_stages=[0, 2], groups=4, heads=2, mid_block=False),
    "one_stage_rgb": UNetConfig(resolution=8, in_channels=3, channels=[8], attention_stages=[0], groups=4, heads=2, num_classes=3, time_embed_dim=24),
    "no_attention": UNetConfig(resolution=8, channels=[8, 16], attention_stages=[], groups=4, heads=4),
}


def _inputs(config: UNetConfig, batch: int, seed: int = 0):
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(batch, config.in_channels, config.resolution, config.resolution, generator=generator)
    t = torch.randint(0, 1000, (batch,), generator=generator)
    labels = torch.randint(0, config.num_classes + 1, (batch,), generator=generator)  # includes the null class
    return x, t, labels


def _model(config: UNetConfig, seed: int = 0) -> UNet:
    torch.manual_seed(seed)
    return UNet(config)


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_output_has_the_input_shape(name):
    config = CONFIGS[name]
    model = _model(config)
    x, t, labels = _inputs(config, 3)
    with torch.no_grad():
        eps = model(x, t, labels)
    assert eps.shape == x.shape and eps.dtype == torch.float32
    assert torch.isfinite(eps).all()
    assert parameter_count(model) == sum(p.numel() for p in model.parameters()) > 0


@pytest.mark.parametrize("name", ["default", "three_stages_no_mid"])
def test_a_sample_alone_equals_the_same_sample_in_a_batch(name):
    config = CONFIGS[name]
    model = _model(config).eval()
    x, t, labels = _inputs(config, 4)
    with torch.no_grad():
        batched = model(x, t, labels)
        alone = model(x[2:3], t[2:3], labels[2:3])
    torch.testing.assert_close(alone, batched[2:3], rtol=0, atol=1e-5)


def test_same_seed_same_model_and_output():
    config = CONFIGS["three_stages_no_mid"]
    x, t, labels = _inputs(config, 2)
    with torch.no_grad():
        first = _model(config, seed=5)(x, t, labels)
        second = _model(config, seed=5)(x, t, labels)
        other = _model(config, seed=6)(x, t, labels)
    assert torch.equal(first, second)
    assert not torch.allclose(first, other)


@pytest.mark.parametrize("name", ["default", "three_stages_no_mid", "one_stage_rgb"])
def test_gradients_reach_every_parameter(name):
    config = CONFIGS[name]
    model = _model(config)
    x, t, labels = _inputs(config, 2)
    model(x, t, labels).square().mean().backward()
    for param_name, param in model.named_parameters():
        assert param.grad is not None, param_name
        assert torch.isfinite(param.grad).all(), param_name
        assert param.grad.abs().sum() > 0, param_name


def test_class_label_and_timestep_change_the_output():
    config = CONFIGS["default"]
    model = _model(config).eval()
    x = torch.randn(1, 1, 16, 16)
    with torch.no_grad():
        base = model(x, torch.tensor([100]), torch.tensor([3]))
        other_class = model(x, torch.tensor([100]), torch.tensor([config.num_classes]))
        other_time = model(x, torch.tensor([900]), torch.tensor([3]))
    assert not torch.allclose(base, other_class) and not torch.allclose(base, other_time)
    assert model.class_embed.num_embeddings == config.num_classes + 1


@pytest.mark.parametrize("name", ["default", "three_stages_no_mid"])
def test_named_blocks_are_hookable_and_match_block_channels(name):
    config = CONFIGS[name]
    model = _model(config)
    blocks, widths = model.named_blocks(), model.block_channels()
    n = len(config.channels)
    expected = [f"down.{i}" for i in range(n)] + (["mid"] if config.mid_block else []) + [f"up.{i}" for i in range(n)]
    assert list(blocks) == expected and list(widths) == expected
    captured = {}
    handles = [module.register_forward_hook(lambda m, i, out, key=key: captured.__setitem__(key, out)) for key, module in blocks.items()]
    x, t, labels = _inputs(config, 2)
    model(x, t, labels)
    for handle in handles:
        handle.remove()
    assert list(captured) == expected
    for key, out in captured.items():
        assert isinstance(out, torch.Tensor) and out.shape[:2] == (2, widths[key]), key
    # up.i mirrors down.(n-1-i) up to the upsample at the end of every up stage but the last.
    assert captured["down.0"].shape[-1] == captured[f"up.{n - 1}"].shape[-1] == config.resolution
    assert captured[f"down.{n - 1}"].shape[-1] == config.resolution // 2 ** (n - 1)


def test_config_round_trips_through_json():
    config = CONFIGS["three_stages_no_mid"]
    data = json.loads(json.dumps(config.to_dict()))
    assert UNetConfig.from_dict(data) == config
    assert UNetConfig().to_dict()["time_embed_dim"] == 4 * 32
    assert UNetConfig.from_dict({"channels": [16, 32]}).channels == [16, 32]


@pytest.mark.parametrize(
    "bad",
    [
        {"channels": []},
        {"channels": [12, 16]},  # not a multiple of groups
        {"resolution": 10, "channels": [8, 16, 16]},  # not divisible by 4
        {"attention_stages": [2]},
        {"layers_per_block": 0},
        {"channels": [8, 24], "heads": 16},  # attention width not divisible by heads
        {"time_embed_dim": 30},  # not a whole number of context tokens
        {"unknown_key": 1},
    ],
)
def test_invalid_configs_are_rejected(bad):
    with pytest.raises((ValueError, TypeError)):
        UNetConfig.from_dict(bad)
