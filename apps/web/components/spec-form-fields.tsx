"use client";

import { useState } from "react";
import type { Field, ObjectField, UnionField } from "../lib/spec-form/fields";
import {
  chosenVariant,
  discriminatorName,
  type FormEntries,
  includeName,
  inputText,
  isIncluded,
  isTicked,
  TICKED,
  ticked,
  UNTICKED,
} from "../lib/spec-form/form-data";

/** What the fields show: the submitted entries (null: the schema's defaults) and messages by path. */
export interface Shown {
  entries: FormEntries | null;
  errors: Record<string, string[]>;
}

const hintId = (field: Field) => `${field.id}-hint`;
const errorId = (field: Field) => `${field.id}-error`;

/** The hint and the messages of a field, for aria-describedby. */
function describedBy(field: Field, shown: Shown): string | undefined {
  const ids = [field.hint || field.description ? hintId(field) : null, shown.errors[field.path]?.length ? errorId(field) : null].filter(Boolean);
  return ids.length > 0 ? ids.join(" ") : undefined;
}

function invalid(field: Field, shown: Shown): true | undefined {
  return shown.errors[field.path]?.length ? true : undefined;
}

function Hint({ field }: { field: Field }) {
  if (!field.hint && !field.description) return null;
  return (
    <p id={hintId(field)} className="hint">
      {[field.description, field.hint].filter(Boolean).join(" · ")}
    </p>
  );
}

function Messages({ field, shown }: { field: Field; shown: Shown }) {
  const messages = shown.errors[field.path];
  if (!messages?.length) return null;
  return (
    <div id={errorId(field)} className="field-error">
      {messages.map((message, index) => (
        <p key={index}>{message}</p>
      ))}
    </div>
  );
}

/** Must be filled in: required, and the schema has no default for it. */
function mandatory(field: Field): boolean {
  return field.required && !("default" in field && field.default !== undefined);
}

/** The label names the field only; the input's `required` tells assistive technology the rest. */
function Label({ field }: { field: Field }) {
  return (
    <span className="label">
      <label htmlFor={field.id}>{field.label}</label>
      {mandatory(field) ? (
        <span className="required" aria-hidden="true" title="required">
          *
        </span>
      ) : null}
    </span>
  );
}

function Input({ field, shown }: { field: Field; shown: Shown }) {
  const common = {
    id: field.id,
    name: field.path,
    "aria-invalid": invalid(field, shown),
    "aria-describedby": describedBy(field, shown),
    required: mandatory(field),
  };
  const text = inputText(field, shown.entries);
  switch (field.type) {
    case "number":
      return <input type="number" {...common} defaultValue={text} min={field.min} max={field.max} step={field.integer ? 1 : "any"} />;
    case "enum":
      return (
        <select {...common} defaultValue={text}>
          {field.default === undefined && !field.required ? <option value="">(none)</option> : null}
          {field.options.map((option) => (
            <option key={option} value={option}>
              {option}
            </option>
          ))}
        </select>
      );
    case "list":
      return field.items === "number" ? (
        <input type="text" inputMode="decimal" {...common} defaultValue={text} />
      ) : (
        <textarea {...common} defaultValue={text} rows={Math.max(3, text.split("\n").length)} spellCheck={false} />
      );
    case "record":
      return <textarea {...common} defaultValue={text} rows={Math.max(2, text.split("\n").length)} spellCheck={false} />;
    case "json":
      return <textarea {...common} className="code" defaultValue={text} rows={Math.max(3, text.split("\n").length)} spellCheck={false} />;
    default:
      return <input type="text" {...common} defaultValue={text} spellCheck={false} />;
  }
}

/** A field of the generated form, by the shape its schema has. */
export function FieldView({ field, shown }: { field: Field; shown: Shown }) {
  switch (field.type) {
    case "object":
      return <ObjectFieldset field={field} shown={shown} />;
    case "union":
      return <UnionFieldset field={field} shown={shown} />;
    case "boolean":
      return (
        <div className="field checkbox">
          <input type="hidden" name={field.path} value={UNTICKED} />
          <input
            type="checkbox"
            id={field.id}
            name={field.path}
            value={TICKED}
            defaultChecked={isTicked(field, shown.entries)}
            aria-invalid={invalid(field, shown)}
            aria-describedby={describedBy(field, shown)}
          />
          <Label field={field} />
          <Hint field={field} />
          <Messages field={field} shown={shown} />
        </div>
      );
    case "multi": {
      const chosen = new Set(ticked(field, shown.entries));
      return (
        <fieldset className="field multi" id={field.id} aria-invalid={invalid(field, shown)} aria-describedby={describedBy(field, shown)}>
          <legend>{field.label}</legend>
          <input type="hidden" name={field.path} value="" />
          {field.options.map((option) => (
            <span key={option} className="option">
              <input type="checkbox" id={`${field.id}=${option}`} name={field.path} value={option} defaultChecked={chosen.has(option)} />
              <label htmlFor={`${field.id}=${option}`}>{option}</label>
            </span>
          ))}
          <Hint field={field} />
          <Messages field={field} shown={shown} />
        </fieldset>
      );
    }
    default:
      return (
        <div className={`field ${field.type}`}>
          <Label field={field} />
          <Input field={field} shown={shown} />
          <Hint field={field} />
          <Messages field={field} shown={shown} />
        </div>
      );
  }
}

export function FieldList({ fields, shown }: { fields: readonly Field[]; shown: Shown }) {
  return (
    <>
      {fields.map((field) => (
        <FieldView key={field.id} field={field} shown={shown} />
      ))}
    </>
  );
}

/** An optional section's "Include" box; unticked, its inputs are disabled and not sent. */
function IncludeBox({ field, included, onChange }: { field: ObjectField | UnionField; included: boolean; onChange(included: boolean): void }) {
  const id = `${field.id}-include`;
  return (
    <div className="field checkbox include">
      <input type="hidden" name={includeName(field.path)} value={UNTICKED} />
      <input type="checkbox" id={id} name={includeName(field.path)} value={TICKED} checked={included} onChange={(event) => onChange(event.target.checked)} />
      <label htmlFor={id}>Include {field.label.toLowerCase()}</label>
    </div>
  );
}

function ObjectFieldset({ field, shown }: { field: ObjectField; shown: Shown }) {
  const [included, setIncluded] = useState(() => isIncluded(field, shown.entries));
  return (
    <fieldset className="group" id={field.id} aria-describedby={describedBy(field, shown)}>
      <legend>{field.label}</legend>
      <Hint field={field} />
      {field.toggle ? <IncludeBox field={field} included={included} onChange={setIncluded} /> : null}
      <Messages field={field} shown={shown} />
      <fieldset className="body" disabled={!included} hidden={!included}>
        <FieldList fields={field.children} shown={shown} />
      </fieldset>
    </fieldset>
  );
}

function UnionFieldset({ field, shown }: { field: UnionField; shown: Shown }) {
  const [included, setIncluded] = useState(() => isIncluded(field, shown.entries));
  const [chosen, setChosen] = useState(() => chosenVariant(field, shown.entries));
  const selectId = `${field.id}.${field.discriminator}`;
  return (
    <fieldset className="group union" id={field.id}>
      <legend>{field.label}</legend>
      <Hint field={field} />
      {field.toggle ? <IncludeBox field={field} included={included} onChange={setIncluded} /> : null}
      <fieldset className="body" disabled={!included} hidden={!included}>
        <div className="field enum">
          <label htmlFor={selectId}>{field.label}: {field.discriminator}</label>
          <select
            id={selectId}
            name={discriminatorName(field)}
            value={chosen}
            onChange={(event) => setChosen(event.target.value)}
            aria-invalid={invalid(field, shown)}
            aria-describedby={shown.errors[field.path]?.length ? errorId(field) : undefined}
          >
            {field.variants.map((variant) => (
              <option key={variant.value} value={variant.value}>
                {variant.value}
              </option>
            ))}
          </select>
          <Messages field={field} shown={shown} />
        </div>
        {field.variants.map((variant) => (
          <fieldset key={variant.value} className="body variant" disabled={variant.value !== chosen} hidden={variant.value !== chosen} data-variant={variant.value}>
            <FieldList fields={variant.children} shown={shown} />
          </fieldset>
        ))}
      </fieldset>
    </fieldset>
  );
}
