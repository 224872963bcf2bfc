"""The distill command: each strategy alone and combined, the student it publishes, resume."""
import json
import os
import re
import signal
import subprocess
import sys

import pytest
import torch

from distillery_trainer.checkpoint import StopRequest
from distillery_trainer.commands import distill
from distillery_trainer.unet import UNet, UNetConfig

TRAINER_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
METRIC_KEY = re.compile(r"^[A-Za-z0-9_./-]{1,200}$")  # libs/domain trainer-protocol.ts
TEACHER_CONFIG = UNetConfig(resolution=8, channels=[8, 16], layers_per_block=2, attention_stages=[1], groups=4, heads=2, num_classes=2)
BLOCKS = ["down.0", "down.1", "mid", "up.0", "up.1"]


class StopAfter(StopRequest):
    """A SIGTERM that arrives after `checks` polls of the training loop."""

    def __init__(self, checks: int) -> None:
        self.checks = checks

    @property
    def requested(self) -> bool:
        self.checks -= 1
        return self.checks < 0


@pytest.fixture(scope="module")
def teacher_path(tmp_path_factory):
    torch.manual_seed(0)
    path = tmp_path_factory.mktemp("teacher") / "teacher.pt"
    torch.save({"config": TEACHER_CONFIG.to_dict(), "state_dict": UNet(TEACHER_CONFIG).state_dict(), "schedule": {"kind": "cosine", "steps": 100}}, path)
    return str(path)


def make_spec(teacher_path: str, strategy: dict, student=None, steps: int = 3, checkpoint_every: int = 100) -> dict:
    return {
        "teacher": "tiny-teacher@production",
        "resolved": {"teacher": {"ref": "tiny-teacher@v1", "path": teacher_path, "metadata": {}}},
        "dataset": {"source": "synthetic", "samples": 32, "resolution": 8, "classes": 2, "seed": 1},
        "student": student or {"derive": {"removeLayers": 1, "channelScale": 0.5}},
        "strategy": strategy,
        "training": {"steps": steps, "batchSize": 8, "lr": 1e-3, "warmupSteps": 1, "checkpointEvery": checkpoint_every, "seed": 3, "emaDecay": 0.9},
        "output": {"model": "tiny-student", "family": "unet"},
        "device": "cpu",
    }


def run_distill(capsys, work_dir, spec, stop=None):
    work_dir.mkdir(exist_ok=True)
    code = distill.run(spec, str(work_dir), stop or StopRequest())
    lines = capsys.readouterr().out.splitlines()
    messages = [json.loads(line) for line in lines if line.startswith("{")]
    return code, messages, lines


def metric_names(messages) -> set:
    return {m["metric"] for m in messages if "metric" in m}


def values(messages, key: str) -> list:
    return [m["value"] for m in messages if m.get("metric") == key]


def artifacts(messages) -> dict:
    return {m["artifact"]: m for m in messages if "artifact" in m}


BASE = {"loss", "lr", "grad_norm"}
FEATURE_METRICS = {"loss/feature"} | {f"loss/feature/{block}" for block in BLOCKS}


@pytest.mark.parametrize(
    "strategy, expected",
    [
        ({"output": {"alpha": 0.5}}, {"loss/output"}),
        ({"output": {"kl": {"temperature": {"initial": 4, "final": 1}}}}, {"loss/output", "loss/kl", "temperature"}),
        ({"feature": {}}, FEATURE_METRICS),
        ({"knowledgeConsistency": {"threshold": 0.05}}, {"kc/weight_mean", "loss/output"}),
        ({"progressive": {"rounds": [4]}}, {"loss/progressive", "round"}),
        ({"adversarial": {"weight": 0.05}}, {"loss/adversarial_g", "loss/adversarial_d"}),
    ],
    ids=["output", "output-kl", "feature", "knowledge-consistency", "progressive", "adversarial"],
)
def test_each_strategy_alone_reports_its_components_and_publishes_the_student(tmp_path, capsys, teacher_path, strategy, expected):
    code, messages, _ = run_distill(capsys, tmp_path / "run", make_spec(teacher_path, strategy))
    assert code == 0
    assert metric_names(messages) == BASE | expected
    assert all(METRIC_KEY.match(name) for name in metric_names(messages))
    assert [m["step"] for m in messages if m.get("metric") == "loss"] == [0, 1, 2]
    assert [m["progress"] for m in messages if "progress" in m][-1] == 1.0

    announced = [m["artifact"] for m in messages if "artifact" in m]
    assert announced == ["student", "student-onnx"]
    student, onnx = artifacts(messages)["student"], artifacts(messages)["student-onnx"]
    assert student["kind"] == "torch" and onnx["kind"] == "onnx" and onnx["metadata"]["exportedFrom"] == "student"
    assert os.path.exists(student["path"]) and os.path.exists(onnx["path"])
    metadata = student["metadata"]
    assert metadata["architecture"]["channels"] == [4, 8] and metadata["architecture"]["layers_per_block"] == 1
    assert metadata["family"] == "unet"
    assert metadata["teacherParams"] > metadata["params"] > 0
    assert metadata["compression"] == pytest.approx(metadata["teacherParams"] / metadata["params"]) and metadata["compression"] > 1
    assert metadata["schedule"] == {"kind": "cosine", "steps": 100}
    recipe = metadata["recipe"]
    assert recipe["teacher"] == "tiny-teacher@v1"
    assert recipe["student"] == {"derive": {"removeLayers": 1, "channelScale": 0.5, "dropMid": False}}
    assert recipe["training"]["steps"] == 3 and recipe["training"]["gradClip"] == 1.0
    assert set(recipe["strategy"]) >= set(strategy)
    json.dumps(metadata)

    saved = torch.load(student["path"], map_location="cpu")
    assert set(saved) == {"config", "state_dict", "schedule", "samplingSteps"}
    model = UNet(UNetConfig.from_dict(saved["config"]))
    model.load_state_dict(saved["state_dict"])


def test_the_normalised_strategy_fills_defaults(tmp_path, capsys, teacher_path):
    strategy = {"output": {"kl": {}}, "feature": {}, "knowledgeConsistency": {}, "adversarial": {}}
    _, messages, _ = run_distill(capsys, tmp_path / "run", make_spec(teacher_path, strategy, steps=1))
    recorded = artifacts(messages)["student"]["metadata"]["recipe"]["strategy"]
    assert recorded["output"] == {"weight": 1.0, "alpha": 0.5, "kl": {"weight": 0.1, "temperature": {"initial": 4.0, "final": 1.0, "schedule": "linear"}}}
    assert recorded["feature"] == {"weight": 1.0, "pairs": [[b, b] for b in BLOCKS], "layerWeights": [1.0, 0.8, 0.6, 0.4, 0.2], "multiScale": False}
    assert recorded["knowledgeConsistency"] == {"threshold": 0.05}
    assert recorded["adversarial"] == {"weight": 0.05, "discriminatorLr": 2e-4}


def test_knowledge_consistency_alone_brings_the_output_term(tmp_path, capsys, teacher_path):
    _, messages, _ = run_distill(capsys, tmp_path / "run", make_spec(teacher_path, {"knowledgeConsistency": {}}, steps=1))
    strategy = artifacts(messages)["student"]["metadata"]["recipe"]["strategy"]
    assert list(strategy) == ["output", "knowledgeConsistency"]
    assert all(0 < value <= 1 for value in values(messages, "kc/weight_mean"))


def test_progressive_rounds_hand_over_the_teacher_and_record_the_final_step_count(tmp_path, capsys, teacher_path):
    code, messages, lines = run_distill(capsys, tmp_path / "run", make_spec(teacher_path, {"progressive": {"rounds": [8, 4, 2]}}, steps=2))
    assert code == 0
    assert values(messages, "round") == [0, 0, 1, 1, 2, 2]
    assert [m["step"] for m in messages if m.get("metric") == "loss"] == list(range(6))
    assert sum(line.startswith("progressive round ") for line in lines) == 2
    # The learning rate restarts its warm-up each round.
    lrs = values(messages, "lr")
    assert lrs[0] == lrs[2] == lrs[4]
    student = artifacts(messages)["student"]
    assert student["metadata"]["samplingSteps"] == 2
    assert torch.load(student["path"], map_location="cpu")["samplingSteps"] == 2
    assert artifacts(messages)["student-onnx"]["metadata"]["samplingSteps"] == 2


def test_without_progressive_sampling_steps_are_not_fixed(tmp_path, capsys, teacher_path):
    _, messages, _ = run_distill(capsys, tmp_path / "run", make_spec(teacher_path, {"output": {}}, steps=1))
    assert artifacts(messages)["student"]["metadata"]["samplingSteps"] is None


def test_two_strategies_combine_by_weight_and_both_are_logged(tmp_path, capsys, teacher_path):
    strategy = {"output": {"weight": 0.5, "alpha": 0.3}, "feature": {"weight": 2.0, "pairs": [["mid", "mid"], ["up.1", "up.0"]], "layerWeights": [1.0, 0.5]}}
    code, messages, _ = run_distill(capsys, tmp_path / "run", make_spec(teacher_path, strategy))
    assert code == 0
    assert metric_names(messages) == BASE | {"loss/output", "loss/feature", "loss/feature/mid", "loss/feature/up.1-up.0"}
    for loss, output, feature in zip(values(messages, "loss"), values(messages, "loss/output"), values(messages, "loss/feature")):
        assert loss == pytest.approx(0.5 * output + 2.0 * feature, rel=1e-5)
    for feature, mid, up in zip(values(messages, "loss/feature"), values(messages, "loss/feature/mid"), values(messages, "loss/feature/up.1-up.0")):
        assert feature == pytest.approx(mid + 0.5 * up, rel=1e-5)


def test_every_strategy_at_once(tmp_path, capsys, teacher_path):
    strategy = {
        "output": {"kl": {"temperature": {"initial": 3, "final": 1, "schedule": "cosine"}}},
        "feature": {"multiScale": True},
        "knowledgeConsistency": {"threshold": 0.5},
        "progressive": {"rounds": [4, 2]},
        "adversarial": {},
    }
    code, messages, _ = run_distill(capsys, tmp_path / "run", make_spec(teacher_path, strategy, steps=2))
    assert code == 0
    assert metric_names(messages) == BASE | FEATURE_METRICS | {
        "loss/output", "loss/kl", "temperature", "kc/weight_mean", "loss/progressive", "round", "loss/adversarial_g", "loss/adversarial_d",
    }
    assert values(messages, "temperature")[0] == 3 and values(messages, "temperature")[-1] == pytest.approx(1)
    assert artifacts(messages)["student"]["metadata"]["samplingSteps"] == 2


def test_a_student_with_its_own_architecture(tmp_path, capsys, teacher_path):
    student = {"model": {"channels": [8], "attentionStages": [], "groups": 4, "heads": 2}}
    code, messages, _ = run_distill(capsys, tmp_path / "run", make_spec(teacher_path, {"output": {}, "feature": {"pairs": [["down.0", "down.0"]]}}, student=student))
    assert code == 0
    metadata = artifacts(messages)["student"]["metadata"]
    architecture = metadata["architecture"]
    assert (architecture["channels"], architecture["resolution"], architecture["in_channels"], architecture["num_classes"]) == ([8], 8, 1, 2)
    assert metadata["recipe"]["student"] == {"model": {"channels": [8], "layersPerBlock": 1, "attentionStages": [], "groups": 4, "heads": 2}}
    assert metadata["compression"] > 1


@pytest.mark.parametrize(
    "change",
    [
        {"strategy": {}},
        {"strategy": {"distil": {}}},
        {"strategy": {"output": {"alpha": 2}}},
        {"strategy": {"feature": {"pairs": [["mid", "nowhere"]]}}},
        {"strategy": {"progressive": {"rounds": [64]}}},  # needs a 128-step grid, the schedule has 100
        {"student": {"derive": {}, "model": {}}},
        {"student": {"derive": {"removeLayers": 2}}},  # the teacher has 2 layers per stage
        {"resolved": {}},
        {"dataset": {"source": "synthetic", "samples": 16, "resolution": 16, "classes": 2}},
    ],
)
def test_a_spec_it_cannot_run_exits_2_with_a_reason(tmp_path, capsys, teacher_path, change):
    spec = {**make_spec(teacher_path, {"output": {}}), **change}
    assert distill.run(spec, str(tmp_path), StopRequest()) == 2
    assert "distill: " in capsys.readouterr().err
    assert not (tmp_path / "checkpoint.pt").exists()


def test_a_stopped_run_resumes_to_exactly_the_uninterrupted_result(tmp_path, capsys, teacher_path):
    """Mid second progressive round, with projections, discriminator and KC in the checkpoint."""
    strategy = {"output": {"kl": {}}, "feature": {}, "knowledgeConsistency": {"threshold": 0.5}, "progressive": {"rounds": [4, 2]}, "adversarial": {}}
    spec = make_spec(teacher_path, strategy, steps=3, checkpoint_every=2)
    code, straight, _ = run_distill(capsys, tmp_path / "straight", spec)
    assert code == 0

    code, first, _ = run_distill(capsys, tmp_path / "stopped", spec, stop=StopAfter(4))
    assert code == 143
    assert (tmp_path / "stopped" / "checkpoint.pt").exists() and not (tmp_path / "stopped" / "student.pt").exists()
    assert torch.load(tmp_path / "stopped" / "checkpoint.pt")["round"] == 1
    code, second, lines = run_distill(capsys, tmp_path / "stopped", spec)
    assert code == 0
    assert "resuming from step 4 of 6" in lines

    assert values(first, "loss") + values(second, "loss") == values(straight, "loss")
    resumed = torch.load(tmp_path / "stopped" / "student.pt")["state_dict"]
    expected = torch.load(tmp_path / "straight" / "student.pt")["state_dict"]
    assert all(torch.equal(resumed[name], expected[name]) for name in expected)


def test_sigterm_stops_the_process_with_143_and_a_rerun_resumes(tmp_path, teacher_path):
    work_dir = tmp_path / "job"
    work_dir.mkdir()
    spec_path = work_dir / "spec.json"
    spec_path.write_text(json.dumps(make_spec(teacher_path, {"output": {}, "feature": {}}, steps=30, checkpoint_every=5)))
    env = {**os.environ, "PYTHONPATH": TRAINER_ROOT, "OPENBLAS_NUM_THREADS": "1"}
    argv = [sys.executable, "-m", "distillery_trainer", "distill", "--spec", str(spec_path), "--work-dir", str(work_dir), "--threads", "1"]

    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    for line in process.stdout:
        if line.startswith('{"metric":"loss"') and json.loads(line)["step"] >= 3:
            process.send_signal(signal.SIGTERM)
            break
    _, err = process.communicate(timeout=300)
    assert process.returncode == 143, err
    assert (work_dir / "checkpoint.pt").exists() and not (work_dir / "student.pt").exists()

    rerun = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert any(line.startswith("resuming from step ") for line in rerun.stdout.splitlines())
    assert (work_dir / "student.pt").exists() and (work_dir / "student.onnx").exists()


def distiller_for(teacher_path: str, strategy: dict) -> distill.Distiller:
    spec = make_spec(teacher_path, strategy)
    return distill.Distiller(spec, {**distill.DEFAULT_TRAINING, **spec["training"]}, torch.device("cpu"))


def test_progressive_timesteps_lie_on_the_student_grid_with_the_teacher_midpoints(teacher_path):
    distiller = distiller_for(teacher_path, {"progressive": {"rounds": [4]}})
    t, t_mid, t_next = distiller._timesteps(0, torch.Generator().manual_seed(0))
    student_grid = distiller.schedule.ddim_timesteps(4)  # [99, 74, 49, 24]
    teacher_grid = distiller.schedule.ddim_timesteps(8)
    for a, b, c in zip(t.tolist(), t_mid.tolist(), t_next.tolist()):
        i = student_grid.index(a)
        assert teacher_grid.index(a) == 2 * i and teacher_grid.index(b) == 2 * i + 1
        assert c == (student_grid[i + 1] if i + 1 < 4 else -1)


def test_knowledge_consistency_feature_loss_with_unit_weights_is_the_plain_feature_loss(teacher_path):
    distiller = distiller_for(teacher_path, {"feature": {"multiScale": True}})
    x, t, labels = torch.randn(4, 1, 8, 8), torch.tensor([0, 10, 50, 99]), torch.tensor([0, 1, 0, 1])
    distiller.teacher(x, t, labels)
    distiller.student(x, t, labels)
    plain, plain_pairs = distiller._feature_loss(None)
    weighted, weighted_pairs = distiller._feature_loss(torch.ones(4))
    assert float(weighted) == pytest.approx(float(plain), rel=1e-5)
    assert weighted_pairs == pytest.approx(plain_pairs, rel=1e-5)
    halved, _ = distiller._feature_loss(torch.full((4,), 0.5))
    assert float(halved) == pytest.approx(0.5 * float(plain), rel=1e-5)
    assert len(list(distiller.features.parameters())) > 0  # 1x1 projections (the student is narrower) ...
    optimised = {id(p) for group in distiller.optimizer.param_groups for p in group["params"]}
    assert all(id(p) in optimised for p in distiller.features.parameters())  # ... trained with the student
