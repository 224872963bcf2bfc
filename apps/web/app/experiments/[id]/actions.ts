"use server";

import { redirect } from "next/navigation";
import { type ActionState, failureOf } from "../../../lib/action-state";
import { LAUNCH_EXPERIMENT } from "../../../lib/run-operations";
import { requireSession } from "../../../lib/session";

/** Queues another run of the experiment and opens it. */
export async function launchAgain(experimentId: string, _state: ActionState, _form: FormData): Promise<ActionState> {
  const { client } = await requireSession();
  let runId: string;
  try {
    runId = (await client.request(LAUNCH_EXPERIMENT, { experiment: experimentId })).launchExperiment.id;
  } catch (error) {
    return failureOf(error);
  }
  redirect(`/runs/${runId}`);
}
