/**
 * The arithmetic of the UI's SVG charts: domains, linear scales, ticks and line paths. Pure, so the
 * server-rendered charts (leaderboard, compare) and the live one on a run's page share it.
 */

export type Range = [number, number];

export interface Margin {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

/** [min, max] widened by 5% (or by 1 when every value is the same). */
export function paddedDomain(values: number[]): Range {
  const min = Math.min(...values);
  const max = Math.max(...values);
  const pad = max > min ? (max - min) * 0.05 : 1;
  return [min - pad, max + pad];
}

/** Maps `[from, to]` linearly onto `[start, end]` (a reversed range flips the axis, as SVG's y wants). */
export function linearScale([from, to]: Range, [start, end]: Range): (value: number) => number {
  const span = to - from || 1;
  return (value: number) => start + ((value - from) / span) * (end - start);
}

/** `count` ticks evenly spread from one end of the domain to the other, both ends included. */
export function evenTicks([from, to]: Range, count = 5): number[] {
  return Array.from({ length: count }, (_, index) => from + ((to - from) * index) / (count - 1));
}

/** The distance between ticks: 1, 2 or 5 times a power of ten, about `(to - from) / count`. */
export function niceStep([from, to]: Range, count = 5): number {
  const rough = Math.abs(to - from) / Math.max(1, count);
  if (!Number.isFinite(rough) || rough === 0) return 1;
  const power = 10 ** Math.floor(Math.log10(rough));
  const fraction = rough / power;
  const nice = fraction <= 1.5 ? 1 : fraction <= 3 ? 2 : fraction <= 7 ? 5 : 10;
  return nice * power;
}

/** The domain widened to whole tick steps, and the ticks in it: round numbers a reader can use. */
export function niceAxis(values: number[], count = 5, integer = false): { domain: Range; ticks: number[]; step: number } {
  // A loop, not Math.min(...values): a long run has more points than a call takes arguments.
  let min = Infinity;
  let max = -Infinity;
  for (const value of values) {
    if (!Number.isFinite(value)) continue;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  if (min > max) [min, max] = [0, 1];
  if (min === max) {
    const pad = integer ? 1 : Math.abs(min) * 0.1 || 1;
    min -= pad;
    max += pad;
  }
  let step = niceStep([min, max], count);
  if (integer) step = Math.max(1, Math.round(step));
  const from = Math.floor(min / step) * step;
  const to = Math.ceil(max / step) * step;
  const ticks: number[] = [];
  // Rounded to the step's decimals so 0.1 + 0.2 prints as 0.3.
  for (let index = 0; from + index * step <= to + step / 2; index += 1) ticks.push(roundTo(from + index * step, step));
  return { domain: [from, to], ticks, step };
}

function decimalsOf(step: number): number {
  return Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
}

function roundTo(value: number, step: number): number {
  const decimals = Math.min(20, decimalsOf(step));
  return Number(value.toFixed(decimals));
}

/** A tick's label, with as many decimals as the step between ticks needs (exponents when huge or tiny). */
export function formatTick(value: number, step: number): string {
  if (value === 0) return "0";
  const magnitude = Math.abs(value);
  if (magnitude >= 1e6 || magnitude < 1e-4) return value.toExponential(1);
  return value.toFixed(Math.min(6, decimalsOf(step)));
}

export interface Point {
  step: number;
  value: number;
}

/** An SVG path through the points in step order: `M x y L x y …`. */
export function linePath(points: Point[], x: (step: number) => number, y: (value: number) => number): string {
  return points.map((point, index) => `${index === 0 ? "M" : "L"} ${round2(x(point.step))} ${round2(y(point.value))}`).join(" ");
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/** A metric key's chart: the prefix before the first "/" (loss/total and loss/kd share "loss"). */
export function metricGroup(key: string): string {
  const slash = key.indexOf("/");
  return slash > 0 ? key.slice(0, slash) : key;
}

/** Keys grouped by chart, groups and keys in alphabetical order. */
export function groupKeys(keys: Iterable<string>): Array<{ group: string; keys: string[] }> {
  const groups = new Map<string, Set<string>>();
  for (const key of keys) {
    const group = metricGroup(key);
    groups.set(group, (groups.get(group) ?? new Set()).add(key));
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([group, members]) => ({ group, keys: [...members].sort((a, b) => a.localeCompare(b)) }));
}

/** `points` and `more` as one series: one point per step (the newer value wins), in step order. */
export function mergePoints(points: Point[], more: Point[]): Point[] {
  if (more.length === 0) return points;
  const byStep = new Map<number, number>();
  for (const point of points) byStep.set(point.step, point.value);
  for (const point of more) byStep.set(point.step, point.value);
  return [...byStep.entries()].sort(([a], [b]) => a - b).map(([step, value]) => ({ step, value }));
}

/**
 * At most about `max` points to draw, in step order: each bucket of consecutive points keeps its
 * lowest and highest value (and the series its first and last point), so spikes stay visible.
 */
export function thinPoints(points: Point[], max = 2000): Point[] {
  if (points.length <= max) return points;
  const size = Math.ceil(points.length / Math.max(1, Math.floor(max / 2)));
  const kept: Point[] = [points[0]!];
  for (let start = 0; start < points.length; start += size) {
    const bucket = points.slice(start, start + size);
    let low = bucket[0]!;
    let high = bucket[0]!;
    for (const point of bucket) {
      if (point.value < low.value) low = point;
      if (point.value > high.value) high = point;
    }
    for (const point of low.step <= high.step ? [low, high] : [high, low]) if (point !== kept[kept.length - 1]) kept.push(point);
  }
  const last = points[points.length - 1]!;
  if (kept[kept.length - 1] !== last) kept.push(last);
  return kept;
}
