import {
  calibrationSchema,
  commandSpecSchema,
  distillSpecSchema,
  ExperimentKind,
  pretrainSpecSchema,
  quantizeSectionSchema,
  trainingSchema,
} from "@distillery/domain";
import { describe, expect, it } from "vitest";
import { readDocument } from "../../apps/web/lib/launch-input";
import { type Field, fieldsFromSchema, type JsonSchema, labelFor, walkFields } from "../../apps/web/lib/spec-form/fields";
import {
  defaultEntries,
  defaultSpec,
  discriminatorName,
  type FormEntries,
  includeName,
  placeIssues,
  specFromEntries,
  TICKED,
  UNTICKED,
} from "../../apps/web/lib/spec-form/form-data";
import { specFields, specIssues } from "../../apps/web/lib/spec-form/kinds";

/**
 * The launch form's subtle part, without a browser: JSON Schema -> fields, a submission -> the
 * spec, the schema's issues -> the inputs. The schemas are the real ones of libs/domain.
 */

const fieldsOf = (schema: { toJSONSchema(params: { io: "input" }): unknown }) => fieldsFromSchema(schema.toJSONSchema({ io: "input" }) as JsonSchema);

function field(fields: readonly Field[], path: string): Field {
  const found = [...walkFields(fields)].find((candidate) => candidate.path === path);
  if (!found) throw new Error(`no field ${path}`);
  return found;
}

/** The defaults as the form first sends them, changed where a test types something. */
const submit = (fields: readonly Field[], typed: FormEntries) => specFromEntries(fields, { ...defaultEntries(fields), ...typed });

describe("JSON Schema -> fields", () => {
  it.each(Object.values(ExperimentKind))("builds %s's fields, each with an id of its own", (kind) => {
    const fields = specFields(kind);
    expect(fields.length).toBeGreaterThan(0);
    const ids = [...walkFields(fields)].map((one) => one.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...walkFields(fields)].every((one) => one.path.startsWith("spec.") && one.label !== "")).toBe(true);
  });

  it("labels fields from their keys", () => {
    expect(labelFor("timeoutSeconds")).toBe("Timeout seconds");
    expect(labelFor("argv")).toBe("Argv");
    expect(labelFor("int8-static")).toBe("Int8 static");
  });

  it("turns COMMAND into a line-per-item list, KEY=VALUE lines and a number, with the schema's defaults", () => {
    const fields = specFields(ExperimentKind.COMMAND);
    expect(fields.map((one) => [one.path, one.type, one.required])).toEqual([
      ["spec.argv", "list", true],
      ["spec.env", "record", false],
      ["spec.timeoutSeconds", "number", false],
    ]);
    expect(field(fields, "spec.argv")).toMatchObject({ items: "string", label: "Argv" });
    expect(field(fields, "spec.argv")).not.toHaveProperty("default");
    expect(field(fields, "spec.env")).toMatchObject({ default: {}, hint: expect.stringContaining("KEY=VALUE") });
    // exclusiveMinimum 0 is no min attribute; the maximum is.
    expect(field(fields, "spec.timeoutSeconds")).toMatchObject({ integer: true, default: 3600, max: 604_800 });
    expect(field(fields, "spec.timeoutSeconds")).not.toHaveProperty("min");
  });

  it("nests objects as fieldsets: required and defaulted ones always sent, optional ones behind an Include box", () => {
    const fields = specFields(ExperimentKind.DISTILL);
    expect(field(fields, "spec.training")).toMatchObject({ type: "object", toggle: false, required: false });
    expect(field(fields, "spec.training.steps")).toMatchObject({ type: "number", integer: true, default: 200, min: 1 });
    expect(field(fields, "spec.training.lr")).toMatchObject({ type: "number", integer: false, default: 2e-4 });
    expect(field(fields, "spec.student")).toMatchObject({ type: "object", toggle: false, required: true });
    expect(field(fields, "spec.student.derive")).toMatchObject({ type: "object", toggle: true });
    expect(field(fields, "spec.student.derive.dropMid")).toMatchObject({ type: "boolean", default: false });
    expect(field(fields, "spec.strategy.output.kl.temperature.schedule")).toMatchObject({ type: "enum", options: ["linear", "cosine"], default: "linear" });
    expect(field(fields, "spec.quantize.methods")).toMatchObject({ type: "multi", options: ["fp16", "int8-dynamic", "int8-static"] });
    // An array of tuples has no widget of its own: JSON.
    expect(field(fields, "spec.strategy.feature.pairs")).toMatchObject({ type: "json" });
    expect(field(fields, "spec.evaluate.protocol.sampler.kind")).toMatchObject({ type: "enum", options: ["ddim"], default: "ddim" });
    // Ids are unique although union variants repeat paths.
    const ids = [...walkFields(fields)].map((one) => one.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("takes a nested field's default from its object's default when it has none of its own", () => {
    const fields = fieldsFromSchema({
      type: "object",
      properties: { box: { type: "object", default: { size: 7 }, properties: { size: { type: "integer" } } } },
    });
    expect(field(fields, "spec.box.size")).toMatchObject({ default: 7 });
  });

  it("turns a discriminated union into a select of its constants and each variant's other fields", () => {
    const dataset = field(specFields(ExperimentKind.PRETRAIN), "spec.dataset");
    expect(dataset.type).toBe("union");
    if (dataset.type !== "union") return;
    expect(dataset).toMatchObject({ discriminator: "source", defaultVariant: "synthetic", toggle: false });
    expect(dataset.variants.map((variant) => [variant.value, variant.children.map((child) => child.key)])).toEqual([
      ["synthetic", ["samples", "resolution", "classes", "seed"]],
      ["fashion-mnist", ["split", "resolution", "limit"]],
      ["platform", ["ref"]],
    ]);
    expect(dataset.variants[0]!.children[0]).toMatchObject({ path: "spec.dataset.samples", default: 512 });
  });
});

describe("a submission -> the spec", () => {
  const command = specFields(ExperimentKind.COMMAND);

  it("coerces numbers, and hands text that is no number to the schema as it is", () => {
    expect(submit(command, { "spec.timeoutSeconds": [" 60 "] }).spec.timeoutSeconds).toBe(60);
    expect(submit(command, { "spec.timeoutSeconds": ["1e3"] }).spec.timeoutSeconds).toBe(1000);
    const { spec } = submit(command, { "spec.argv": ["true"], "spec.timeoutSeconds": ["soon"] });
    expect(spec.timeoutSeconds).toBe("soon");
    expect(specIssues(ExperimentKind.COMMAND, spec)).toEqual([{ path: ["timeoutSeconds"], message: "Invalid input: expected number, received string" }]);
  });

  it("leaves out empty inputs the schema may do without, and sends required ones empty so the schema says why", () => {
    const { spec } = submit(command, { "spec.argv": [""], "spec.env": [""], "spec.timeoutSeconds": [""] });
    expect(spec).toEqual({ argv: [] });
    const fashion = submit(specFields(ExperimentKind.PRETRAIN), { "spec.dataset.source": ["fashion-mnist"], "spec.dataset.split": ["train"], "spec.dataset.limit": [""] });
    expect(fashion.spec.dataset).toEqual({ source: "fashion-mnist", split: "train", resolution: 16 });
    expect((fashion.spec.output as Record<string, unknown>).model).toBe("");
  });

  it("reads one argv item per line (CRLF, blank lines skipped) and comma-separated numbers", () => {
    expect(submit(command, { "spec.argv": ["node\r\n-e\r\n\r\nconsole.log(1)\r\n"] }).spec.argv).toEqual(["node", "-e", "console.log(1)"]);
    const pretrain = specFields(ExperimentKind.PRETRAIN);
    const model = submit(pretrain, { "spec.model.channels": ["32, 64 128,"] }).spec.model as Record<string, unknown>;
    expect(model.channels).toEqual([32, 64, 128]);
    expect((submit(pretrain, { "spec.model.channels": ["32, x"] }).spec.model as Record<string, unknown>).channels).toEqual([32, "x"]);
  });

  it("reads ticked enum values, an empty group as []", () => {
    const quantize = fieldsOf(quantizeSectionSchema);
    expect(submit(quantize, { "spec.methods": ["", "fp16", "int8-static"] }).spec.methods).toEqual(["fp16", "int8-static"]);
    expect(submit(quantize, { "spec.methods": [""] }).spec.methods).toEqual([]);
  });

  it("reads KEY=VALUE lines into a record, and says which line has no =", () => {
    expect(submit(command, { "spec.env": ["A=1\r\nB=x=y\n\n C =\n"] }).spec.env).toEqual({ A: "1", B: "x=y", C: "" });
    const { spec, problems } = submit(command, { "spec.env": ["A=1\nNOEQUALS"] });
    expect(spec.env).toEqual({ A: "1" });
    expect(problems).toEqual([{ path: "spec.env", id: "field-spec.env", message: 'line 2: expected KEY=VALUE, got "NOEQUALS"' }]);
  });

  it("reads booleans from the hidden 'off' and the box's 'on'", () => {
    const distill = specFields(ExperimentKind.DISTILL);
    const include = { [includeName("spec.student.derive")]: [UNTICKED, TICKED] };
    const student = (typed: FormEntries) => submit(distill, { ...include, ...typed }).spec.student as Record<string, Record<string, unknown>>;
    expect(student({ "spec.student.derive.dropMid": [UNTICKED, TICKED] }).derive!.dropMid).toBe(true);
    expect(student({ "spec.student.derive.dropMid": [UNTICKED] }).derive!.dropMid).toBe(false);
  });

  it("sends an optional section only when its Include box is ticked", () => {
    const distill = specFields(ExperimentKind.DISTILL);
    expect(submit(distill, {}).spec.student).toEqual({});
    expect(submit(distill, {}).spec).not.toHaveProperty("quantize");
    const ticked = submit(distill, { [includeName("spec.student.model")]: [UNTICKED, TICKED] }).spec.student;
    expect(ticked).toEqual({ model: { channels: [32, 64], layersPerBlock: 1, attentionStages: [1], groups: 8, heads: 4 } });
  });

  it("sends the chosen variant of a union with its own fields only", () => {
    const pretrain = specFields(ExperimentKind.PRETRAIN);
    const dataset = field(pretrain, "spec.dataset");
    if (dataset.type !== "union") throw new Error("not a union");
    const chosen = submit(pretrain, {
      [discriminatorName(dataset)]: ["fashion-mnist"],
      "spec.dataset.split": ["test"],
      "spec.dataset.resolution": ["28"],
      // A disabled variant's inputs are not sent; if they were, they would not belong to this one.
      "spec.dataset.samples": ["999"],
    });
    expect(chosen.spec.dataset).toEqual({ source: "fashion-mnist", split: "test", resolution: 28 });
    const platform = submit(pretrain, { [discriminatorName(dataset)]: ["platform"], "spec.dataset.ref": ["mnist@v2"] });
    expect(platform.spec.dataset).toEqual({ source: "platform", ref: "mnist@v2" });
    // An unknown value reaches the schema, which names the valid ones.
    const unknown = submit(pretrain, { [discriminatorName(dataset)]: ["imagenet"] });
    expect(unknown.spec.dataset).toEqual({ source: "imagenet" });
    const issues = specIssues(ExperimentKind.PRETRAIN, unknown.spec).filter((issue) => issue.path[0] === "dataset");
    expect(placeIssues(pretrain, null, issues)).toEqual([
      { path: "spec.dataset", id: "field-spec.dataset", message: expect.stringContaining("Expected 'synthetic' | 'fashion-mnist' | 'platform'") },
    ]);
  });
});

describe("round trip: the defaults, as the form sends them, are the schema's defaults", () => {
  it.each([
    ["training", trainingSchema],
    ["quantize section", quantizeSectionSchema],
    ["calibration", calibrationSchema],
  ] as const)("%s: parse(rebuilt defaults) equals parse({})", (_name, schema) => {
    const fields = fieldsOf(schema);
    const { spec, problems } = specFromEntries(fields, defaultEntries(fields));
    expect(problems).toEqual([]);
    expect(schema.parse(spec)).toEqual(schema.parse({}));
    // Every default is written out, so the rebuilt spec is already complete.
    expect(spec).toEqual(schema.parse({}));
  });

  it("the spec written out from the defaults (the JSON view's start) parses to the same, and names every required value", () => {
    for (const schema of [trainingSchema, quantizeSectionSchema, calibrationSchema]) expect(defaultSpec(fieldsOf(schema))).toEqual(schema.parse({}));
    expect(defaultSpec(specFields(ExperimentKind.COMMAND))).toEqual({ argv: [], env: {}, timeoutSeconds: 3600 });
    const distill = defaultSpec(specFields(ExperimentKind.DISTILL));
    expect(distill).toMatchObject({ teacher: "", dataset: { source: "synthetic", samples: 512 }, student: {}, strategy: {}, output: { model: "", family: "unet" } });
    expect(distill).not.toHaveProperty("quantize");
  });

  it("COMMAND with an argv typed in equals the schema's parse of just that argv", () => {
    const fields = specFields(ExperimentKind.COMMAND);
    const { spec } = submit(fields, { "spec.argv": ["echo\nhello"] });
    expect(commandSpecSchema.parse(spec)).toEqual(commandSpecSchema.parse({ argv: ["echo", "hello"] }));
  });

  it("PRETRAIN and DISTILL with their required fields typed in equal the schema's parse of those alone", () => {
    const pretrain = submit(specFields(ExperimentKind.PRETRAIN), { "spec.output.model": ["teacher"] });
    expect(pretrainSpecSchema.parse(pretrain.spec)).toEqual(pretrainSpecSchema.parse({ dataset: { source: "synthetic" }, output: { model: "teacher" } }));
    const distill = submit(specFields(ExperimentKind.DISTILL), {
      "spec.teacher": ["teacher@v1"],
      "spec.output.model": ["student"],
      [includeName("spec.student.derive")]: [UNTICKED, TICKED],
      [includeName("spec.strategy.output")]: [UNTICKED, TICKED],
    });
    expect(distillSpecSchema.parse(distill.spec)).toEqual(
      distillSpecSchema.parse({ teacher: "teacher@v1", dataset: { source: "synthetic" }, student: { derive: {} }, strategy: { output: {} }, output: { model: "student" } }),
    );
  });
});

describe("the schema's issues -> the inputs", () => {
  it("puts COMMAND's issues on argv and env, with the schema's message for a bad variable name", () => {
    const fields = specFields(ExperimentKind.COMMAND);
    const { spec } = submit(fields, { "spec.argv": [""], "spec.env": ["1BAD=x"] });
    expect(placeIssues(fields, null, specIssues(ExperimentKind.COMMAND, spec))).toEqual([
      { path: "spec.argv", id: "field-spec.argv", message: "Too small: expected array to have >=1 items" },
      { path: "spec.env", id: "field-spec.env", message: "1BAD: environment variable names are letters, digits and _" },
    ]);
  });

  it("puts an item's issue on its list, naming the item; a refinement on its fieldset; the rest on the spec", () => {
    const fields = specFields(ExperimentKind.DISTILL);
    expect(placeIssues(fields, null, [{ path: ["strategy", "progressive", "rounds", 1], message: "odd" }])).toEqual([
      { path: "spec.strategy.progressive.rounds", id: "field-spec.strategy.progressive.rounds", message: "item 2: odd" },
    ]);
    expect(placeIssues(fields, null, [{ path: ["student"], message: "exactly one of derive or model" }])[0]).toMatchObject({ path: "spec.student", id: "field-spec.student" });
    expect(placeIssues(fields, null, [{ path: [], message: "whole" }, { path: ["nope"], message: "unknown" }])).toEqual([
      { path: "spec", message: "whole" },
      { path: "spec", message: "nope: unknown" },
    ]);
  });

  it("puts a union's issue on the chosen variant's input", () => {
    const fields = specFields(ExperimentKind.EXTRACTOR);
    const entries = { ...defaultEntries(fields), "spec.dataset.source": ["platform"], "spec.dataset.ref": ["not a ref!"] };
    const issues = specIssues(ExperimentKind.EXTRACTOR, specFromEntries(fields, entries).spec);
    expect(placeIssues(fields, entries, issues)).toEqual(
      expect.arrayContaining([
        { path: "spec.dataset.ref", id: "field-spec.dataset~platform.ref", message: "a dataset ref: name or name@v<N>" },
        { path: "spec.testDataset", id: "field-spec.testDataset", message: expect.stringContaining("required with a platform dataset") },
      ]),
    );
  });
});

describe("the JSON view's document", () => {
  it("reports a syntax error with JSON.parse's message", () => {
    const reading = readDocument('{ "name": "x", }');
    expect(reading.syntaxError).toMatch(/JSON/);
  });

  it("checks name, kind, tags and the spec by path; a valid document is ready to launch", () => {
    const bad = readDocument(JSON.stringify({ name: "Not Valid", kind: "command", tags: ["ok", "Bad Tag"], spec: { argv: [] }, extra: 1 }));
    expect(bad.syntaxError).toBeNull();
    if (bad.syntaxError !== null) return;
    expect(bad.input).toBeNull();
    expect(bad.messages.map((message) => message.path)).toEqual(["extra", "name", "tags", "spec.argv"]);
    const good = readDocument(JSON.stringify({ name: "hello", kind: "COMMAND", spec: { argv: ["true"] } }));
    expect(good).toMatchObject({ syntaxError: null, messages: [], input: { name: "hello", kind: "COMMAND", tags: [], spec: { argv: ["true"] } } });
  });
});
