"""ONNX export of a UNet for the TypeScript side, which samples with onnxruntime-node.

Inputs x (float32 [batch, C, H, W]), t (int64 [batch]) and class (int64 [batch], BigInt64Array in
onnxruntime-node); output eps. The batch axis is dynamic so one file serves any batch size. The
UNet config is stored in the model's metadata ("unet_config", JSON) so the file describes itself.
"""
import copy
import inspect
import json
import os
import warnings
from typing import Any, Dict, List, Optional, Tuple

import onnx
import torch

from .unet import UNet, UNetConfig

INPUT_NAMES = ["x", "t", "class"]
OUTPUT_NAMES = ["eps"]
_TRACE_BATCH = 2  # not 1, so the exporter cannot mistake the batch axis for a constant


def _legacy_exporter_kwargs() -> Dict[str, Any]:
    """torch >= 2.9 defaults to the dynamo exporter (needs onnxscript, other dynamic-shape API);
    ask for the TorchScript exporter, the only one torch 1.13 has, so both behave alike."""
    return {"dynamo": False} if "dynamo" in inspect.signature(torch.onnx.export).parameters else {}


def _describe(values: List[onnx.ValueInfoProto]) -> List[Dict[str, Any]]:
    """Name, element type and shape (symbolic axes by name) of graph inputs or outputs."""
    described = []
    for value in values:
        tensor_type = value.type.tensor_type
        shape = [dim.dim_param or dim.dim_value for dim in tensor_type.shape.dim]
        described.append({"name": value.name, "dtype": onnx.TensorProto.DataType.Name(tensor_type.elem_type).lower(), "shape": shape})
    return described


def export_onnx(model: UNet, config: UNetConfig, path: str, opset: int = 17, schedule: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    """Writes the model to `path`, checks it with onnx.checker (full check, with shape inference),
    and returns {"opset", "inputs", "outputs", "bytes"}; inputs/outputs as name, dtype and shape.

    `schedule` ({"kind", "steps"}, the noise schedule it was trained with) is stored beside the
    architecture so the file alone is enough to sample from (`distillery quantize` offline).

    The export runs on a float32 CPU copy in eval mode, so the caller's model is left as it was
    (device, dtype, training flag).
    """
    x = torch.randn(_TRACE_BATCH, config.in_channels, config.resolution, config.resolution)
    t = torch.arange(_TRACE_BATCH, dtype=torch.long)
    class_labels = torch.arange(_TRACE_BATCH, dtype=torch.long) % (config.num_classes + 1)
    properties = {"unet_config": json.dumps(config.to_dict())}
    if schedule is not None:
        properties["schedule"] = json.dumps(schedule)
    return export_with_dynamic_batch(model, (x, t, class_labels), path, INPUT_NAMES, OUTPUT_NAMES, properties, opset)


def export_with_dynamic_batch(
    model: torch.nn.Module,
    example_inputs: Tuple[torch.Tensor, ...],
    path: str,
    input_names: List[str],
    output_names: List[str],
    properties: Dict[str, str],
    opset: int = 17,
) -> Dict[str, Any]:
    """The one export path of every network the platform runs in onnxruntime-node: traced on a
    float32 CPU copy in eval mode, axis 0 of every input and output named "batch", `properties`
    stored as model metadata, then onnx.checker's full check. Returns {"opset", "inputs",
    "outputs", "bytes"}."""
    export_model = copy.deepcopy(model).cpu().float().eval()
    batch_axis = {0: "batch"}
    with torch.no_grad(), warnings.catch_warnings():
        # Two known-benign warnings would only clutter run logs: torch 1.13 on the None scales of
        # nearest upsampling (the Resize it writes is correct, checked against onnxruntime), and
        # GroupNorm's batch-size sanity check being traced as a constant (it adds no graph node).
        warnings.filterwarnings("ignore", message="The shape inference of prim::Constant type is missing")
        warnings.filterwarnings("ignore", category=torch.jit.TracerWarning, module=r"torch\.nn\.functional")
        torch.onnx.export(
            export_model,
            example_inputs,
            path,
            input_names=input_names,
            output_names=output_names,
            dynamic_axes={name: batch_axis for name in input_names + output_names},
            opset_version=opset,
            do_constant_folding=True,
            **_legacy_exporter_kwargs(),
        )
    onnx_model = onnx.load(path)
    onnx.helper.set_model_props(onnx_model, properties)
    onnx.save(onnx_model, path)
    onnx.checker.check_model(path, full_check=True)
    return {
        "opset": next(entry.version for entry in onnx_model.opset_import if entry.domain in ("", "ai.onnx")),
        "inputs": _describe(list(onnx_model.graph.input)),
        "outputs": _describe(list(onnx_model.graph.output)),
        "bytes": os.path.getsize(path),
    }
