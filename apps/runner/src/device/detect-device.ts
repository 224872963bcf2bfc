import { cpus, totalmem } from "node:os";
import { DeviceKind } from "@distillery/domain";
import type { RunnerDevice } from "../api/types";
import { NVIDIA_SMI_ARGS, cudaDeviceOf, parseNvidiaSmiGpus, roundGb } from "./nvidia-smi";
import { type RunProbe, runProbe } from "./run-probe";

const NVIDIA_SMI_TIMEOUT_MS = 15_000;

/** CUDA when nvidia-smi exists, succeeds and lists a GPU; otherwise the CPU and the machine's memory. */
export async function detectDevice(probe: RunProbe = runProbe): Promise<RunnerDevice> {
  const result = await probe("nvidia-smi", NVIDIA_SMI_ARGS, NVIDIA_SMI_TIMEOUT_MS);
  const cuda = result.exitCode === 0 ? cudaDeviceOf(parseNvidiaSmiGpus(result.stdout)) : undefined;
  return cuda ?? cpuDevice();
}

export function cpuDevice(): RunnerDevice {
  const model = cpus()[0]?.model.trim();
  return { kind: DeviceKind.CPU, ...(model ? { name: model } : {}), memoryGb: roundGb(totalmem() / 1024 ** 3) };
}
