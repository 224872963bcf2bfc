import { createHash } from "node:crypto";
import { inspectModel, readModel } from "@distillery/onnx";
import { readInputFile } from "./read-input-file";

/**
 * `distillery inspect model.onnx`: what a file holds, without a server — size and digest, opset,
 * parameters and their bytes, precision, inputs and outputs, the op histogram and the metadata
 * (the architecture, schedule and any quantization record). `--json` for scripts.
 */
export async function inspect(path: string, options: { json: boolean }): Promise<number> {
  const bytes = await readInputFile(path);
  const inspection = inspectModel(readModel(bytes));
  const digest = `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ file: path, bytes: bytes.byteLength, digest, ...inspection }, null, 2)}\n`);
    return 0;
  }
  const shape = (dims: (number | string)[]) => `[${dims.join(", ")}]`;
  const lines = [
    `file        ${path}`,
    `bytes       ${bytes.byteLength} (${megabytes(bytes.byteLength)})`,
    `digest      ${digest}`,
    `format      ONNX IR ${inspection.irVersion}, opset ${inspection.opset}${inspection.producer ? `, from ${inspection.producer}` : ""}`,
    `precision   ${inspection.precision}`,
    `params      ${inspection.params.toLocaleString("en-US")} in ${inspection.initializerCount} initializers (${megabytes(inspection.initializerBytes)})`,
    `nodes       ${inspection.nodeCount}`,
    ...inspection.inputs.map((input, index) => `${index === 0 ? "inputs      " : "            "}${input.name}: ${input.elementType} ${shape(input.shape)}`),
    ...inspection.outputs.map((output, index) => `${index === 0 ? "outputs     " : "            "}${output.name}: ${output.elementType} ${shape(output.shape)}`),
    "ops",
    ...Object.entries(inspection.opHistogram)
      .sort(([a, countA], [b, countB]) => countB - countA || a.localeCompare(b))
      .map(([op, count]) => `  ${String(count).padStart(5)}  ${op}`),
    ...(Object.keys(inspection.metadata).length > 0 ? ["metadata", ...Object.entries(inspection.metadata).map(([key, value]) => `  ${key}: ${abbreviate(value)}`)] : []),
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
  return 0;
}

function megabytes(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(2)} MiB`;
}

/** Metadata values can be long JSON: one line each, cut at 160 characters. */
function abbreviate(value: string): string {
  const line = value.replace(/\s+/g, " ");
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}
