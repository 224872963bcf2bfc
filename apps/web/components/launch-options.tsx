import { DEVICE_FIELD, MAX_ATTEMPTS_FIELD } from "../lib/launch-fields";
import { FieldView, type Shown } from "./spec-form-fields";

/** How the run is queued, and the submit button: the same under the form and the JSON view. */
export function LaunchOptionsAndSubmit({ shown, pending }: { shown: Shown; pending: boolean }) {
  return (
    <>
      <fieldset className="group">
        <legend>Launch options</legend>
        <FieldView field={MAX_ATTEMPTS_FIELD} shown={shown} />
        <FieldView field={DEVICE_FIELD} shown={shown} />
      </fieldset>
      <button type="submit" disabled={pending}>
        {pending ? "Launching…" : "Launch"}
      </button>
    </>
  );
}
