import io
import json
import math

import torch
from torch import nn

from distillery_trainer import protocol
from distillery_trainer.training import ExponentialMovingAverage, learning_rate, step_generator


def test_learning_rate_warms_up_linearly_then_decays_by_cosine():
    assert learning_rate(0, 1.0, 10, 110) == 0.1
    assert learning_rate(9, 1.0, 10, 110) == 1.0
    assert learning_rate(10, 1.0, 10, 110) == 1.0
    assert math.isclose(learning_rate(60, 1.0, 10, 110), 0.1 + 0.9 * 0.5)
    assert math.isclose(learning_rate(110, 1.0, 10, 110), 0.1)


def test_step_randomness_depends_only_on_seed_and_step():
    a = torch.randn(3, generator=step_generator(7, 5))
    b = torch.randn(3, generator=step_generator(7, 5))
    c = torch.randn(3, generator=step_generator(7, 6))
    assert torch.equal(a, b) and not torch.equal(a, c)


def test_ema_moves_towards_the_model_by_one_minus_decay():
    model = nn.Linear(1, 1, bias=False)
    with torch.no_grad():
        model.weight.fill_(0.0)
    ema = ExponentialMovingAverage(model, decay=0.9)
    with torch.no_grad():
        model.weight.fill_(1.0)
    ema.update(model)
    assert math.isclose(float(ema.model.weight), 0.1, rel_tol=1e-6)


def test_ema_warms_up_so_early_weights_do_not_linger():
    model = nn.Linear(1, 1, bias=False)
    with torch.no_grad():
        model.weight.fill_(0.0)
    ema = ExponentialMovingAverage(model, decay=0.999)
    assert math.isclose(ema.decay_at(0), 0.1)
    assert math.isclose(ema.decay_at(90), 0.91)
    assert ema.decay_at(100_000) == 0.999
    assert ema.decay_at(None) == 0.999
    with torch.no_grad():
        model.weight.fill_(1.0)
    for step in range(1500):
        ema.update(model, step)
    # Without the warm-up 0.999^1500 = 22% of the initial 0 would remain; with it, (10/1510)*...: < 1%.
    remaining = 1.0 - float(ema.model.weight)
    assert remaining < 0.01
    plain = ExponentialMovingAverage(nn.Linear(1, 1, bias=False), decay=0.999)
    with torch.no_grad():
        plain.model.weight.fill_(0.0)
    for _ in range(1500):
        plain.update(model)
    assert math.isclose(1.0 - float(plain.model.weight), 0.999 ** 1500, rel_tol=1e-3)


def test_protocol_lines_are_what_the_runner_parses():
    out = io.StringIO()
    protocol.metric("loss", 3, 0.5, out)
    protocol.progress(1.5, out)
    protocol.metric("loss", 4, float("nan"), out)
    protocol.artifact("teacher", "/w/teacher.pt", "torch", {"params": 10}, out)
    lines = out.getvalue().splitlines()
    assert json.loads(lines[0]) == {"metric": "loss", "step": 3, "value": 0.5}
    assert json.loads(lines[1]) == {"progress": 1.0}
    assert lines[2] == "metric loss at step 4 is not finite: nan"
    assert json.loads(lines[3]) == {"artifact": "teacher", "path": "/w/teacher.pt", "kind": "torch", "metadata": {"params": 10}}
