"use client";

import { useActionState } from "react";
import { signIn, type SignInState } from "./actions";
import { ActionError } from "../../components/action-error";

const INITIAL: SignInState = { error: null };

export function SignInForm() {
  const [state, action, pending] = useActionState(signIn, INITIAL);
  return (
    <form action={action} className="sign-in">
      <label htmlFor="token">API token</label>
      <input id="token" name="token" type="password" autoComplete="off" required />
      <button type="submit" disabled={pending}>
        Sign in
      </button>
      <ActionError message={state.error} />
    </form>
  );
}
