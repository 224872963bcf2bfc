// Float64 matrix products in onnxruntime (MLAS DGEMM: ~0.47 s for 2048^3 on one core here, vs
// ~6 s in gemm.ts), for the FID maths at 2048-d. Products too small to amortise a session.run
// (~0.07 ms) stay in TypeScript.
import * as ort from "onnxruntime-node";
import { checkGemm, gemm, type GemmRequest } from "./gemm";
import type { AsyncGemm } from "./gemm-steps";
import { float64MatMulModel } from "./onnx-model-writer";

/** Below this many multiply-adds the TypeScript kernel is as fast as a session.run round trip. */
const SMALL_PRODUCT = 1 << 18;

export interface OnnxGemmOptions {
  /** onnxruntime intra-op threads; default 1 (results do not depend on it). */
  threads?: number;
}

export class OnnxGemm implements AsyncGemm {
  private constructor(private readonly session: ort.InferenceSession) {}

  static async create(options: OnnxGemmOptions = {}): Promise<OnnxGemm> {
    const session = await ort.InferenceSession.create(float64MatMulModel(), {
      executionProviders: ["cpu"],
      intraOpNumThreads: options.threads ?? 1,
      interOpNumThreads: 1,
      executionMode: "sequential",
    });
    return new OnnxGemm(session);
  }

  async multiply(req: GemmRequest): Promise<Float64Array> {
    checkGemm(req);
    const { m, k, n } = req;
    if (m * k * n < SMALL_PRODUCT || m === 0 || k === 0 || n === 0) return gemm(req);
    const out = await this.session.run({
      a: new ort.Tensor("float64", req.a, [m, k]),
      b: new ort.Tensor("float64", req.b, [k, n]),
    });
    const c = out["c"];
    if (!c || !(c.data instanceof Float64Array) || c.data.length !== m * n) throw new Error("onnx-gemm: MatMul returned no float64 [m, n] output");
    return c.data;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

/** Runs `use` with a fresh OnnxGemm and releases it afterwards. */
export async function withOnnxGemm<T>(options: OnnxGemmOptions, use: (gemm: OnnxGemm) => Promise<T>): Promise<T> {
  const multiplier = await OnnxGemm.create(options);
  try {
    return await use(multiplier);
  } finally {
    await multiplier.release();
  }
}
