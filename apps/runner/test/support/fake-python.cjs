// A stand-in for `python -m distillery_trainer`, handed to the runner as --python (see
// fake-trainer.ts, which gives it a shebang). It answers the runner's `-c "import torch"` probe
// with success and emulates the trainer's CLI contract: the JSON-lines protocol on stdout,
// artifacts written to --work-dir and announced at the end; exit 0 done, 143 after SIGTERM
// (a checkpoint written), 2 bad arguments, 1 an error with a traceback on stderr.
// FAKE_TRAINER_MODE picks the behaviour: ok (default), fail, wait, sigterm-once.
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
if (flag !== "-m" || moduleName !== "distillery_trainer" || command !== "pretrain" || !specPath || !workDir) {
  console.error(`usage: python -m distillery_trainer pretrain --spec FILE --work-dir DIR (got ${JSON.stringify(args)})`);
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
  const torchPath = path.join(workDir, "teacher.pt");
  const onnxPath = path.join(workDir, "teacher.onnx");
  fs.writeFileSync(torchPath, crypto.randomBytes(3 * 1024 * 1024 + 17));
  fs.writeFileSync(onnxPath, crypto.randomBytes(100_000));
  say({ artifact: "teacher", path: torchPath, kind: "torch", metadata: { params: 1234, architecture: spec.model, ema: true } });
  say({ artifact: "teacher-onnx", path: onnxPath, kind: "onnx", metadata: { params: 1234, exportedFrom: "teacher", onnx: { opset: 17 } } });
  process.exit(0);
}
