import { useId } from "react";
import { formatTick, linePath, linearScale, niceAxis, type Point, thinPoints } from "../lib/chart-geometry";
import { formatValue } from "../lib/run-format";

const WIDTH = 640;
const HEIGHT = 280;
const MARGIN = { top: 12, right: 20, bottom: 44, left: 72 };
const LEFT = MARGIN.left;
const RIGHT = WIDTH - MARGIN.right;
const TOP = MARGIN.top;
const BOTTOM = HEIGHT - MARGIN.bottom;
/** styles/runs.css has this many colours and dash patterns; more series reuse them in turn. */
const COLORS = 8;
const DASHES = 4;

function seriesClass(series: ChartSeries): string {
  return `series color-${series.color % COLORS} dash-${series.dash % DASHES}`;
}

export interface ChartSeries {
  /** Unique in the chart: the metric key, or run and key. */
  id: string;
  /** The legend's name for the line. */
  label: string;
  points: Point[];
  /** Picks the line's colour and dash pattern (styles/runs.css), so lines differ in more than hue. */
  color: number;
  dash: number;
}

/** A metric's values against step: one line per series, ticks on both axes, a legend below. */
export function LineChart({ title, yLabel, series }: { title: string; yLabel: string; series: ChartSeries[] }) {
  const titleId = useId();
  const drawn = series.filter((one) => one.points.length > 0);
  const x = niceAxis(
    drawn.flatMap((one) => one.points.map((point) => point.step)),
    6,
    true,
  );
  const y = niceAxis(drawn.flatMap((one) => one.points.map((point) => point.value)));
  const xScale = linearScale(x.domain, [LEFT, RIGHT]);
  const yScale = linearScale(y.domain, [BOTTOM, TOP]);
  const pointCount = drawn.reduce((sum, one) => sum + one.points.length, 0);
  return (
    <figure className="chart" data-group={title} data-points={pointCount}>
      <figcaption className="chart-title">{title}</figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby={titleId}>
        <title id={titleId}>{`${yLabel} against step: ${drawn.map((one) => one.label).join(", ")}`}</title>
        {y.ticks.map((tick, index) => (
          <g key={`y${index}`}>
            <line x1={LEFT} x2={RIGHT} y1={yScale(tick)} y2={yScale(tick)} className="grid" />
            <text x={LEFT - 6} y={yScale(tick) + 4} className="tick" textAnchor="end">
              {formatTick(tick, y.step)}
            </text>
          </g>
        ))}
        {x.ticks.map((tick, index) => (
          <g key={`x${index}`}>
            <line x1={xScale(tick)} x2={xScale(tick)} y1={BOTTOM} y2={BOTTOM + 5} className="axis" />
            <text x={xScale(tick)} y={BOTTOM + 18} className="tick" textAnchor="middle">
              {formatTick(tick, x.step)}
            </text>
          </g>
        ))}
        <line x1={LEFT} y1={BOTTOM} x2={RIGHT} y2={BOTTOM} className="axis" />
        <line x1={LEFT} y1={TOP} x2={LEFT} y2={BOTTOM} className="axis" />
        <text x={(LEFT + RIGHT) / 2} y={HEIGHT - 6} className="axis-label" textAnchor="middle">
          step
        </text>
        <text x={16} y={(TOP + BOTTOM) / 2} className="axis-label" textAnchor="middle" transform={`rotate(-90 16 ${(TOP + BOTTOM) / 2})`}>
          {yLabel}
        </text>
        {drawn.map((one) =>
          one.points.length === 1 ? (
            <circle key={one.id} cx={xScale(one.points[0]!.step)} cy={yScale(one.points[0]!.value)} r={3} className={`series-dot color-${one.color % COLORS}`} data-series={one.label} data-points={1} />
          ) : (
            <path key={one.id} d={linePath(thinPoints(one.points), xScale, yScale)} className={seriesClass(one)} data-series={one.label} data-points={one.points.length}>
              <title>{one.label}</title>
            </path>
          ),
        )}
      </svg>
      <ul className="legend" aria-label={`Legend of ${title}`}>
        {drawn.map((one) => {
          const last = one.points[one.points.length - 1]!;
          return (
            <li key={one.id}>
              <svg width="28" height="10" aria-hidden="true" className="swatch">
                <line x1="0" y1="5" x2="28" y2="5" className={seriesClass(one)} />
              </svg>
              <span className="legend-label">{one.label}</span>{" "}
              <span className="muted">{`${one.points.length} points, last ${formatValue(last.value)} at step ${last.step}`}</span>
            </li>
          );
        })}
      </ul>
    </figure>
  );
}
