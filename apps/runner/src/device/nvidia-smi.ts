import { DeviceKind } from "@distillery/domain";
import type { RunnerDevice } from "../api/types";

/** What the runner asks nvidia-smi: one CSV line per GPU, memory in MiB, no header or units. */
export const NVIDIA_SMI_ARGS = ["--query-gpu=name,memory.total", "--format=csv,noheader,nounits"];

export interface GpuInfo {
  name: string;
  /** Absent when the driver says [N/A] (some virtual GPUs). */
  memoryMiB?: number;
}

/** Parses `NVIDIA H200, 143771` lines; blank and unparseable lines are skipped. */
export function parseNvidiaSmiGpus(output: string): GpuInfo[] {
  const gpus: GpuInfo[] = [];
  for (const line of output.split(/\r?\n/)) {
    // The name comes first and the memory last: split at the last comma.
    const comma = line.lastIndexOf(",");
    if (comma < 0) continue;
    const name = line.slice(0, comma).trim();
    const memory = Number(line.slice(comma + 1).trim());
    if (!name) continue;
    gpus.push(Number.isFinite(memory) && memory > 0 ? { name, memoryMiB: memory } : { name });
  }
  return gpus;
}

/**
 * One device for the whole machine, as the protocol takes it: "8x NVIDIA H200" for identical
 * GPUs, and the smallest GPU's memory, because a job that asks for N GB must fit on any of them.
 */
export function cudaDeviceOf(gpus: GpuInfo[]): RunnerDevice | undefined {
  const first = gpus[0];
  if (!first) return undefined;
  const names = [...new Set(gpus.map((gpu) => gpu.name))];
  const name = names.length === 1 ? (gpus.length > 1 ? `${gpus.length}x ${first.name}` : first.name) : gpus.map((gpu) => gpu.name).join(" + ");
  const memories = gpus.map((gpu) => gpu.memoryMiB).filter((memory): memory is number => memory !== undefined);
  const device: RunnerDevice = { kind: DeviceKind.CUDA, name };
  if (memories.length === gpus.length) device.memoryGb = roundGb(Math.min(...memories) / 1024);
  return device;
}

export function roundGb(gb: number): number {
  return Math.round(gb * 10) / 10;
}
