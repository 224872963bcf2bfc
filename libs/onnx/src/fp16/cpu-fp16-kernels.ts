/**
 * Ops that onnxruntime-node 1.30's CPU execution provider runs without a float16 kernel on x86-64:
 * given float16 tensors it silently wraps them in Cast nodes (its InsertCastTransformer) and
 * computes in float32. Found by running one-node float16 models and reading the optimized graph
 * back (see cpu-fp16-kernels.test.ts, which checks every op of our UNet exports against this
 * list). Of the ops tried, only data movement (Reshape, Transpose, Concat, Slice, Gather, ...),
 * LayerNormalization, Max/Min/Clip, Round/Sign and Cast have float16 kernels.
 *
 * convertToFp16 keeps these ops in float32 itself, with Casts only where precision changes, so
 * that consecutive ops do not bounce through float16 between every pair of them.
 */
export const CPU_OPS_WITHOUT_FP16_KERNEL: readonly string[] = [
  "Abs",
  "Add",
  "AveragePool",
  "BatchNormalization",
  "Ceil",
  "Conv",
  "ConvTranspose",
  "Cos",
  "CumSum",
  "DepthToSpace",
  "Div",
  "Einsum",
  "Elu",
  "Equal",
  "Erf",
  "Exp",
  "Floor",
  "Gelu",
  "Gemm",
  "GlobalAveragePool",
  "Greater",
  "GroupNormalization",
  "HardSigmoid",
  "HardSwish",
  "InstanceNormalization",
  "LeakyRelu",
  "Less",
  "Log",
  "LogSoftmax",
  "MatMul",
  "MaxPool",
  "Mish",
  "Mul",
  "Neg",
  "Pad",
  "Pow",
  "Reciprocal",
  "ReduceL2",
  "ReduceMax",
  "ReduceMean",
  "ReduceSum",
  "Relu",
  "Resize",
  "Selu",
  "Sigmoid",
  "Sin",
  "Softmax",
  "Softplus",
  "Sqrt",
  "Sub",
  "Sum",
  "Tanh",
  "Tile",
  "Where",
];

/** The reason recorded for each op kept in float32. */
export const NO_FP16_KERNEL_REASON = "no float16 kernel in onnxruntime-node 1.30's CPU execution provider (x86-64)";
