"""The pretrain command end to end, as the runner drives it: a real process, a real SIGTERM."""
import json
import os
import signal
import subprocess
import sys

import torch

TRAINER_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def tiny_spec(steps: int) -> dict:
    return {
        "dataset": {"source": "synthetic", "samples": 64, "resolution": 8, "classes": 2, "seed": 1},
        "model": {"channels": [8, 16], "layersPerBlock": 1, "attentionStages": [1], "groups": 4, "heads": 2},
        "schedule": {"kind": "cosine", "steps": 100},
        "training": {"steps": steps, "batchSize": 8, "lr": 1e-3, "warmupSteps": 2, "checkpointEvery": 5, "seed": 7, "emaDecay": 0.9},
    }


def start(tmp_path, name: str, steps: int) -> subprocess.Popen:
    work_dir = tmp_path / name
    work_dir.mkdir(exist_ok=True)
    spec_path = work_dir / "spec.json"
    spec_path.write_text(json.dumps(tiny_spec(steps)))
    env = {**os.environ, "PYTHONPATH": TRAINER_ROOT, "OPENBLAS_NUM_THREADS": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "distillery_trainer", "pretrain", "--spec", str(spec_path), "--work-dir", str(work_dir), "--threads", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )


def finish(process: subprocess.Popen) -> list:
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    return out.splitlines()


def weights(path) -> dict:
    return torch.load(path, map_location="cpu")["state_dict"]


def test_streams_curves_and_announces_the_torch_checkpoint_and_its_onnx_export(tmp_path):
    lines = finish(start(tmp_path, "run", steps=6))
    messages = [json.loads(line) for line in lines if line.startswith("{")]
    losses = [m for m in messages if m.get("metric") == "loss"]
    assert [m["step"] for m in losses] == list(range(6))
    assert {m["metric"] for m in messages if "metric" in m} == {"loss", "lr", "grad_norm"}
    assert [m["progress"] for m in messages if "progress" in m][-1] == 1.0
    artifacts = {m["artifact"]: m for m in messages if "artifact" in m}
    assert set(artifacts) == {"teacher", "teacher-onnx"}
    assert artifacts["teacher"]["kind"] == "torch" and os.path.exists(artifacts["teacher"]["path"])
    assert artifacts["teacher-onnx"]["metadata"]["exportedFrom"] == "teacher"
    assert artifacts["teacher"]["metadata"]["architecture"]["channels"] == [8, 16]
    assert artifacts["teacher"]["metadata"]["params"] > 0


def test_is_deterministic_under_a_seed(tmp_path):
    finish(start(tmp_path, "a", steps=5))
    finish(start(tmp_path, "b", steps=5))
    first, second = weights(tmp_path / "a" / "teacher.pt"), weights(tmp_path / "b" / "teacher.pt")
    assert all(torch.equal(first[name], second[name]) for name in first)


def test_sigterm_writes_a_checkpoint_and_a_retry_resumes_to_the_same_weights(tmp_path):
    steps = 30
    process = start(tmp_path, "stopped", steps)
    for line in process.stdout:
        if line.startswith('{"metric":"loss"') and json.loads(line)["step"] >= 3:
            process.send_signal(signal.SIGTERM)
            break
    process.communicate(timeout=300)
    assert process.returncode == 143
    assert (tmp_path / "stopped" / "checkpoint.pt").exists()
    assert not (tmp_path / "stopped" / "teacher.pt").exists()

    resumed = finish(start(tmp_path, "stopped", steps))
    assert any(line.startswith("resuming from step ") for line in resumed)
    finish(start(tmp_path, "straight", steps))
    interrupted, straight = weights(tmp_path / "stopped" / "teacher.pt"), weights(tmp_path / "straight" / "teacher.pt")
    assert all(torch.equal(interrupted[name], straight[name]) for name in straight)
