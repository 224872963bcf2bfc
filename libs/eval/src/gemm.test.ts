import { describe, expect, it } from "vitest";
import { transpose } from "./dense-matrix";
import { gemm, type GemmRequest } from "./gemm";
import { runGemmSteps, runGemmStepsAsync, type GemmSteps } from "./gemm-steps";
import { OnnxGemm, withOnnxGemm } from "./onnx-gemm";
import { normals } from "./test-random.test-helper";

function naive({ a, b, m, k, n }: GemmRequest): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) c[i * n + j]! += a[i * k + p]! * b[p * n + j]!;
  return c;
}

function maxAbsDifference(x: Float64Array, y: Float64Array): number {
  expect(x.length).toBe(y.length);
  let max = 0;
  for (let i = 0; i < x.length; i++) max = Math.max(max, Math.abs(x[i]! - y[i]!));
  return max;
}

const request = (m: number, k: number, n: number, seed: number): GemmRequest => ({ a: normals(m * k, seed), b: normals(k * n, seed + 1), m, k, n });

describe("gemm (TypeScript)", () => {
  it("multiplies any shape, including ragged tiles and matrix-vector products", () => {
    for (const [m, k, n] of [[1, 1, 1], [5, 3, 7], [4, 8, 2], [37, 19, 33], [70, 65, 1], [1, 9, 40]] as const) {
      const req = request(m, k, n, m * 100 + n);
      expect(maxAbsDifference(gemm(req), naive(req)), `${m}x${k}x${n}`).toBeLessThan(1e-12);
    }
  });

  it("fills both triangles of a product flagged symmetric", () => {
    for (const [m, k] of [[7, 3], [45, 20]] as const) {
      const a = normals(m * k, m);
      const req = { a, b: transpose(a, m, k), m, k, n: m };
      const full = naive(req);
      const c = gemm({ ...req, symmetric: true });
      expect(maxAbsDifference(c, full)).toBeLessThan(1e-12);
    }
  });

  it("rejects inconsistent shapes", () => {
    expect(() => gemm({ a: new Float64Array(6), b: new Float64Array(6), m: 2, k: 3, n: 3 })).toThrow(/bad shapes/);
  });
});

describe("OnnxGemm (onnxruntime float64 MatMul)", () => {
  it("agrees with the TypeScript kernel above and below its size threshold", async () => {
    await withOnnxGemm({}, async (onnx) => {
      for (const [m, k, n] of [[3, 4, 5], [300, 200, 150], [513, 513, 1]] as const) {
        const req = request(m, k, n, k);
        const c = await onnx.multiply(req);
        expect(c).toBeInstanceOf(Float64Array);
        expect(maxAbsDifference(c, gemm(req)), `${m}x${k}x${n}`).toBeLessThan(1e-11);
      }
    });
  });

  it("answers the products of generator steps like the synchronous driver", async () => {
    function* steps(): GemmSteps<number> {
      const first = yield request(100, 60, 80, 1);
      const second = yield { a: first, b: normals(80 * 70, 3), m: 100, k: 80, n: 70 };
      return second.reduce((s, v) => s + v, 0);
    }
    const onnx = await OnnxGemm.create({ threads: 1 });
    const asyncResult = await runGemmStepsAsync(steps(), onnx);
    await onnx.release();
    expect(Math.abs(asyncResult - runGemmSteps(steps()))).toBeLessThan(1e-9 * Math.abs(asyncResult) + 1e-9);
  });
});
