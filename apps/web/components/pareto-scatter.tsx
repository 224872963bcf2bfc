import { evenTicks, linearScale, paddedDomain } from "../lib/chart-geometry";
import type { LeaderboardRow } from "../lib/operations";

const WIDTH = 640;
const HEIGHT = 320;
const MARGIN = { top: 16, right: 24, bottom: 48, left: 64 };

/** FID against latency p50: every row a point, the Pareto front as a step line. */
export function ParetoScatter({ rows }: { rows: LeaderboardRow[] }) {
  if (rows.length === 0) return null;
  const xDomain = paddedDomain(rows.map((row) => row.latencyP50Ms));
  const yDomain = paddedDomain(rows.map((row) => row.fid));
  const x = linearScale(xDomain, [MARGIN.left, WIDTH - MARGIN.right]);
  const y = linearScale(yDomain, [HEIGHT - MARGIN.bottom, MARGIN.top]);
  const front = rows.filter((row) => !row.dominated).sort((a, b) => a.latencyP50Ms - b.latencyP50Ms);
  const path = front
    .map((row, index) => (index === 0 ? `M ${x(row.latencyP50Ms)} ${y(row.fid)}` : `H ${x(row.latencyP50Ms)} V ${y(row.fid)}`))
    .join(" ");
  return (
    <figure className="scatter">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby="scatter-title">
        <title id="scatter-title">FID against latency p50, one point per version; the Pareto front as a step line</title>
        <line x1={MARGIN.left} y1={HEIGHT - MARGIN.bottom} x2={WIDTH - MARGIN.right} y2={HEIGHT - MARGIN.bottom} className="axis" />
        <line x1={MARGIN.left} y1={MARGIN.top} x2={MARGIN.left} y2={HEIGHT - MARGIN.bottom} className="axis" />
        {evenTicks(xDomain).map((tick) => (
          <text key={`x${tick}`} x={x(tick)} y={HEIGHT - MARGIN.bottom + 16} className="tick" textAnchor="middle">
            {tick.toFixed(1)}
          </text>
        ))}
        {evenTicks(yDomain).map((tick) => (
          <text key={`y${tick}`} x={MARGIN.left - 6} y={y(tick) + 4} className="tick" textAnchor="end">
            {tick.toFixed(1)}
          </text>
        ))}
        <text x={(MARGIN.left + WIDTH - MARGIN.right) / 2} y={HEIGHT - 8} className="axis-label" textAnchor="middle">
          Latency p50 (ms)
        </text>
        <text x={16} y={(MARGIN.top + HEIGHT - MARGIN.bottom) / 2} className="axis-label" textAnchor="middle" transform={`rotate(-90 16 ${(MARGIN.top + HEIGHT - MARGIN.bottom) / 2})`}>
          FID (lower is better)
        </text>
        {front.length > 1 ? <path d={path} className="front" /> : null}
        {rows.map((row) => (
          <circle key={row.version.ref} cx={x(row.latencyP50Ms)} cy={y(row.fid)} r={5} className={row.dominated ? "point dominated" : "point"}>
            <title>{`${row.version.ref}: FID ${row.fid.toFixed(2)}, p50 ${row.latencyP50Ms.toFixed(1)} ms${row.dominated ? " (dominated)" : ""}`}</title>
          </circle>
        ))}
      </svg>
      <figcaption>Grey points are dominated; the line is the Pareto front of this page.</figcaption>
    </figure>
  );
}
