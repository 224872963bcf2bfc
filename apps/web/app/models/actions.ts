"use server";

import { ApiError } from "@distillery/client";
import { redirect } from "next/navigation";
import { versionHref } from "../../lib/model-links";
import { SET_ALIAS } from "../../lib/model-operations";
import { requireSession } from "../../lib/session";

export interface PromoteState {
  error: string | null;
}

/** Points an alias at the version; back to the version's page on success, the API's reason on failure. */
export async function promote(_previous: PromoteState, form: FormData): Promise<PromoteState> {
  const model = String(form.get("model") ?? "");
  const version = Number(form.get("version"));
  const alias = String(form.get("alias") ?? "").trim();
  if (alias === "") return { error: "Enter an alias, for example production." };
  const { client, canWrite } = await requireSession();
  // The API refuses too; a read-only token never gets as far as asking it.
  if (!canWrite) return { error: "FORBIDDEN: This token is read-only; promoting needs the WRITE scope" };
  try {
    await client.request(SET_ALIAS, { input: { model, alias, version } });
  } catch (error) {
    if (error instanceof ApiError) return { error: error.describe() };
    throw error;
  }
  redirect(`${versionHref(model, version)}?promoted=${encodeURIComponent(alias)}`);
}
