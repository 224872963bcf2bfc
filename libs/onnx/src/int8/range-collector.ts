import { OnnxError } from "../onnx-error";

export interface ValueRange {
  min: number;
  max: number;
}

/** Accumulates the values a tensor takes over the calibration batches into one range. */
export interface RangeCollector {
  add(values: ArrayLike<number>): void;
  range(): ValueRange;
}

function batchExtent(values: ArrayLike<number>): ValueRange {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) throw new OnnxError("CALIBRATION_FAILED", `a calibration value is ${v}`);
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}

export class MinMaxCollector implements RangeCollector {
  private extent: ValueRange = { min: Infinity, max: -Infinity };

  add(values: ArrayLike<number>): void {
    const batch = batchExtent(values);
    this.extent = { min: Math.min(this.extent.min, batch.min), max: Math.max(this.extent.max, batch.max) };
  }

  range(): ValueRange {
    return this.extent;
  }
}

/**
 * Percentile range of each tail: [the (100 - p)th percentile, the p-th percentile], estimated
 * from a fixed-size histogram rather than by keeping every value. The histogram spans the
 * values seen so far; when a batch falls outside it, it is widened and the old counts are moved
 * into the new bins (by bin centre), so the estimate is good to about one bin width
 * ((max - min) / bins). The result never leaves [min, max] of the values seen.
 */
export class PercentileCollector implements RangeCollector {
  private counts: Float64Array;
  private low = 0;
  private width = 0;
  private total = 0;
  private readonly extent = new MinMaxCollector();

  constructor(
    private readonly percentile: number,
    private readonly bins = 2048,
  ) {
    if (!(percentile > 50 && percentile <= 100)) throw new OnnxError("INVALID_ARGUMENT", `percentile must be in (50, 100], got ${percentile}`);
    this.counts = new Float64Array(bins);
  }

  add(values: ArrayLike<number>): void {
    if (values.length === 0) return;
    this.extent.add(values);
    const { min, max } = this.extent.range();
    if (this.total === 0) {
      this.low = min;
      this.width = (max - min) / this.bins;
    } else if (min < this.low || max > this.low + this.width * this.bins) {
      this.rebin(min, max);
    }
    const counts = this.counts;
    for (let i = 0; i < values.length; i++) counts[this.binOf(values[i]!)]!++;
    this.total += values.length;
  }

  private binOf(value: number): number {
    if (this.width === 0) return 0;
    return Math.min(this.bins - 1, Math.max(0, Math.floor((value - this.low) / this.width)));
  }

  private rebin(min: number, max: number): void {
    const old = this.counts;
    const [oldLow, oldWidth] = [this.low, this.width];
    this.counts = new Float64Array(this.bins);
    this.low = min;
    this.width = (max - min) / this.bins;
    old.forEach((count, bin) => {
      if (count > 0) this.counts[this.binOf(oldLow + (bin + 0.5) * oldWidth)]! += count;
    });
  }

  range(): ValueRange {
    const extent = this.extent.range();
    if (this.total === 0 || this.percentile >= 100 || this.width === 0) return extent;
    const tail = ((100 - this.percentile) / 100) * this.total;
    // Lower bound: the lower edge of the bin where the cumulative count passes the tail.
    let cumulative = 0;
    let lowBin = 0;
    for (; lowBin < this.bins; lowBin++) {
      cumulative += this.counts[lowBin]!;
      if (cumulative > tail) break;
    }
    cumulative = 0;
    let highBin = this.bins - 1;
    for (; highBin >= 0; highBin--) {
      cumulative += this.counts[highBin]!;
      if (cumulative > tail) break;
    }
    return {
      min: Math.max(extent.min, this.low + lowBin * this.width),
      max: Math.min(extent.max, this.low + (highBin + 1) * this.width),
    };
  }
}
