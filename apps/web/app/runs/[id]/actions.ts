"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { type ActionState, failureOf, NO_ERROR } from "../../../lib/action-state";
import { CANCEL_RUN, RETRY_RUN } from "../../../lib/run-operations";
import { requireSession } from "../../../lib/session";

/** Queued runs stop at once; running ones when their runner hears of it at its next heartbeat. */
export async function cancelRun(runId: string, _state: ActionState, _form: FormData): Promise<ActionState> {
  const { client } = await requireSession();
  try {
    await client.request(CANCEL_RUN, { id: runId });
  } catch (error) {
    return failureOf(error);
  }
  revalidatePath(`/runs/${runId}`);
  return NO_ERROR;
}

/** Launches the finished run again, as a new run, and opens it. */
export async function retryRun(runId: string, _state: ActionState, _form: FormData): Promise<ActionState> {
  const { client } = await requireSession();
  let retried: string;
  try {
    retried = (await client.request(RETRY_RUN, { id: runId })).retryRun.id;
  } catch (error) {
    return failureOf(error);
  }
  redirect(`/runs/${retried}`);
}
