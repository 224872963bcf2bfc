// Toy ONNX networks with the trainer's input/output names, so sampler, feature and benchmark tests
// run without PyTorch: eps depends on x, t and class; the extractor is one linear layer.
import * as ort from "onnxruntime-node";
import { encodeOnnxModel } from "./onnx-model-writer";

const FLOAT = 1; // Cast's `to`

/** eps = 0.8 tanh(x) + 0.05 class + 1e-4 t (class and t broadcast per image). */
export function toyUnetModel(channels: number, resolution: number): Uint8Array {
  const image = ["batch", channels, resolution, resolution];
  return encodeOnnxModel({
    name: "toy_unet",
    nodes: [
      { op: "Tanh", inputs: ["x"], outputs: ["tanh"] },
      { op: "Mul", inputs: ["tanh", "k_x"], outputs: ["from_x"] },
      { op: "Cast", inputs: ["class"], outputs: ["class_f"], attributes: { to: FLOAT } },
      { op: "Reshape", inputs: ["class_f", "per_image"], outputs: ["class_4d"] },
      { op: "Mul", inputs: ["class_4d", "k_class"], outputs: ["from_class"] },
      { op: "Cast", inputs: ["t"], outputs: ["t_f"], attributes: { to: FLOAT } },
      { op: "Reshape", inputs: ["t_f", "per_image"], outputs: ["t_4d"] },
      { op: "Mul", inputs: ["t_4d", "k_t"], outputs: ["from_t"] },
      { op: "Add", inputs: ["from_x", "from_class"], outputs: ["sum"] },
      { op: "Add", inputs: ["sum", "from_t"], outputs: ["eps"] },
    ],
    initializers: [
      { name: "k_x", type: "float32", dims: [], values: [0.8] },
      { name: "k_class", type: "float32", dims: [], values: [0.05] },
      { name: "k_t", type: "float32", dims: [], values: [1e-4] },
      { name: "per_image", type: "int64", dims: [4], values: [-1, 1, 1, 1] },
    ],
    inputs: [
      { name: "x", type: "float32", shape: image },
      { name: "t", type: "int64", shape: ["batch"] },
      { name: "class", type: "int64", shape: ["batch"] },
    ],
    outputs: [{ name: "eps", type: "float32", shape: image }],
  });
}

export function toyUnet(channels: number, resolution: number): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(toyUnetModel(channels, resolution), { executionProviders: ["cpu"], intraOpNumThreads: 1 });
}

/** features = flatten(x) W (d columns), logits = features V (2 columns). */
export function toyExtractor(channels: number, resolution: number, weights: Float32Array, d: number): Promise<ort.InferenceSession> {
  const flat = channels * resolution * resolution;
  const model = encodeOnnxModel({
    name: "toy_extractor",
    nodes: [
      { op: "Reshape", inputs: ["x", "flat_shape"], outputs: ["flat"] },
      { op: "MatMul", inputs: ["flat", "w"], outputs: ["features"] },
      { op: "MatMul", inputs: ["features", "v"], outputs: ["logits"] },
    ],
    initializers: [
      { name: "flat_shape", type: "int64", dims: [2], values: [-1, flat] },
      { name: "w", type: "float32", dims: [flat, d], values: weights },
      { name: "v", type: "float32", dims: [d, 2], values: Array.from({ length: d * 2 }, (_, i) => (i % 3) - 1) },
    ],
    inputs: [{ name: "x", type: "float32", shape: ["batch", channels, resolution, resolution] }],
    outputs: [
      { name: "features", type: "float32", shape: ["batch", d] },
      { name: "logits", type: "float32", shape: ["batch", 2] },
    ],
  });
  return ort.InferenceSession.create(model, { executionProviders: ["cpu"], intraOpNumThreads: 1 });
}
