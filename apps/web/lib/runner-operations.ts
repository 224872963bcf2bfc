import { defineOperation } from "@distillery/client";

export interface RunnerRow {
  id: string;
  name: string;
  online: boolean;
  lastSeenAt: string;
  capabilities: string[];
  labels: string[];
  device: { kind: "CPU" | "CUDA"; name: string; memoryGb: number };
}

export interface RunningRun {
  id: string;
  number: number;
  progress: number | null;
  experiment: { id: string; name: string };
  job: { runner: { id: string } | null };
}

/** Every runner, and the running runs: each one's runner holds its job. */
export const RUNNERS = defineOperation<{ runners: RunnerRow[]; runs: { edges: Array<{ node: RunningRun }> } }, Record<string, never>>(
  "Runners",
  `query Runners {
    runners { id name online lastSeenAt capabilities labels device { kind name memoryGb } }
    runs(filter: { status: RUNNING }, first: 100) { edges { node { id number progress experiment { id name } job { runner { id } } } } }
  }`,
);
