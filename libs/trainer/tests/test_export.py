"""ONNX export: what the TypeScript side (onnxruntime-node) relies on: names, dtypes, the dynamic
batch axis, opset 17 and a file that passes onnx.checker's full check."""
import json
import os

import onnx
import pytest
import torch

from distillery_trainer.export import export_onnx
from distillery_trainer.unet import UNet, UNetConfig

CONFIG = UNetConfig(resolution=8, channels=[8, 16], layers_per_block=1, attention_stages=[1], groups=4, heads=2, num_classes=3, time_embed_dim=32)


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    torch.manual_seed(0)
    model = UNet(CONFIG).train()
    path = str(tmp_path_factory.mktemp("onnx") / "unet.onnx")
    info = export_onnx(model, CONFIG, path)
    return model, path, info


def _elem_type(value: onnx.ValueInfoProto) -> int:
    return value.type.tensor_type.elem_type


def _dims(value: onnx.ValueInfoProto) -> list:
    return [dim.dim_param or dim.dim_value for dim in value.type.tensor_type.shape.dim]


def test_file_passes_the_full_checker_at_opset_17(exported):
    _, path, info = exported
    onnx.checker.check_model(path, full_check=True)
    model = onnx.load(path)
    assert [entry.version for entry in model.opset_import if entry.domain in ("", "ai.onnx")] == [17]
    assert info["opset"] == 17
    assert info["bytes"] == os.path.getsize(path) > 0


def test_inputs_and_outputs_have_the_agreed_names_dtypes_and_batch_axis(exported):
    _, path, info = exported
    graph = onnx.load(path).graph
    inputs = {value.name: value for value in graph.input}
    assert list(inputs) == ["x", "t", "class"]
    assert [value.name for value in graph.output] == ["eps"]
    assert _elem_type(inputs["x"]) == onnx.TensorProto.FLOAT
    assert _elem_type(inputs["t"]) == onnx.TensorProto.INT64
    assert _elem_type(inputs["class"]) == onnx.TensorProto.INT64
    assert _elem_type(graph.output[0]) == onnx.TensorProto.FLOAT
    assert _dims(inputs["x"]) == ["batch", 1, 8, 8]
    assert _dims(inputs["t"]) == ["batch"] and _dims(inputs["class"]) == ["batch"]
    assert _dims(graph.output[0]) == ["batch", 1, 8, 8]
    assert info["inputs"] == [
        {"name": "x", "dtype": "float", "shape": ["batch", 1, 8, 8]},
        {"name": "t", "dtype": "int64", "shape": ["batch"]},
        {"name": "class", "dtype": "int64", "shape": ["batch"]},
    ]
    assert info["outputs"] == [{"name": "eps", "dtype": "float", "shape": ["batch", 1, 8, 8]}]
    json.dumps(info)  # travels as artifact metadata


def test_model_metadata_holds_the_config(exported):
    _, path, _ = exported
    props = {prop.key: prop.value for prop in onnx.load(path).metadata_props}
    assert UNetConfig.from_dict(json.loads(props["unet_config"])) == CONFIG


def test_graph_uses_only_standard_onnx_ops(exported):
    """onnxruntime-node runs the default domain; no ATen fallbacks or custom ops may slip in."""
    _, path, _ = exported
    nodes = onnx.load(path).graph.node
    assert {node.domain for node in nodes} <= {"", "ai.onnx"}
    op_types = {node.op_type for node in nodes}
    assert "ATen" not in op_types
    assert {"InstanceNormalization", "Softmax", "Resize", "Gather"} <= op_types  # GroupNorm, attention, upsample, embedding


def test_export_leaves_the_callers_model_as_it_was(exported):
    model, _, _ = exported
    assert model.training
    assert next(model.parameters()).device.type == "cpu"
