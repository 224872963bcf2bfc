"""The extractor command: a CNN classifier, its reference statistics and its two-output ONNX export."""
import contextlib
import io
import json
import os

import numpy as np
import onnx
import pytest
import torch

from distillery_trainer.checkpoint import StopRequest
from distillery_trainer.commands import extractor
from distillery_trainer.extractor_model import ExtractorConfig, FeatureExtractor, reference_statistics

FEATURE_DIM = 16


class StopAfter(StopRequest):
    def __init__(self, checks: int) -> None:
        self.checks = checks

    @property
    def requested(self) -> bool:
        self.checks -= 1
        return self.checks < 0


def make_spec(**change) -> dict:
    return {
        "dataset": {"source": "synthetic", "samples": 256, "resolution": 8, "classes": 4, "seed": 0},
        "model": {"channels": [8, 16], "featureDim": FEATURE_DIM},
        "training": {"steps": 60, "batchSize": 32, "lr": 3e-3, "seed": 0, "checkpointEvery": 20},
        "referenceSamples": 100,
        "output": {"model": "tiny-extractor", "family": "cnn-extractor"},
        "device": "cpu",
        **change,
    }


def run_extractor(work_dir, spec, stop=None):
    os.makedirs(work_dir, exist_ok=True)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = extractor.run(spec, str(work_dir), stop or StopRequest())
    lines = out.getvalue().splitlines()
    return code, [json.loads(line) for line in lines if line.startswith("{")], lines, err.getvalue()


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    work_dir = tmp_path_factory.mktemp("extractor")
    code, messages, lines, err = run_extractor(work_dir, make_spec())
    assert code == 0, err
    return work_dir, messages, lines


def announced(messages) -> dict:
    return {m["artifact"]: m for m in messages if "artifact" in m}


def test_reports_training_curves_and_progress(trained):
    _, messages, _ = trained
    assert {m["metric"] for m in messages if "metric" in m} == {"loss", "accuracy/train", "lr", "accuracy/test"}
    assert [m["step"] for m in messages if m.get("metric") == "loss"] == list(range(60))
    assert [m["progress"] for m in messages if "progress" in m][-1] == 1.0
    losses = [m["value"] for m in messages if m.get("metric") == "loss"]
    assert np.mean(losses[-10:]) < np.mean(losses[:10])


def test_announces_the_reference_stats_before_the_extractor(trained):
    _, messages, _ = trained
    assert [m["artifact"] for m in messages if "artifact" in m] == ["reference-stats", "extractor"]
    stats = announced(messages)["reference-stats"]
    assert stats["kind"] == "npz" and stats["metadata"]["samples"] == 100 and stats["metadata"]["featureDim"] == FEATURE_DIM
    model = announced(messages)["extractor"]
    assert model["kind"] == "onnx"
    metadata = model["metadata"]
    assert metadata["featureDim"] == FEATURE_DIM and metadata["featureOutput"] == "features"
    assert metadata["family"] == "cnn-extractor" and metadata["params"] > 0
    assert metadata["classNames"] == ["pattern-0", "pattern-1", "pattern-2", "pattern-3"]
    assert metadata["dataset"] == make_spec()["dataset"]
    assert metadata["architecture"]["channels"] == [8, 16]
    json.dumps(metadata)


def test_test_accuracy_beats_chance(trained):
    _, messages, _ = trained
    accuracy = announced(messages)["extractor"]["metadata"]["testAccuracy"]
    assert accuracy > 0.5  # 4 classes: chance is 0.25
    assert [m["value"] for m in messages if m.get("metric") == "accuracy/test"] == [accuracy]


def test_reference_stats_are_pytorch_fid_shaped_float64(trained):
    _, messages, _ = trained
    with np.load(announced(messages)["reference-stats"]["path"]) as stats:
        assert sorted(stats.files) == ["mu", "sigma"]
        mu, sigma = stats["mu"], stats["sigma"]
    assert mu.shape == (FEATURE_DIM,) and sigma.shape == (FEATURE_DIM, FEATURE_DIM)
    assert mu.dtype == np.float64 and sigma.dtype == np.float64
    assert np.array_equal(sigma, sigma.T)
    assert np.linalg.matrix_rank(sigma) == FEATURE_DIM  # pre-activation features: not rank-deficient


def test_onnx_has_one_input_and_the_features_and_logits_outputs(trained):
    _, messages, _ = trained
    path = announced(messages)["extractor"]["path"]
    onnx.checker.check_model(path, full_check=True)
    model = onnx.load(path)
    assert [entry.version for entry in model.opset_import if entry.domain in ("", "ai.onnx")] == [17]

    def dims(value):
        return [dim.dim_param or dim.dim_value for dim in value.type.tensor_type.shape.dim]

    assert [(v.name, v.type.tensor_type.elem_type, dims(v)) for v in model.graph.input] == [("x", onnx.TensorProto.FLOAT, ["batch", 1, 8, 8])]
    assert [(v.name, dims(v)) for v in model.graph.output] == [("features", ["batch", FEATURE_DIM]), ("logits", ["batch", 4])]
    props = {prop.key: prop.value for prop in model.metadata_props}
    assert ExtractorConfig.from_dict(json.loads(props["extractor_config"])).feature_dim == FEATURE_DIM
    assert announced(messages)["extractor"]["metadata"]["onnx"]["outputs"][0] == {"name": "features", "dtype": "float", "shape": ["batch", FEATURE_DIM]}


def test_features_are_the_pre_activation_of_the_layer_before_the_head():
    torch.manual_seed(0)
    model = FeatureExtractor(ExtractorConfig(resolution=8, in_channels=1, channels=[4], feature_dim=8, num_classes=3))
    features, logits = model(torch.randn(16, 1, 8, 8))
    assert features.shape == (16, 8) and logits.shape == (16, 3)
    assert (features < 0).any()
    assert torch.allclose(logits, model.classifier(torch.relu(features)))


def test_reference_statistics_match_numpy():
    features = torch.randn(50, 6)
    mu, sigma = reference_statistics(features)
    values = features.double().numpy()
    assert np.allclose(mu, values.mean(axis=0)) and np.allclose(sigma, np.cov(values, rowvar=False))


def test_a_stopped_run_resumes_to_the_same_statistics(trained, tmp_path):
    work_dir, _, _ = trained
    code, _, _, _ = run_extractor(tmp_path, make_spec(), stop=StopAfter(25))
    assert code == 143
    assert (tmp_path / "checkpoint.pt").exists() and not (tmp_path / "extractor.onnx").exists()
    code, _, lines, _ = run_extractor(tmp_path, make_spec())
    assert code == 0 and "resuming from step 20 of 60" not in lines and "resuming from step 25 of 60" in lines
    with np.load(work_dir / "reference-stats.npz") as straight, np.load(tmp_path / "reference-stats.npz") as resumed:
        assert np.array_equal(straight["mu"], resumed["mu"]) and np.array_equal(straight["sigma"], resumed["sigma"])


def test_default_test_sets():
    assert extractor.default_test_dataset({"source": "fashion-mnist", "split": "train", "resolution": 16}) == {"source": "fashion-mnist", "split": "test", "resolution": 16}
    assert extractor.default_test_dataset({"source": "synthetic", "samples": 64, "seed": 3})["seed"] == 4


@pytest.mark.parametrize(
    "change",
    [
        {"testDataset": {"source": "synthetic", "samples": 32, "resolution": 16, "classes": 4}},
        {"model": {"channels": [8], "featureDim": 16, "width": 3}},
        {"model": {"channels": [], "featureDim": 16}},
    ],
)
def test_a_spec_it_cannot_run_exits_2(tmp_path, change):
    code, _, _, err = run_extractor(tmp_path, make_spec(**change))
    assert code == 2 and "extractor: " in err
