// A stand-in for `python -m distillery_trainer`, handed to the runner as --python (see
// fake-trainer.ts, which gives it a shebang). It answers the runner's `-c "import torch"` probe
// with success and emulates the trainer's CLI contract: the JSON-lines protocol on stdout,
// artifacts written to --work-dir and announced at the end; exit 0 done, 143 after SIGTERM
// (a checkpoint written), 2 bad arguments, 1 an error with a traceback on stderr.
// FAKE_TRAINER_MODE picks the behaviour: ok (default), fail, wait, sigterm-once. The command
// (pretrain, distill, extractor) picks what an ok run announces; distill reads and hashes the
// teacher file the runner resolved (every command hashes the npz files of platform datasets the
// runner rewrote), and FAKE_EXTRACTOR_ORDER=stats-last announces the extractor
// before its reference statistics.
const fs = require("node:fs");
const path = require("node:path");
const crypto = require("node:crypto");

const args = process.argv.slice(2);
if (args[0] === "-c") process.exit(0);

const [flag, moduleName, command, ...rest] = args;
const option = (name) => {
  const index = rest.indexOf(name);
  return index >= 0 ? rest[index + 1] : undefined;
};
const specPath = option("--spec");
const workDir = option("--work-dir");
if (flag !== "-m" || moduleName !== "distillery_trainer" || !["pretrain", "distill", "extractor"].includes(command) || !specPath || !workDir) {
  console.error(`usage: python -m distillery_trainer pretrain|distill|extractor --spec FILE --work-dir DIR (got ${JSON.stringify(args)})`);
  process.exit(2);
}
const spec = JSON.parse(fs.readFileSync(specPath, "utf8"));
const mode = process.env.FAKE_TRAINER_MODE || "ok";
const say = (message) => console.log(JSON.stringify(message));
const checkpoint = path.join(workDir, "checkpoint.pt");

console.log(`work-dir ${workDir}`);
console.log(`spec-file ${specPath}`);
console.log(`env PYTHONPATH=${process.env.PYTHONPATH} OPENBLAS_NUM_THREADS=${process.env.OPENBLAS_NUM_THREADS} DISTILLERY_TOKEN=${process.env.DISTILLERY_TOKEN ?? "unset"}`);
console.log(`spec output=${JSON.stringify(spec.output)} steps=${spec.training.steps} timeout=${spec.timeoutSeconds}`);
console.log(`resolved ${JSON.stringify(spec.resolved)}`);
// Datasets the runner fetched (platform datasets, rewritten to npz): read and hashed, as the loader would.
for (const field of ["dataset", "testDataset"]) {
  const source = spec[field];
  if (source && source.source === "npz") {
    const bytes = fs.readFileSync(source.path);
    console.log(`${field} ${source.ref} ${bytes.length} bytes sha256:${crypto.createHash("sha256").update(bytes).digest("hex")}`);
  }
}

if (mode === "fail") {
  console.error("Traceback (most recent call last):");
  console.error('  File "distillery_trainer/datasets.py", line 42, in load');
  console.error("ValueError: the dataset is empty");
  process.exit(1);
} else if (mode === "wait") {
  process.on("SIGTERM", () => {
    fs.writeFileSync(checkpoint, "checkpoint");
    console.log("got SIGTERM, checkpoint written");
    process.exit(143);
  });
  console.log(`pid ${process.pid}`);
  console.log("ready");
  setInterval(() => {}, 1000);
} else if (mode === "sigterm-once" && !fs.existsSync(checkpoint)) {
  fs.writeFileSync(checkpoint, "checkpoint");
  say({ metric: "loss", step: 0, value: 1 });
  console.log("checkpoint written, stopping");
  process.exit(143);
} else {
  if (fs.existsSync(checkpoint)) console.log("resumed from checkpoint");
  for (let step = 0; step < 5; step++) say({ metric: "loss", step, value: 1 / (step + 1) });
  say({ progress: 0.5 });
  if (command === "pretrain") {
    const torchPath = path.join(workDir, "teacher.pt");
    const onnxPath = path.join(workDir, "teacher.onnx");
    fs.writeFileSync(torchPath, crypto.randomBytes(3 * 1024 * 1024 + 17));
    fs.writeFileSync(onnxPath, crypto.randomBytes(100_000));
    say({ artifact: "teacher", path: torchPath, kind: "torch", metadata: { params: 1234, architecture: spec.model, ema: true } });
    say({ artifact: "teacher-onnx", path: onnxPath, kind: "onnx", metadata: { params: 1234, exportedFrom: "teacher", onnx: { opset: 17 } } });
  } else if (command === "distill") {
    const teacher = spec.resolved.teacher;
    const bytes = fs.readFileSync(teacher.path);
    console.log(`teacher ${teacher.ref} ${bytes.length} bytes sha256:${crypto.createHash("sha256").update(bytes).digest("hex")}`);
    const torchPath = path.join(workDir, "student.pt");
    const onnxPath = path.join(workDir, "student.onnx");
    fs.writeFileSync(torchPath, crypto.randomBytes(200_000));
    fs.writeFileSync(onnxPath, crypto.randomBytes(50_000));
    const recipe = { strategy: spec.strategy, student: spec.student, teacher: teacher.ref, training: spec.training };
    say({ artifact: "student", path: torchPath, kind: "torch", metadata: { params: 456, architecture: { channels: [16, 32] }, recipe, samplingSteps: 4 } });
    say({ artifact: "student-onnx", path: onnxPath, kind: "onnx", metadata: { params: 456, exportedFrom: "student", onnx: { opset: 17 } } });
  } else {
    const statsPath = path.join(workDir, "reference-stats.npz");
    const onnxPath = path.join(workDir, "extractor.onnx");
    fs.writeFileSync(statsPath, crypto.randomBytes(40_000));
    fs.writeFileSync(onnxPath, crypto.randomBytes(60_000));
    const stats = { artifact: "reference-stats", path: statsPath, kind: "npz", metadata: { samples: spec.referenceSamples, dataset: spec.dataset, featureDim: spec.model.featureDim } };
    const extractor = { artifact: "extractor", path: onnxPath, kind: "onnx", metadata: { params: 789, testAccuracy: 0.91, featureDim: spec.model.featureDim, featureOutput: "features", onnx: { opset: 17 } } };
    for (const artifact of process.env.FAKE_EXTRACTOR_ORDER === "stats-last" ? [extractor, stats] : [stats, extractor]) say(artifact);
  }
  process.exit(0);
}
