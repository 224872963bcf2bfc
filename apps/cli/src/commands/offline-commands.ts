import { parseArgs } from "node:util";
import { nonNegativeInteger, positiveInteger } from "../cli/arguments";
import type { Command } from "../cli/command";
import { UsageError } from "../cli/exit-codes";

/**
 * The commands that work on files alone: no API, no token. Their modules load onnxruntime and the
 * evaluation library, so they are imported when one of these commands runs: every other command
 * (a `pull` in CI above all) starts without them, ~35 MB and ~0.3 s lighter.
 */
export const inspectCommand: Command = {
  name: "inspect",
  usage: `inspect <model.onnx> [--json]
            opset, parameters, precision, inputs/outputs, op histogram and metadata of a model`,
  async run(argv) {
    const { values, positionals } = parseArgs({ args: argv, options: { json: { type: "boolean", default: false } }, allowPositionals: true, strict: true });
    if (positionals.length !== 1) throw new UsageError("inspect takes one model file");
    const { inspect } = await import("../offline/inspect.js");
    return inspect(positionals[0]!, { json: values.json ?? false });
  },
};

export const fidCommand: Command = {
  name: "fid",
  usage: `fid <a.npz> <b.npz> [--json]
            Frechet distance between two pytorch-fid statistics files (mu, sigma)`,
  async run(argv) {
    const { values, positionals } = parseArgs({ args: argv, options: { json: { type: "boolean", default: false } }, allowPositionals: true, strict: true });
    if (positionals.length !== 2) throw new UsageError("fid takes two .npz files");
    const { fid } = await import("../offline/fid.js");
    return fid(positionals[0]!, positionals[1]!, { json: values.json ?? false });
  },
};

export const quantizeCommand: Command = {
  name: "quantize",
  usage: `quantize <in.onnx> --precision <fp16|int8|int8-dynamic|int8-static> -o <out.onnx> [--json]
            the runners' quantizer; int8 (= int8-static) is QDQ, S8S8, per-channel weights,
            activation ranges calibrated in onnxruntime; reports the error against fp32
            --calibration sampler|<inputs.npz>
                             sampler (default): the UNet's own DDIM trajectories (a UNet the
                             trainer exported); or one array per model input, batch first
            --calibration-method minmax|percentile   (default percentile)
            --percentile <p>          of |x| per tensor (default 99.99)
            --calibration-samples <n> trajectories recorded (default 32)
            --calibration-steps <n>   sampler steps per trajectory (default 50)
            --schedule cosine:1000    the noise schedule (default: the file's metadata)
            --activations int8|uint8  int8-static's activations: int8 (S8S8, default) or uint8
                                      (U8S8: same error, fully fused on x86 CPUs without VNNI)
            --seed <n>                (default 0)`,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: {
        json: { type: "boolean", default: false },
        precision: { type: "string" },
        output: { type: "string", short: "o" },
        calibration: { type: "string", default: "sampler" },
        "calibration-method": { type: "string", default: "percentile" },
        percentile: { type: "string", default: "99.99" },
        "calibration-samples": { type: "string", default: "32" },
        "calibration-steps": { type: "string", default: "50" },
        schedule: { type: "string" },
        seed: { type: "string", default: "0" },
        activations: { type: "string", default: "int8" },
      },
      allowPositionals: true,
      strict: true,
    });
    if (positionals.length !== 1) throw new UsageError("quantize takes one model file");
    const { METHOD_NAMES, parseSchedule, quantize } = await import("../offline/quantize.js");
    const method = values.precision === undefined ? undefined : METHOD_NAMES[values.precision];
    if (!method) throw new UsageError(`quantize needs --precision ${Object.keys(METHOD_NAMES).join("|")}${values.precision ? ` (not "${values.precision}")` : ""}`);
    if (!values.output) throw new UsageError("quantize needs -o <out.onnx>");
    const calibrationMethod = values["calibration-method"];
    if (calibrationMethod !== "minmax" && calibrationMethod !== "percentile") throw new UsageError(`--calibration-method must be minmax or percentile, not "${String(calibrationMethod)}"`);
    const activations = values.activations;
    if (activations !== "int8" && activations !== "uint8") throw new UsageError(`--activations must be int8 or uint8, not "${String(activations)}"`);
    const percentile = Number(values.percentile);
    if (!(percentile > 90 && percentile <= 100)) throw new UsageError(`--percentile must be above 90 and at most 100, not "${values.percentile}"`);
    if (values.schedule !== undefined) {
      try {
        parseSchedule(values.schedule);
      } catch (error) {
        throw new UsageError(`--schedule: ${(error as Error).message}`);
      }
    }
    return quantize({
      input: positionals[0]!,
      output: values.output,
      method,
      calibration: values.calibration ?? "sampler",
      calibrationMethod,
      activations,
      percentile,
      samples: positiveInteger("--calibration-samples", values["calibration-samples"], 4096)!,
      steps: positiveInteger("--calibration-steps", values["calibration-steps"], 1000)!,
      seed: nonNegativeInteger("--seed", values.seed ?? "0"),
      schedule: values.schedule,
      json: values.json ?? false,
    });
  },
};
