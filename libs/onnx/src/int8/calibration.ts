import type { onnx } from "onnx-proto";
import { graphOf, tensorValueInfo } from "../model/graph";
import { cloneModel, writeModel } from "../model/model-io";
import { DataType } from "../model/tensor-data";
import { describeError, OnnxError } from "../onnx-error";
import { createCpuSession, type Feeds } from "../runtime/session";
import { floatValues } from "../runtime/tensor-values";
import { MinMaxCollector, PercentileCollector, type RangeCollector, type ValueRange } from "./range-collector";

export interface CalibrationOptions {
  method: "minmax" | "percentile";
  /**
   * For "percentile": each tail is clipped, the range being [the (100 - p)th, the p-th]
   * percentile of the values (not of |x|, so asymmetric activations keep their shape).
   * Default 99.99.
   */
  percentile?: number;
  /** Calibration inputs, run through onnxruntime-node; read once, so a generator will do. */
  feeds: Iterable<Feeds> | AsyncIterable<Feeds>;
}

export const DEFAULT_PERCENTILE = 99.99;

export interface Calibration {
  ranges: Map<string, ValueRange>;
  batches: number;
}

/**
 * The range each of `tensors` (float32 tensors of the model) takes over the calibration feeds:
 * the tensors are made extra graph outputs of a copy of the model, which onnxruntime-node runs
 * once per feed; graph inputs are read from the feeds themselves.
 */
export async function calibrate(model: onnx.IModelProto, tensors: readonly string[], options: CalibrationOptions): Promise<Calibration> {
  const percentile = validatePercentile(options);
  const collectors = new Map<string, RangeCollector>(
    tensors.map((t) => [t, options.method === "percentile" ? new PercentileCollector(percentile) : new MinMaxCollector()]),
  );
  const probe = cloneModel(model);
  const graph = graphOf(probe);
  const inputs = new Set((graph.input ?? []).map((v) => v.name ?? ""));
  const outputs = new Set((graph.output ?? []).map((v) => v.name ?? ""));
  for (const tensor of tensors) if (!inputs.has(tensor) && !outputs.has(tensor)) graph.output?.push(tensorValueInfo(tensor, DataType.FLOAT));
  const session = await createCpuSession(writeModel(probe)).catch((error: unknown) => {
    throw new OnnxError("CALIBRATION_FAILED", `cannot build the calibration model: ${describeError(error)}`, { cause: error });
  });
  let batches = 0;
  try {
    for await (const feeds of options.feeds) {
      let results;
      try {
        results = await session.run(feeds);
      } catch (error) {
        throw new OnnxError("CALIBRATION_FAILED", `calibration batch ${batches + 1} failed to run: ${describeError(error)}`, { cause: error });
      }
      for (const [tensor, collector] of collectors) {
        const value = results[tensor] ?? feeds[tensor];
        if (!value) throw new OnnxError("CALIBRATION_FAILED", `calibration batch ${batches + 1} has no value for ${tensor}`);
        try {
          collector.add(floatValues(value, tensor));
        } catch (error) {
          throw new OnnxError("CALIBRATION_FAILED", `tensor ${tensor} in calibration batch ${batches + 1}: ${describeError(error)}`, { cause: error });
        }
      }
      batches++;
    }
  } finally {
    await session.release();
  }
  if (batches === 0) throw new OnnxError("CALIBRATION_FAILED", "the calibration feeds were empty");
  return { ranges: new Map([...collectors].map(([t, c]) => [t, c.range()])), batches };
}

/** The percentile the options ask for (default 99.99), after checking method and range. */
export function validatePercentile(options: CalibrationOptions): number {
  if (options.method !== "minmax" && options.method !== "percentile") {
    throw new OnnxError("INVALID_ARGUMENT", `unknown calibration method ${String(options.method)}: use minmax or percentile`);
  }
  const percentile = options.percentile ?? DEFAULT_PERCENTILE;
  if (!(percentile > 50 && percentile <= 100)) throw new OnnxError("INVALID_ARGUMENT", `percentile must be in (50, 100], got ${percentile}`);
  return percentile;
}
