import { groupKeys, metricGroup } from "../lib/chart-geometry";
import { type ChartSeries, LineChart } from "./line-chart";

export interface KeyedSeries extends ChartSeries {
  /** The metric key: its prefix before the first "/" picks the chart. */
  key: string;
}

/** One chart per metric group (loss/total and loss/kd share "loss"), in the groups' order. */
export function MetricCharts({ series, empty }: { series: KeyedSeries[]; empty: string }) {
  const groups = groupKeys(series.filter((one) => one.points.length > 0).map((one) => one.key));
  if (groups.length === 0) return <p className="empty">{empty}</p>;
  return (
    <div className="charts">
      {groups.map(({ group }) => (
        <LineChart key={group} title={group} yLabel={group} series={series.filter((one) => metricGroup(one.key) === group)} />
      ))}
    </div>
  );
}
