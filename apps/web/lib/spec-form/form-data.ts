// The generated form's inputs <-> a spec object: what each input shows, the spec rebuilt from what
// was submitted, and the schema's issues placed on the inputs they are about. Pure.
import type { Field, ObjectField, UnionField } from "./fields";
import { walkFields } from "./fields";

/** A submitted form: every value of every name (FormData.getAll), files left out. */
export type FormEntries = Record<string, string[]>;

/** What a checkbox sends when unticked: a hidden input of the same name comes first. */
export const UNTICKED = "off";
export const TICKED = "on";

/** The name of the "Include" box of an optional section. */
export function includeName(path: string): string {
  return `include:${path}`;
}

/** The name of a union's discriminator select. */
export function discriminatorName(field: UnionField): string {
  return `${field.path}.${field.discriminator}`;
}

export function readEntries(form: FormData): FormEntries {
  const entries: FormEntries = {};
  form.forEach((value, name) => {
    if (typeof value === "string") (entries[name] ??= []).push(value);
  });
  return entries;
}

/** A problem with what was typed that the schema never gets to see (a line without =, bad JSON). */
export interface FieldMessage {
  /** The field's path ("spec" for the spec as a whole). */
  path: string;
  /** The input to point at; absent for the spec as a whole. */
  id?: string;
  message: string;
}

// ---- what each input shows -------------------------------------------------------------------

function lines(text: string): string[] {
  return text.split(/\r?\n/);
}

function formatDefault(field: Field): string {
  if (!("default" in field) || field.default === undefined) return "";
  switch (field.type) {
    case "list":
      return field.items === "number" ? field.default.join(", ") : field.default.join("\n");
    case "record":
      return Object.entries(field.default)
        .map(([key, value]) => `${key}=${value}`)
        .join("\n");
    case "json":
      return JSON.stringify(field.default, null, 2);
    default:
      return String(field.default);
  }
}

/**
 * The text of a text-like input: what was submitted, or the schema's default. A name missing from
 * a submission was disabled (an unchosen variant, an excluded section): it shows its default again.
 */
export function inputText(field: Field, entries: FormEntries | null): string {
  const submitted = entries?.[field.path]?.[0];
  return submitted !== undefined ? submitted : formatDefault(field);
}

function tickBox(values: string[] | undefined, fallback: boolean): boolean {
  if (values === undefined) return fallback;
  return values.includes(TICKED);
}

export function isTicked(field: Field & { type: "boolean" }, entries: FormEntries | null): boolean {
  return tickBox(entries?.[field.path], field.default ?? false);
}

export function isIncluded(field: ObjectField | UnionField, entries: FormEntries | null): boolean {
  if (!field.toggle) return true;
  return tickBox(entries?.[includeName(field.path)], false);
}

export function chosenVariant(field: UnionField, entries: FormEntries | null): string {
  const submitted = entries?.[discriminatorName(field)]?.[0];
  return submitted !== undefined && field.variants.some((variant) => variant.value === submitted) ? submitted : field.defaultVariant;
}

export function ticked(field: Field & { type: "multi" }, entries: FormEntries | null): string[] {
  const submitted = entries?.[field.path];
  if (submitted === undefined) return field.default ?? [];
  return submitted.filter((value) => value !== "");
}

/** The entries the form sends as first shown: every default, each section as the schema leaves it. */
export function defaultEntries(fields: readonly Field[]): FormEntries {
  const entries: FormEntries = {};
  const visit = (list: readonly Field[]) => {
    for (const field of list) {
      switch (field.type) {
        case "object":
          if (field.toggle) entries[includeName(field.path)] = [UNTICKED];
          visit(field.children);
          break;
        case "union": {
          if (field.toggle) entries[includeName(field.path)] = [UNTICKED];
          entries[discriminatorName(field)] = [field.defaultVariant];
          visit(field.variants.find((variant) => variant.value === field.defaultVariant)?.children ?? []);
          break;
        }
        case "boolean":
          entries[field.path] = field.default ? [UNTICKED, TICKED] : [UNTICKED];
          break;
        case "multi":
          entries[field.path] = ["", ...(field.default ?? [])];
          break;
        default:
          entries[field.path] = [inputText(field, null)];
      }
    }
  };
  visit(fields);
  return entries;
}

/**
 * The spec the schema's defaults make, written out in full (the JSON view starts from it): every
 * default, required values without one left empty, optional sections left out.
 */
export function defaultSpec(fields: readonly Field[]): Record<string, unknown> {
  const valueOf = (field: Field): unknown => {
    switch (field.type) {
      case "object":
        return field.toggle ? undefined : objectOf(field.children);
      case "union": {
        if (field.toggle) return undefined;
        const variant = field.variants.find((candidate) => candidate.value === field.defaultVariant);
        return { [field.discriminator]: field.defaultVariant, ...objectOf(variant?.children ?? []) };
      }
      default:
        if (field.default !== undefined) return field.default;
        if (!field.required) return undefined;
        if (field.type === "text") return "";
        if (field.type === "list" || field.type === "multi") return [];
        if (field.type === "record") return {};
        return undefined;
    }
  };
  const objectOf = (children: readonly Field[]) => objectFrom(children, valueOf);
  return objectOf(fields);
}

// ---- the spec rebuilt from a submission ------------------------------------------------------

/** A number as typed; text that is no number goes to the schema as it is, so it says so. */
function numberOrText(text: string): number | string {
  const number = Number(text);
  return text.trim() !== "" && Number.isFinite(number) ? number : text;
}

interface Rebuilt {
  spec: Record<string, unknown>;
  problems: FieldMessage[];
}

/**
 * The spec a submission describes. An empty input is left out when the property may be absent
 * (the schema's default applies, or the property is optional); when it is required, an empty
 * value goes in ("" or []) so that the schema's own message is shown.
 */
export function specFromEntries(fields: readonly Field[], entries: FormEntries): Rebuilt {
  const problems: FieldMessage[] = [];

  const valueOf = (field: Field): unknown => {
    const raw = entries[field.path];
    const text = raw?.[0];
    switch (field.type) {
      case "object":
        return isIncluded(field, entries) ? objectOf(field.children) : undefined;
      case "union": {
        if (!isIncluded(field, entries)) return undefined;
        const submitted = entries[discriminatorName(field)]?.[0] ?? field.defaultVariant;
        const variant = field.variants.find((candidate) => candidate.value === submitted);
        // An unknown discriminator goes to the schema as it is: its message names the valid ones.
        return { [field.discriminator]: submitted, ...(variant ? objectOf(variant.children) : {}) };
      }
      case "boolean":
        return raw === undefined ? undefined : raw.includes(TICKED);
      case "multi":
        return raw === undefined ? undefined : raw.filter((value) => value !== "");
      case "number": {
        if (text === undefined || text.trim() === "") return undefined;
        return numberOrText(text.trim());
      }
      case "text":
      case "enum": {
        if (text === undefined) return undefined;
        const trimmed = text.trim();
        if (trimmed === "") return field.required ? "" : undefined;
        return trimmed;
      }
      case "list": {
        if (text === undefined) return undefined;
        const items =
          field.items === "number"
            ? text
                .split(/[\s,]+/)
                .filter((item) => item !== "")
                .map(numberOrText)
            : lines(text).filter((line) => line.trim() !== "");
        if (items.length === 0) return field.required ? [] : undefined;
        return items;
      }
      case "record": {
        if (text === undefined) return undefined;
        const record: Record<string, string> = {};
        lines(text).forEach((line, index) => {
          if (line.trim() === "") return;
          const equals = line.indexOf("=");
          if (equals < 0) {
            problems.push({ path: field.path, id: field.id, message: `line ${index + 1}: expected KEY=VALUE, got "${line.trim()}"` });
            return;
          }
          record[line.slice(0, equals).trim()] = line.slice(equals + 1);
        });
        if (Object.keys(record).length === 0) return field.required ? {} : undefined;
        return record;
      }
      case "json": {
        if (text === undefined || text.trim() === "") return undefined;
        try {
          return JSON.parse(text);
        } catch (error) {
          problems.push({ path: field.path, id: field.id, message: `not valid JSON: ${(error as Error).message}` });
          return undefined;
        }
      }
    }
  };

  const objectOf = (children: readonly Field[]) => objectFrom(children, valueOf);

  return { spec: objectOf(fields), problems };
}

// ---- the schema's issues placed on inputs ----------------------------------------------------

export interface PathIssue {
  /** Relative to the spec, as zod reports it. */
  path: ReadonlyArray<PropertyKey>;
  message: string;
}

/** Every field and fieldset the submission shows (the chosen variant of each union), by path. */
function shownFields(fields: readonly Field[], entries: FormEntries | null): Map<string, Field> {
  const shown = new Map<string, Field>();
  const visit = (list: readonly Field[]) => {
    for (const field of list) {
      shown.set(field.path, field);
      if (field.type === "object") visit(field.children);
      if (field.type === "union") {
        const chosen = chosenVariant(field, entries);
        visit(field.variants.find((variant) => variant.value === chosen)?.children ?? []);
      }
    }
  };
  visit(fields);
  return shown;
}

function describeRest(rest: ReadonlyArray<PropertyKey>): string {
  return rest.map((segment) => (typeof segment === "number" ? `item ${segment + 1}` : String(segment))).join(" › ");
}

/**
 * Each issue on the nearest input or fieldset its path leads to (argv's second item: argv, with
 * "item 2: " before the message); what no field holds goes to the spec as a whole.
 */
export function placeIssues(fields: readonly Field[], entries: FormEntries | null, issues: readonly PathIssue[], root = "spec"): FieldMessage[] {
  const shown = shownFields(fields, entries);
  // A discriminator's issue belongs to the union's select.
  for (const field of walkFields(fields)) if (field.type === "union") shown.set(discriminatorName(field), field);
  return issues.map((issue) => {
    const segments = issue.path.map((segment) => (typeof segment === "symbol" ? String(segment.description) : segment));
    for (let length = segments.length; length > 0; length--) {
      const path = [root, ...segments.slice(0, length)].join(".");
      const field = shown.get(path);
      if (field) {
        const rest = segments.slice(length);
        return { path: field.path, id: field.id, message: rest.length > 0 ? `${describeRest(rest)}: ${issue.message}` : issue.message };
      }
    }
    return { path: root, message: segments.length > 0 ? `${describeRest(segments)}: ${issue.message}` : issue.message };
  });
}

/** Messages by field path, for the inputs to show. */
export function messagesByPath(messages: readonly FieldMessage[]): Record<string, string[]> {
  const byPath: Record<string, string[]> = {};
  for (const { path, message } of messages) (byPath[path] ??= []).push(message);
  return byPath;
}

/** The object of `children`'s values by key; a child whose value is undefined is left out. */
function objectFrom(children: readonly Field[], valueOf: (field: Field) => unknown): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (const child of children) {
    const value = valueOf(child);
    if (value !== undefined) object[child.key] = value;
  }
  return object;
}
