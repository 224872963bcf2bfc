// JSON Schema (as z.toJSONSchema writes it, io: "input") -> the fields of a generated form.
// Pure and serialisable: the server builds the model, the client form only renders it.

/** The subset of JSON Schema (draft 2020-12) that zod emits for the experiment specs. */
export interface JsonSchema {
  type?: string | string[];
  description?: string;
  title?: string;
  default?: unknown;
  const?: unknown;
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  items?: boolean | JsonSchema;
  prefixItems?: JsonSchema[];
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
}

interface FieldBase {
  /** The JSON path and the input's name, e.g. spec.training.lr. */
  path: string;
  /** Unique in the page: union variants repeat paths, ids tell them apart. */
  id: string;
  key: string;
  label: string;
  description?: string;
  /** The parent object lists it as required. */
  required: boolean;
  /** Constraints in words, shown under the input. */
  hint?: string;
}

export type ScalarDefault = string | number | boolean;

export interface ObjectField extends FieldBase {
  type: "object";
  /** Optional and without a default: sent only when its "Include" box is ticked. */
  toggle: boolean;
  children: Field[];
}

export interface UnionVariant {
  value: string;
  children: Field[];
}

/** A discriminated union: a select for the discriminator and the chosen variant's fields. */
export interface UnionField extends FieldBase {
  type: "union";
  toggle: boolean;
  discriminator: string;
  variants: UnionVariant[];
  defaultVariant: string;
}

export interface NumberField extends FieldBase {
  type: "number";
  integer: boolean;
  min?: number;
  max?: number;
  default?: number;
}

export interface TextField extends FieldBase {
  type: "text";
  default?: string;
}

export interface EnumField extends FieldBase {
  type: "enum";
  options: string[];
  default?: string;
}

export interface BooleanField extends FieldBase {
  type: "boolean";
  default?: boolean;
}

/** An array of strings (one per line) or of numbers (comma-separated). */
export interface ListField extends FieldBase {
  type: "list";
  items: "string" | "number";
  default?: Array<string | number>;
}

/** An array of enum values: a group of checkboxes. */
export interface MultiField extends FieldBase {
  type: "multi";
  options: string[];
  default?: string[];
}

/** A record of strings: KEY=VALUE lines. */
export interface RecordField extends FieldBase {
  type: "record";
  default?: Record<string, string>;
}

/** Anything the form has no widget for (arrays of tuples, …): JSON in a textarea. */
export interface JsonField extends FieldBase {
  type: "json";
  default?: unknown;
}

export type Field = ObjectField | UnionField | NumberField | TextField | EnumField | BooleanField | ListField | MultiField | RecordField | JsonField;

/** Beyond this (z.number().int()'s safe-integer bounds) a limit says nothing worth showing. */
const UNREMARKABLE = Number.MAX_SAFE_INTEGER;

/** timeoutSeconds -> "Timeout seconds". */
export function labelFor(key: string): string {
  const words = key.replace(/([a-z0-9])([A-Z])/g, "$1 $2").replace(/[-_]+/g, " ").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function isObjectSchema(schema: JsonSchema): boolean {
  return schema.type === "object" && schema.properties !== undefined;
}

function isRecordSchema(schema: JsonSchema): boolean {
  const values = schema.additionalProperties;
  return schema.type === "object" && schema.properties === undefined && typeof values === "object" && values.type === "string";
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The property every variant pins with a `const`, and each variant's value of it. */
function discriminatorOf(variants: JsonSchema[]): { key: string; values: string[] } | null {
  const first = variants[0];
  if (!first || !variants.every(isObjectSchema)) return null;
  for (const key of Object.keys(first.properties ?? {})) {
    const values = variants.map((variant) => variant.properties?.[key]?.const);
    if (values.every((value) => typeof value === "string") && new Set(values).size === values.length) return { key, values: values as string[] };
  }
  return null;
}

function numberHint(schema: JsonSchema, integer: boolean): string {
  const bounds: string[] = [];
  if (schema.exclusiveMinimum !== undefined) bounds.push(`> ${schema.exclusiveMinimum}`);
  else if (schema.minimum !== undefined && Math.abs(schema.minimum) < UNREMARKABLE) bounds.push(`≥ ${schema.minimum}`);
  if (schema.exclusiveMaximum !== undefined) bounds.push(`< ${schema.exclusiveMaximum}`);
  else if (schema.maximum !== undefined && schema.maximum < UNREMARKABLE) bounds.push(`≤ ${schema.maximum}`);
  return [integer ? "integer" : "number", ...bounds].join(", ");
}

function textHint(schema: JsonSchema): string | undefined {
  const parts: string[] = [];
  if (schema.minLength !== undefined && schema.minLength > 1) parts.push(`at least ${schema.minLength} characters`);
  if (schema.maxLength !== undefined) parts.push(`at most ${schema.maxLength} characters`);
  if (schema.pattern !== undefined) parts.push(`matches ${schema.pattern}`);
  return parts.length > 0 ? parts.join(", ") : undefined;
}

function itemsHint(schema: JsonSchema, what: string): string {
  const parts = [what];
  if (schema.minItems !== undefined && schema.minItems > 0) parts.push(`at least ${schema.minItems}`);
  if (schema.maxItems !== undefined) parts.push(`at most ${schema.maxItems}`);
  return parts.join(", ");
}

interface Place {
  path: string;
  id: string;
  key: string;
  required: boolean;
  /** The enclosing object's default holds this key's value when the property has none of its own. */
  inherited: unknown;
}

function fieldFor(schema: JsonSchema, place: Place): Field {
  const ownDefault = schema.default !== undefined ? schema.default : place.inherited;
  const base: FieldBase = {
    path: place.path,
    id: place.id,
    key: place.key,
    label: schema.title ?? labelFor(place.key),
    required: place.required,
    ...(schema.description !== undefined ? { description: schema.description } : {}),
  };
  const withDefault = <T>(value: T | undefined) => (value !== undefined ? { default: value } : {});

  const union = schema.oneOf ?? schema.anyOf;
  if (union) {
    const discriminator = discriminatorOf(union);
    if (discriminator) {
      const chosen = isPlainObject(ownDefault) ? ownDefault[discriminator.key] : undefined;
      return {
        ...base,
        type: "union",
        toggle: !place.required && ownDefault === undefined,
        discriminator: discriminator.key,
        defaultVariant: typeof chosen === "string" && discriminator.values.includes(chosen) ? chosen : discriminator.values[0]!,
        variants: union.map((variant, index) => {
          const value = discriminator.values[index]!;
          const inherited = isPlainObject(ownDefault) && ownDefault[discriminator.key] === value ? ownDefault : undefined;
          const children = objectChildren(variant, { ...place, id: `${place.id}~${value}`, inherited }).filter((child) => child.key !== discriminator.key);
          return { value, children };
        }),
      };
    }
  }
  if (isObjectSchema(schema)) {
    return { ...base, type: "object", toggle: !place.required && ownDefault === undefined, children: objectChildren(schema, { ...place, inherited: ownDefault }) };
  }
  if (isRecordSchema(schema)) {
    const pattern = schema.propertyNames?.pattern;
    return {
      ...base,
      type: "record",
      hint: `one KEY=VALUE per line${pattern ? `; keys match ${pattern}` : ""}`,
      ...withDefault(isPlainObject(ownDefault) ? (ownDefault as Record<string, string>) : undefined),
    };
  }
  if (schema.type === "array" && typeof schema.items === "object" && schema.prefixItems === undefined) {
    const items = schema.items;
    const list = Array.isArray(ownDefault) ? ownDefault : undefined;
    if (items.type === "string" && items.enum) {
      return { ...base, type: "multi", options: items.enum.map(String), hint: itemsHint(schema, "tick each one"), ...withDefault(list?.map(String)) };
    }
    if (items.type === "string" && items.const === undefined) {
      return { ...base, type: "list", items: "string", hint: itemsHint(schema, "one per line"), ...withDefault(list as string[] | undefined) };
    }
    if (items.type === "number" || items.type === "integer") {
      const what = `comma-separated ${numberHint(items, items.type === "integer").replace(/^(integer|number)/, "$1s")}`;
      return { ...base, type: "list", items: "number", hint: itemsHint(schema, what), ...withDefault(list as number[] | undefined) };
    }
  }
  if (schema.enum !== undefined || schema.const !== undefined) {
    const options = (schema.enum ?? [schema.const]).map(String);
    return { ...base, type: "enum", options, ...withDefault(ownDefault !== undefined ? String(ownDefault) : undefined) };
  }
  if (schema.type === "number" || schema.type === "integer") {
    const integer = schema.type === "integer";
    const min = schema.exclusiveMinimum === undefined && schema.minimum !== undefined && Math.abs(schema.minimum) < UNREMARKABLE ? schema.minimum : undefined;
    const max = schema.exclusiveMaximum === undefined && schema.maximum !== undefined && schema.maximum < UNREMARKABLE ? schema.maximum : undefined;
    return {
      ...base,
      type: "number",
      integer,
      hint: numberHint(schema, integer),
      ...(min !== undefined ? { min } : {}),
      ...(max !== undefined ? { max } : {}),
      ...withDefault(typeof ownDefault === "number" ? ownDefault : undefined),
    };
  }
  if (schema.type === "string") {
    const hint = textHint(schema);
    return { ...base, type: "text", ...(hint ? { hint } : {}), ...withDefault(typeof ownDefault === "string" ? ownDefault : undefined) };
  }
  if (schema.type === "boolean") {
    return { ...base, type: "boolean", ...withDefault(typeof ownDefault === "boolean" ? ownDefault : undefined) };
  }
  return { ...base, type: "json", hint: "JSON", ...withDefault(ownDefault) };
}

function objectChildren(schema: JsonSchema, place: Place): Field[] {
  const required = new Set(schema.required ?? []);
  const inherited = isPlainObject(place.inherited) ? place.inherited : {};
  return Object.entries(schema.properties ?? {}).map(([key, property]) =>
    fieldFor(property, { path: `${place.path}.${key}`, id: `${place.id}.${key}`, key, required: required.has(key), inherited: inherited[key] }),
  );
}

/** The fields of an object schema, named from `root` (spec.argv, spec.training.lr, …). */
export function fieldsFromSchema(schema: JsonSchema, root = "spec"): Field[] {
  if (!isObjectSchema(schema)) throw new Error("a spec's JSON Schema must describe an object with properties");
  return objectChildren(schema, { path: root, id: `field-${root}`, key: root, required: true, inherited: schema.default });
}

/** Each field and fieldset, depth first, with every variant of every union. */
export function* walkFields(fields: readonly Field[]): Generator<Field> {
  for (const field of fields) {
    yield field;
    if (field.type === "object") yield* walkFields(field.children);
    if (field.type === "union") for (const variant of field.variants) yield* walkFields(variant.children);
  }
}
