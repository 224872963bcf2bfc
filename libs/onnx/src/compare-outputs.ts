import { OnnxError } from "./onnx-error";
import { createCpuSession, runSession, type Feeds } from "./runtime/session";
import { floatValues } from "./runtime/tensor-values";

export interface OutputError {
  output: string;
  maxAbs: number;
  meanAbs: number;
  rmse: number;
  /** rmse / rms(reference): 0.01 means an error of 1% of the output's typical magnitude. */
  relativeRmse: number;
}

/**
 * Runs both models on every feed and reports, per output of the reference, how far the
 * candidate's values are from the reference's (pooled over all feeds and elements).
 */
export async function compareOutputs(reference: Uint8Array, candidate: Uint8Array, feeds: Feeds[]): Promise<OutputError[]> {
  if (feeds.length === 0) throw new OnnxError("INVALID_ARGUMENT", "compareOutputs needs at least one feed");
  const [referenceSession, candidateSession] = await Promise.all([createCpuSession(reference), createCpuSession(candidate)]);
  try {
    const missing = referenceSession.outputNames.filter((name) => !candidateSession.outputNames.includes(name));
    if (missing.length > 0) throw new OnnxError("INVALID_ARGUMENT", `the candidate has no output ${missing.join(", ")}`);
    const sums = new Map(referenceSession.outputNames.map((name) => [name, { count: 0, abs: 0, squared: 0, referenceSquared: 0, maxAbs: 0 }]));
    for (const feed of feeds) {
      const [expected, actual] = [await runSession(referenceSession, feed), await runSession(candidateSession, feed)];
      for (const [name, sum] of sums) {
        const want = floatValues(expected[name]!, name);
        const got = floatValues(actual[name]!, name);
        if (want.length !== got.length) throw new OnnxError("INVALID_ARGUMENT", `output ${name}: ${got.length} values, the reference has ${want.length}`);
        for (let i = 0; i < want.length; i++) {
          const difference = Math.abs(got[i]! - want[i]!);
          sum.abs += difference;
          sum.squared += difference * difference;
          sum.referenceSquared += want[i]! * want[i]!;
          // NaN must not hide behind Math.max.
          sum.maxAbs = difference > sum.maxAbs || Number.isNaN(difference) ? difference : sum.maxAbs;
        }
        sum.count += want.length;
      }
    }
    return [...sums].map(([output, sum]) => {
      const rmse = Math.sqrt(sum.squared / sum.count);
      return { output, maxAbs: sum.maxAbs, meanAbs: sum.abs / sum.count, rmse, relativeRmse: rmse / Math.sqrt(sum.referenceSquared / sum.count) };
    });
  } finally {
    await Promise.all([referenceSession.release(), candidateSession.release()]);
  }
}
