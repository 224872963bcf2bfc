"use client";

import { useActionState } from "react";
import { FormSummary } from "../../components/form-summary";
import { LaunchOptionsAndSubmit } from "../../components/launch-options";
import type { Shown } from "../../components/spec-form-fields";
import { messagesByPath } from "../../lib/spec-form/form-data";
import { launchFromJson } from "./actions";
import { INITIAL_LAUNCH_STATE } from "./launch-state";

const DOCUMENT_ID = "field-document";

/** The whole document as JSON, for power users: checked with the same schema as the form. */
export function JsonLaunchForm({ initialText }: { initialText: string }) {
  const [state, action, pending] = useActionState(launchFromJson, INITIAL_LAUNCH_STATE);
  const shown: Shown = { entries: state.entries, errors: messagesByPath(state.messages) };
  // The document's messages are all about the textarea: the summary links them to it.
  const documentMessages = state.messages.filter((message) => message.id === undefined);
  const summary = state.messages.map((message) => (message.id === undefined ? { ...message, id: DOCUMENT_ID } : message));
  const invalid = state.error !== null || documentMessages.length > 0;
  const text = state.entries?.document?.[0] ?? initialText;
  return (
    <form key={state.attempt} action={action} className="launch-form json" noValidate aria-label="Launch from a JSON document">
      <FormSummary error={state.error} messages={summary} />
      <div className="field json">
        <label htmlFor={DOCUMENT_ID}>Experiment document (JSON)</label>
        <textarea
          id={DOCUMENT_ID}
          name="document"
          className="code"
          rows={Math.min(40, Math.max(12, text.split("\n").length + 2))}
          spellCheck={false}
          defaultValue={text}
          aria-invalid={invalid || undefined}
          aria-describedby={`${DOCUMENT_ID}-hint${invalid ? ` ${DOCUMENT_ID}-error` : ""}`}
        />
        <p id={`${DOCUMENT_ID}-hint`} className="hint">
          {"{ name, kind, tags, spec }, as distillery launch -f reads it; the spec is checked with its kind's schema."}
        </p>
        {invalid ? (
          <div id={`${DOCUMENT_ID}-error`} className="field-error">
            {state.error ? <p>{state.error}</p> : null}
            {documentMessages.map((message, index) => (
              <p key={index}>
                <code>{message.path}</code>: {message.message}
              </p>
            ))}
          </div>
        ) : null}
      </div>
      <LaunchOptionsAndSubmit shown={shown} pending={pending} />
    </form>
  );
}
