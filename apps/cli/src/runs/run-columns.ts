import type { RunSummary } from "@distillery/client";
import { formatDuration } from "@distillery/domain";
import type { Column } from "../cli/output";
import { formatTime } from "../cli/output";


export function runColumns(now: Date): Column<RunSummary>[] {
  return [
    { header: "run", value: (run) => run.id },
    { header: "experiment", value: (run) => run.experiment.name },
    { header: "#", value: (run) => run.number, align: "right" },
    { header: "kind", value: (run) => run.experiment.kind },
    { header: "status", value: (run) => run.status },
    { header: "progress", value: (run) => (run.progress === null ? undefined : `${Math.round(run.progress * 100)}%`), align: "right" },
    { header: "created", value: (run) => formatTime(run.createdAt) },
    { header: "duration", value: (run) => (run.startedAt ? formatDuration(Date.parse(run.finishedAt ?? now.toISOString()) - Date.parse(run.startedAt)) : undefined), align: "right" },
  ];
}
