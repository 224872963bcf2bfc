// FID of generated images: features from the extractor (an ONNX export of
// libs/trainer/distillery_trainer/extractor_model.py: input x [B, C, H, W] in [-1, 1], outputs
// "features" [B, d] (pre-activation, so the covariance is not rank-deficient from ReLU zeros) and
// "logits"), their statistics, and the Frechet distance to the dataset's reference statistics
// (pytorch-fid's mu/sigma npz, see npz.ts).
import * as ort from "onnxruntime-node";
import { frechetDistanceAsync } from "./frechet";
import { runGemmStepsAsync, type AsyncGemm } from "./gemm-steps";
import type { FidStatistics } from "./npz";
import { withOnnxGemm, type OnnxGemmOptions } from "./onnx-gemm";
import { featureStatisticsSteps } from "./statistics";

export interface ExtractFeaturesOptions {
  channels: number;
  resolution: number;
  /** Images per session.run. */
  batch: number;
  /** The output to read; default "features". */
  output?: string;
}

/** Runs the extractor over `count` images (count*C*H*W values); returns count*d features. */
export async function extractFeatures(session: ort.InferenceSession, images: Float32Array, count: number, options: ExtractFeaturesOptions): Promise<Float32Array> {
  const { channels, resolution, batch } = options;
  const output = options.output ?? "features";
  const perImage = channels * resolution * resolution;
  if (!Number.isInteger(count) || count < 1 || images.length !== count * perImage) {
    throw new Error(`features: ${images.length} values are not ${count} images of ${channels}x${resolution}x${resolution}`);
  }
  if (!Number.isInteger(batch) || batch < 1) throw new Error(`features: batch must be a positive integer, got ${batch}`);
  const input = session.inputNames[0];
  if (session.inputNames.length !== 1 || input === undefined) throw new Error(`features: the extractor should have one input, it has ${session.inputNames.join(", ")}`);
  if (!session.outputNames.includes(output)) throw new Error(`features: the extractor has no output "${output}" (outputs: ${session.outputNames.join(", ")})`);
  let features: Float32Array | undefined;
  let d = 0;
  for (let start = 0; start < count; start += batch) {
    const size = Math.min(batch, count - start);
    const x = images.subarray(start * perImage, (start + size) * perImage);
    const result = await session.run({ [input]: new ort.Tensor("float32", x, [size, channels, resolution, resolution]) }, [output]);
    const tensor = result[output];
    if (!tensor || !(tensor.data instanceof Float32Array) || tensor.dims.length !== 2 || tensor.dims[0] !== size) {
      throw new Error(`features: output "${output}" is not float32 [batch, d]`);
    }
    if (!features) {
      d = tensor.dims[1]!;
      features = new Float32Array(count * d);
    }
    features.set(tensor.data, start * d);
  }
  return features!;
}

export interface FidResult {
  fid: number;
  /** mu and sigma of the generated images' features (float64, pytorch-fid's layout). */
  statistics: FidStatistics;
}

export interface FidOptions extends OnnxGemmOptions {
  /** Who multiplies; default a fresh onnxruntime float64 MatMul session. */
  gemm?: AsyncGemm;
}

/**
 * FID of `count` feature vectors of dimension d against reference statistics. Asynchronous: the
 * covariance (count x d x d) and the Frechet maths run their products in onnxruntime.
 */
export async function fidAgainstReference(features: ArrayLike<number>, count: number, d: number, reference: FidStatistics, options: FidOptions = {}): Promise<FidResult> {
  if (reference.dim !== d) throw new Error(`fid: the reference statistics are ${reference.dim}-d, the features ${d}-d`);
  const run = async (gemm: AsyncGemm): Promise<FidResult> => {
    const stats = await runGemmStepsAsync(featureStatisticsSteps(features, count, d), gemm);
    const statistics: FidStatistics = { mu: stats.mu, sigma: stats.sigma, dim: d };
    const fid = await frechetDistanceAsync(statistics.mu, statistics.sigma, reference.mu, reference.sigma, { gemm });
    return { fid, statistics };
  };
  return options.gemm ? run(options.gemm) : withOnnxGemm(options, run);
}
