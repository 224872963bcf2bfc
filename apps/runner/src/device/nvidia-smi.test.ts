import { describe, expect, it } from "vitest";
import { cudaDeviceOf, parseNvidiaSmiGpus } from "./nvidia-smi";
import { detectDevice } from "./detect-device";
import { detectCapabilities } from "./detect-capabilities";

describe("parseNvidiaSmiGpus", () => {
  it("reads one GPU per line, memory in MiB", () => {
    expect(parseNvidiaSmiGpus("NVIDIA H200, 143771\n")).toEqual([{ name: "NVIDIA H200", memoryMiB: 143771 }]);
  });

  it("skips blank lines, tolerates CRLF and [N/A] memory, splits at the last comma", () => {
    const output = "\nTesla T4, 15360\r\nGRID A100X-4C, [N/A]\r\nOdd, Name, 8192\n";
    expect(parseNvidiaSmiGpus(output)).toEqual([
      { name: "Tesla T4", memoryMiB: 15360 },
      { name: "GRID A100X-4C" },
      { name: "Odd, Name", memoryMiB: 8192 },
    ]);
  });

  it("ignores lines without a comma (an error message printed with exit code 0)", () => {
    expect(parseNvidiaSmiGpus("No devices were found\n")).toEqual([]);
  });
});

describe("cudaDeviceOf", () => {
  it("counts identical GPUs and reports the memory of one, in GiB rounded to 0.1", () => {
    const gpus = parseNvidiaSmiGpus("NVIDIA H200, 143771\nNVIDIA H200, 143771\n");
    expect(cudaDeviceOf(gpus)).toEqual({ kind: "CUDA", name: "2x NVIDIA H200", memoryGb: 140.4 });
  });

  it("names mixed GPUs and takes the smallest memory", () => {
    const gpus = parseNvidiaSmiGpus("NVIDIA A100-SXM4-80GB, 81920\nTesla T4, 15360\n");
    expect(cudaDeviceOf(gpus)).toEqual({ kind: "CUDA", name: "NVIDIA A100-SXM4-80GB + Tesla T4", memoryGb: 15 });
  });

  it("leaves memory out when any GPU does not report it, and is undefined without GPUs", () => {
    expect(cudaDeviceOf([{ name: "GRID" }])).toEqual({ kind: "CUDA", name: "GRID" });
    expect(cudaDeviceOf([])).toBeUndefined();
  });
});

describe("detectDevice", () => {
  it("uses nvidia-smi when it succeeds", async () => {
    const device = await detectDevice(async (file, args) => {
      expect([file, ...args]).toEqual(["nvidia-smi", "--query-gpu=name,memory.total", "--format=csv,noheader,nounits"]);
      return { exitCode: 0, stdout: "NVIDIA L4, 23034\n" };
    });
    expect(device).toEqual({ kind: "CUDA", name: "NVIDIA L4", memoryGb: 22.5 });
  });

  it("falls back to the CPU when nvidia-smi is missing, fails, or lists nothing", async () => {
    for (const result of [
      { exitCode: null, stdout: "" },
      { exitCode: 9, stdout: "NVIDIA-SMI has failed" },
      { exitCode: 0, stdout: "No devices were found" },
    ]) {
      const device = await detectDevice(async () => result);
      expect(device.kind).toBe("CPU");
      expect(device.memoryGb).toBeGreaterThan(0);
    }
  });
});

describe("detectCapabilities", () => {
  it("offers command only when allowed, torch only when the interpreter imports it, onnx only when onnxruntime-node loads", async () => {
    const everythingLoads = async () => ({ exitCode: 0, stdout: "" });
    const nothingLoads = async () => ({ exitCode: 1, stdout: "" });
    const onlyNode = async (file: string) => ({ exitCode: file === process.execPath ? 0 : 1, stdout: "" });
    expect(await detectCapabilities({ allowCommandJobs: true, python: "/usr/bin/python3" }, everythingLoads)).toEqual(["command", "torch", "onnx"]);
    expect(await detectCapabilities({ allowCommandJobs: false, python: "/usr/bin/python3" }, nothingLoads)).toEqual([]);
    expect(await detectCapabilities({ allowCommandJobs: false, python: "/usr/bin/python3" }, onlyNode)).toEqual(["onnx"]);
  });

  it("asks the configured interpreter, and this Node for onnxruntime", async () => {
    const asked: string[] = [];
    await detectCapabilities({ allowCommandJobs: false, python: "/opt/py/bin/python" }, async (file, args) => {
      asked.push([file, ...args].join(" "));
      return { exitCode: 0, stdout: "" };
    });
    expect(asked[0]).toBe("/opt/py/bin/python -c import torch");
    expect(asked[1]).toMatch(new RegExp(`^${process.execPath} -e require\\(".*onnxruntime-node.*"\\)$`));
  });

  it("onnxruntime-node really loads on this machine (the runner depends on it)", async () => {
    expect(await detectCapabilities({ allowCommandJobs: false, python: "/nonexistent/python" })).toEqual(["onnx"]);
  });
});
