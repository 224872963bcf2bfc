import * as ort from "onnxruntime-node";
import { describeError, OnnxError } from "../onnx-error";

/** Model inputs by name, as onnxruntime-node takes them (int64 inputs as BigInt64Array). */
export type Feeds = Record<string, ort.Tensor>;

/**
 * An onnxruntime-node session on the CPU execution provider, named explicitly: the platform
 * chooses providers in code (a CUDA provider does not fall back to CPU on failure).
 */
export async function createCpuSession(model: Uint8Array, options: ort.InferenceSession.SessionOptions = {}): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(model, { ...options, executionProviders: ["cpu"] });
  } catch (error) {
    throw new OnnxError("RUNTIME_FAILED", `onnxruntime-node cannot load the model: ${describeError(error)}`, { cause: error });
  }
}

export async function runSession(session: ort.InferenceSession, feeds: Feeds): Promise<ort.InferenceSession.OnnxValueMapType> {
  try {
    return await session.run(feeds);
  } catch (error) {
    throw new OnnxError("RUNTIME_FAILED", `onnxruntime-node failed to run the model: ${describeError(error)}`, { cause: error });
  }
}
