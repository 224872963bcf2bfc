/** The three leaderboard objectives; lower is better on each. */
export interface Objectives {
  fid: number;
  latencyP50Ms: number;
  peakMemoryBytes: number;
}

/**
 * dominated[i] is true when some other point is <= point i on all three objectives and < on at
 * least one. O(n log n): sort by (fid, latency, memory) and sweep. Any point that dominates p
 * sorts strictly before p, so when p is reached its dominators are exactly the points already
 * swept whose triple differs from p's and whose latency and memory are both <= p's. A Fenwick
 * tree over the ranks of the latencies answers "least memory among swept points with latency
 * <= x"; points with equal triples are looked up together before any of them is added, so
 * equal points never dominate each other.
 */
export function dominatedFlags(points: readonly Objectives[]): boolean[] {
  const order = points.map((_, index) => index).sort((a, b) => compareTriples(points[a]!, points[b]!));
  const latencies = [...new Set(points.map((point) => point.latencyP50Ms))].sort((a, b) => a - b);
  const leastMemory = new Float64Array(latencies.length + 1).fill(Number.POSITIVE_INFINITY);
  const dominated = new Array<boolean>(points.length).fill(false);
  let start = 0;
  while (start < order.length) {
    const point = points[order[start]!]!;
    let end = start + 1;
    while (end < order.length && compareTriples(points[order[end]!]!, point) === 0) end += 1;
    const rank = rankOf(latencies, point.latencyP50Ms) + 1;
    if (prefixMin(leastMemory, rank) <= point.peakMemoryBytes) {
      for (let i = start; i < end; i += 1) dominated[order[i]!] = true;
    }
    lower(leastMemory, rank, point.peakMemoryBytes);
    start = end;
  }
  return dominated;
}

function compareTriples(a: Objectives, b: Objectives): number {
  return a.fid - b.fid || a.latencyP50Ms - b.latencyP50Ms || a.peakMemoryBytes - b.peakMemoryBytes;
}

/** Index of `value` in the sorted, distinct `values` (it is always there). */
function rankOf(values: readonly number[], value: number): number {
  let low = 0;
  let high = values.length - 1;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (values[middle]! < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

function prefixMin(tree: Float64Array, rank: number): number {
  let least = Number.POSITIVE_INFINITY;
  for (let i = rank; i > 0; i -= i & -i) least = Math.min(least, tree[i]!);
  return least;
}

function lower(tree: Float64Array, rank: number, value: number): void {
  for (let i = rank; i < tree.length; i += i & -i) tree[i] = Math.min(tree[i]!, value);
}
