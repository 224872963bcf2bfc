/** A run as the CLI's `runs` table and the web UI's run tables show it. */
export interface RunSummary {
  id: string;
  number: number;
  status: string;
  /** 0..1 as last reported by the runner. */
  progress: number | null;
  attempt: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  experiment: { id: string; name: string; kind: string };
}

/** The selection that fills a RunSummary. */
export const RUN_SUMMARY_FIELDS = "id number status progress attempt createdAt startedAt finishedAt experiment { id name kind }";
