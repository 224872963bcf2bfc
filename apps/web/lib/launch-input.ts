// What the launch page asks for besides the spec (name, tags, launch options) and the JSON view's
// document, checked with the API's own rules before anything is sent.
import { isDomainError, validateModelName, validateTags, type ExperimentKind } from "@distillery/domain";
import { DEVICE_FIELD, DEVICE_REQUIREMENTS, type DeviceRequirement, MAX_ATTEMPTS, MAX_ATTEMPTS_FIELD, NAME_FIELD, TAGS_FIELD } from "./launch-fields";
import type { FieldMessage, FormEntries } from "./spec-form/form-data";
import { KINDS, parseKind, specIssues } from "./spec-form/kinds";

export interface ExperimentInput {
  name: string;
  kind: ExperimentKind;
  tags: string[];
  spec: Record<string, unknown>;
}

export interface LaunchOptions {
  maxAttempts: number;
  device: DeviceRequirement;
}

function domainMessage(error: unknown): string {
  if (isDomainError(error)) return error.message;
  throw error;
}

export function nameProblem(name: string): string | null {
  if (name === "") return "Enter a name for the experiment.";
  try {
    validateModelName(name);
    return null;
  } catch (error) {
    return domainMessage(error);
  }
}

export function tagsProblem(tags: string[]): string | null {
  try {
    validateTags(tags);
    return null;
  } catch (error) {
    return domainMessage(error);
  }
}

export function splitTags(text: string): string[] {
  return text
    .split(",")
    .map((tag) => tag.trim())
    .filter((tag) => tag !== "");
}

const first = (entries: FormEntries, name: string) => entries[name]?.[0] ?? "";

/** maxAttempts and the device requirement, with a message on each input that is wrong. */
export function readLaunchOptions(entries: FormEntries): { options: LaunchOptions; messages: FieldMessage[] } {
  const messages: FieldMessage[] = [];
  const attemptsText = first(entries, MAX_ATTEMPTS_FIELD.path).trim();
  const maxAttempts = attemptsText === "" ? MAX_ATTEMPTS.default : Number(attemptsText);
  if (!Number.isInteger(maxAttempts) || maxAttempts < MAX_ATTEMPTS.min || maxAttempts > MAX_ATTEMPTS.max) {
    messages.push({ path: MAX_ATTEMPTS_FIELD.path, id: MAX_ATTEMPTS_FIELD.id, message: `a whole number from ${MAX_ATTEMPTS.min} to ${MAX_ATTEMPTS.max}` });
  }
  const deviceText = first(entries, DEVICE_FIELD.path) || "ANY";
  const device = DEVICE_REQUIREMENTS.find((candidate) => candidate === deviceText);
  if (!device) messages.push({ path: DEVICE_FIELD.path, id: DEVICE_FIELD.id, message: `one of ${DEVICE_REQUIREMENTS.join(", ")}` });
  return { options: { maxAttempts, device: device ?? "ANY" }, messages };
}

/** Name and tags from the form, with a message on each input that is wrong. */
export function readNameAndTags(entries: FormEntries): { name: string; tags: string[]; messages: FieldMessage[] } {
  const messages: FieldMessage[] = [];
  const name = first(entries, NAME_FIELD.path).trim();
  const tags = splitTags(first(entries, TAGS_FIELD.path));
  const badName = nameProblem(name);
  if (badName) messages.push({ path: NAME_FIELD.path, id: NAME_FIELD.id, message: badName });
  const badTags = tagsProblem(tags);
  if (badTags) messages.push({ path: TAGS_FIELD.path, id: TAGS_FIELD.id, message: badTags });
  return { name, tags, messages };
}

/** A zod issue path under the document's spec: spec.training.lr, spec.argv.0 */
function documentPath(root: string, path: ReadonlyArray<PropertyKey>): string {
  return [root, ...path.map(String)].join(".");
}

export type DocumentReading = { syntaxError: string } | { syntaxError: null; input: ExperimentInput | null; messages: FieldMessage[] };

const DOCUMENT_KEYS = new Set(["name", "kind", "tags", "spec"]);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The JSON view's `{ name, kind, tags, spec }` (what `distillery launch -f` reads): parsed, then
 * checked as the form is, the spec with its kind's schema. `input` is null when anything is wrong.
 */
export function readDocument(text: string): DocumentReading {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { syntaxError: (error as Error).message };
  }
  const messages: FieldMessage[] = [];
  const problem = (path: string, message: string) => messages.push({ path, message });
  if (!isObject(parsed)) {
    problem("document", "must be an object with name, kind, tags and spec");
    return { syntaxError: null, input: null, messages };
  }
  for (const key of Object.keys(parsed)) if (!DOCUMENT_KEYS.has(key)) problem(key, `unknown key: a document has name, kind, tags and spec`);
  const { name, kind, tags = [], spec } = parsed;
  if (typeof name !== "string") problem("name", "must be a string");
  else {
    const badName = nameProblem(name.trim());
    if (badName) problem("name", badName);
  }
  const knownKind = parseKind(kind);
  if (!knownKind) problem("kind", `must be one of ${KINDS.join(", ")}`);
  const tagList = Array.isArray(tags) && tags.every((tag) => typeof tag === "string") ? (tags as string[]) : null;
  if (!tagList) problem("tags", "must be a list of strings");
  else {
    const badTags = tagsProblem(tagList);
    if (badTags) problem("tags", badTags);
  }
  if (!isObject(spec)) problem("spec", "must be an object");
  else if (knownKind) {
    for (const issue of specIssues(knownKind, spec)) problem(documentPath("spec", issue.path), issue.message);
  }
  if (messages.length > 0 || !knownKind || typeof name !== "string" || !tagList || !isObject(spec)) return { syntaxError: null, input: null, messages };
  return { syntaxError: null, input: { name: name.trim(), kind: knownKind, tags: tagList, spec }, messages };
}

