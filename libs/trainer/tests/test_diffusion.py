"""Noise schedule and DDIM: the closed-form properties the TypeScript sampler relies on too."""
import pytest
import torch

from distillery_trainer.diffusion import NoiseSchedule, ddim_sample


@pytest.mark.parametrize("kind", ["cosine", "linear"])
def test_alphas_cumprod_decrease_strictly_inside_unit_interval(kind):
    schedule = NoiseSchedule(1000, kind)
    acp = schedule.alphas_cumprod
    assert acp.dtype == torch.float32 and schedule.betas.dtype == torch.float32
    assert acp.shape == (1000,) and schedule.num_steps == 1000
    assert bool((acp > 0).all()) and bool((acp < 1).all())
    assert bool((acp[1:] < acp[:-1]).all())
    assert bool((schedule.betas > 0).all()) and bool((schedule.betas <= 0.999).all())


def test_cosine_and_linear_endpoints():
    cosine, linear = NoiseSchedule(1000, "cosine"), NoiseSchedule(1000, "linear")
    assert linear.betas[0].item() == pytest.approx(1e-4) and linear.betas[-1].item() == pytest.approx(0.02)
    assert linear.alphas_cumprod[-1].item() == pytest.approx(4.04e-5, rel=0.01)
    assert cosine.alphas_cumprod[0].item() > 0.9999
    assert cosine.betas[-1].item() == pytest.approx(0.999)  # clipped
    assert cosine.alphas_cumprod[-1].item() < 1e-8
    # The cosine schedule destroys information more slowly in the middle (its point).
    assert cosine.alphas_cumprod[499].item() == pytest.approx(0.49, abs=0.01)
    assert cosine.alphas_cumprod[499] > 5 * linear.alphas_cumprod[499]


def test_linear_schedule_scales_with_step_count():
    short = NoiseSchedule(500, "linear")
    assert short.betas[0].item() == pytest.approx(2e-4) and short.betas[-1].item() == pytest.approx(0.04)


def test_rejects_unknown_kind_and_bad_step_count():
    with pytest.raises(ValueError):
        NoiseSchedule(1000, "quadratic")
    with pytest.raises(ValueError):
        NoiseSchedule(0)


def test_alpha_sigma_shapes_and_unit_variance():
    schedule = NoiseSchedule()
    t = torch.tensor([0, 10, 500, 999])
    alpha, sigma = schedule.alpha(t), schedule.sigma(t)
    assert alpha.shape == (4, 1, 1, 1) and sigma.shape == (4, 1, 1, 1)
    torch.testing.assert_close(alpha**2 + sigma**2, torch.ones(4, 1, 1, 1))
    torch.testing.assert_close(schedule.alpha(torch.tensor([-1])), torch.ones(1, 1, 1, 1))
    torch.testing.assert_close(schedule.sigma(torch.tensor([-1])), torch.zeros(1, 1, 1, 1))


@pytest.mark.parametrize("kind", ["cosine", "linear"])
def test_predict_x0_inverts_q_sample(kind):
    schedule = NoiseSchedule(1000, kind)
    generator = torch.Generator().manual_seed(0)
    x0 = torch.randn(5, 1, 4, 4, generator=generator, dtype=torch.float64)
    noise = torch.randn(5, 1, 4, 4, generator=generator, dtype=torch.float64)
    t = torch.tensor([0, 1, 250, 700, 999])
    xt = schedule.q_sample(x0, t, noise)
    torch.testing.assert_close(schedule.predict_x0(xt, t, noise), x0, rtol=0, atol=1e-9)


@pytest.mark.parametrize("kind", ["cosine", "linear"])
@pytest.mark.parametrize("t, t_prev", [(999, 749), (749, 499), (500, 499), (10, 3), (249, -1), (999, -1)])
def test_ddim_step_with_true_eps_lands_on_q_sample(kind, t, t_prev):
    schedule = NoiseSchedule(1000, kind)
    generator = torch.Generator().manual_seed(1)
    x0 = torch.randn(3, 2, 4, 4, generator=generator, dtype=torch.float64)
    noise = torch.randn(3, 2, 4, 4, generator=generator, dtype=torch.float64)
    t_batch = torch.full((3,), t)
    xt = schedule.q_sample(x0, t_batch, noise)
    stepped = schedule.ddim_step(xt, t_batch, t_prev, noise)
    expected = x0 if t_prev < 0 else schedule.q_sample(x0, torch.full((3,), t_prev), noise)
    torch.testing.assert_close(stepped, expected, rtol=0, atol=1e-9)
    # Plain ints and tensors mean the same thing.
    torch.testing.assert_close(schedule.ddim_step(xt, t, torch.tensor(t_prev), noise), stepped, rtol=0, atol=0)


def test_ddim_timesteps_are_evenly_spaced_and_descending():
    schedule = NoiseSchedule(1000)
    assert schedule.ddim_timesteps(4) == [999, 749, 499, 249]
    assert schedule.ddim_timesteps(1) == [999]
    assert schedule.ddim_timesteps(3) == [999, 666, 333]
    assert schedule.ddim_timesteps(1000) == list(range(999, -1, -1))
    assert NoiseSchedule(100).ddim_timesteps(10) == [99, 89, 79, 69, 59, 49, 39, 29, 19, 9]
    for bad in (0, 1001):
        with pytest.raises(ValueError):
            schedule.ddim_timesteps(bad)


def test_ddim_sample_with_an_oracle_model_returns_the_data():
    """A model that knows x0 gives its exact eps; DDIM must then end exactly on x0."""
    schedule = NoiseSchedule()
    x0 = torch.rand(2, 1, 4, 4, generator=torch.Generator().manual_seed(3)) * 2 - 1
    labels = torch.tensor([1, 7])
    seen = []

    def oracle(x, t, class_labels):
        assert t.dtype == torch.long and t.shape == (2,)
        assert torch.equal(class_labels, labels)
        seen.append(int(t[0]))
        return (x - schedule.alpha(t) * x0) / schedule.sigma(t)

    out = ddim_sample(oracle, schedule, (2, 1, 4, 4), labels, 4, torch.Generator().manual_seed(0))
    assert seen == [999, 749, 499, 249]
    torch.testing.assert_close(out, x0, rtol=0, atol=1e-4)


def test_ddim_sample_is_deterministic_under_a_seeded_generator():
    schedule = NoiseSchedule(100)

    def model(x, t, class_labels):
        return 0.5 * x + class_labels.float()[:, None, None, None] * 0.01

    labels = torch.tensor([0, 1, 2])
    first = ddim_sample(model, schedule, (3, 1, 4, 4), labels, 5, torch.Generator().manual_seed(42))
    second = ddim_sample(model, schedule, (3, 1, 4, 4), labels, 5, torch.Generator().manual_seed(42))
    other = ddim_sample(model, schedule, (3, 1, 4, 4), labels, 5, torch.Generator().manual_seed(43))
    assert torch.equal(first, second) and not torch.equal(first, other)
    assert torch.isfinite(first).all()
