"use client";

import { useActionState } from "react";
import { FormSummary } from "../../components/form-summary";
import { LaunchOptionsAndSubmit } from "../../components/launch-options";
import { FieldList, FieldView, type Shown } from "../../components/spec-form-fields";
import { NAME_FIELD, TAGS_FIELD } from "../../lib/launch-fields";
import type { Field } from "../../lib/spec-form/fields";
import { messagesByPath } from "../../lib/spec-form/form-data";
import { launchFromForm } from "./actions";
import { INITIAL_LAUNCH_STATE } from "./launch-state";

/** The form generated from the kind's schema; the server action checks it with the same schema. */
export function LaunchForm({ kind, fields }: { kind: string; fields: Field[] }) {
  const [state, action, pending] = useActionState(launchFromForm, INITIAL_LAUNCH_STATE);
  const shown: Shown = { entries: state.entries, errors: messagesByPath(state.messages) };
  return (
    // Remounted with each answer, so that every input shows what was submitted.
    <form key={state.attempt} action={action} className="launch-form" noValidate aria-label={`Launch a ${kind} experiment`}>
      <FormSummary error={state.error} messages={state.messages} />
      <input type="hidden" name="kind" value={kind} />
      <fieldset className="group">
        <legend>Experiment</legend>
        <FieldView field={NAME_FIELD} shown={shown} />
        <FieldView field={TAGS_FIELD} shown={shown} />
      </fieldset>
      <fieldset className="group spec">
        <legend>Spec ({kind})</legend>
        <FieldList fields={fields} shown={shown} />
      </fieldset>
      <LaunchOptionsAndSubmit shown={shown} pending={pending} />
    </form>
  );
}
