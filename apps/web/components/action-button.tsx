"use client";

import { useActionState } from "react";
import type { ActionState } from "../lib/action-state";
import { ActionError } from "./action-error";

/**
 * One write button: a form posting to a server action, disabled while it runs, with the API's
 * `CODE: message` under it when the action fails (a successful one redirects or refreshes).
 */
export function ActionButton({ action, label, pendingLabel, danger = false }: { action: (state: ActionState, form: FormData) => Promise<ActionState>; label: string; pendingLabel: string; danger?: boolean }) {
  const [state, formAction, pending] = useActionState(action, { error: null });
  return (
    <form action={formAction} className="action-form">
      <button type="submit" disabled={pending} className={danger ? "danger" : undefined}>
        {pending ? pendingLabel : label}
      </button>
      <ActionError message={state.error} />
    </form>
  );
}
