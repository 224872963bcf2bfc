// onnxruntime-node helpers for tests: feeds, runs and the graph onnxruntime actually executes.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { inspectModel } from "../model/inspect-model";
import { readModel } from "../model/model-io";
import type { Feeds } from "../runtime/session";
import { normals } from "./random.test-helper";

export function floatInput(shape: number[], seed: number, std = 1): ort.Tensor {
  return new ort.Tensor("float32", normals(shape.reduce((a, b) => a * b, 1), seed, std), shape);
}

export async function runModel(bytes: Uint8Array, feeds: Feeds): Promise<Record<string, Float32Array>> {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ["cpu"], intraOpNumThreads: 1 });
  try {
    const results = await session.run(feeds);
    return Object.fromEntries(Object.entries(results).map(([name, tensor]) => [name, tensor.data as Float32Array]));
  } finally {
    await session.release();
  }
}

/**
 * Op histogram of the graph onnxruntime runs after its optimizations ("all" by default), as
 * saved through optimizedModelFilePath: shows which QDQ groups it fused.
 */
export async function optimizedOps(bytes: Uint8Array, level: "basic" | "extended" | "all" = "all"): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), "onnx-optimized-"));
  try {
    const path = join(dir, "optimized.onnx");
    // Severity 3: onnxruntime warns that an "all" graph is hardware specific, which is the point here.
    const session = await ort.InferenceSession.create(bytes, { executionProviders: ["cpu"], graphOptimizationLevel: level, optimizedModelFilePath: path, logSeverityLevel: 3 });
    await session.release();
    return inspectModel(readModel(readFileSync(path))).opHistogram;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Writes models into a fresh directory (for the Python checker); returns their paths. */
export function writeTemp(models: Record<string, Uint8Array>): { paths: string[]; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "onnx-check-"));
  const paths = Object.entries(models).map(([name, bytes]) => {
    const path = join(dir, `${name}.onnx`);
    writeFileSync(path, bytes);
    return path;
  });
  return { paths, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
