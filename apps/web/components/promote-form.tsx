"use client";

import { useActionState } from "react";
import { promote, type PromoteState } from "../app/models/actions";
import { ActionError } from "./action-error";

const INITIAL: PromoteState = { error: null };

/** Points an alias (new or existing) at this version; only rendered for tokens that may write. */
export function PromoteForm({ model, version, knownAliases }: { model: string; version: number; knownAliases: string[] }) {
  const [state, action, pending] = useActionState(promote, INITIAL);
  return (
    <form action={action} className="promote">
      <input type="hidden" name="model" value={model} />
      <input type="hidden" name="version" value={version} />
      <div className="field">
        <label htmlFor="promote-alias">Alias</label>
        <input id="promote-alias" name="alias" type="text" list="promote-known-aliases" autoComplete="off" placeholder="production" required aria-describedby="promote-hint" />
        <datalist id="promote-known-aliases">
          {knownAliases.map((alias) => (
            <option key={alias} value={alias} />
          ))}
        </datalist>
      </div>
      <button type="submit" disabled={pending}>
        Promote
      </button>
      <p id="promote-hint" className="hint">
        {`Points ${model}@<alias> at v${version}; an existing alias moves here and its history keeps the move.`}
      </p>
      <ActionError message={state.error} />
    </form>
  );
}
