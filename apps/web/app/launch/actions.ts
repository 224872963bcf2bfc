"use server";

import { ApiError, ApiUnreachableError, type GraphQLClient } from "@distillery/client";
import { redirect } from "next/navigation";
import { CREATE_EXPERIMENT, LAUNCH_EXPERIMENT } from "../../lib/launch-operations";
import { type ExperimentInput, type LaunchOptions, readDocument, readLaunchOptions, readNameAndTags } from "../../lib/launch-input";
import { readEntries, placeIssues, specFromEntries } from "../../lib/spec-form/form-data";
import { parseKind, specFields, specIssues } from "../../lib/spec-form/kinds";
import { requireSession } from "../../lib/session";
import { type LaunchState, WRITE_NEEDED } from "./launch-state";

/** Creates the experiment and queues its run: the run's id, or why the API refused. */
async function launch(client: GraphQLClient, input: ExperimentInput, options: LaunchOptions): Promise<{ runId: string } | { error: string }> {
  let unlaunched = "";
  try {
    const { createExperiment: experiment } = await client.request(CREATE_EXPERIMENT, { input });
    unlaunched = ` (experiment ${input.name} was created but not launched)`;
    const { launchExperiment: run } = await client.request(LAUNCH_EXPERIMENT, {
      input: { experiment: experiment.id, maxAttempts: options.maxAttempts, requirements: { device: options.device } },
    });
    return { runId: run.id };
  } catch (error) {
    if (error instanceof ApiError) return { error: `${error.describe()}${unlaunched}` };
    if (error instanceof ApiUnreachableError) return { error: `The API cannot be reached: ${error.message}${unlaunched}` };
    throw error;
  }
}

/** The generated form: the spec rebuilt from its inputs and checked with the kind's schema first. */
export async function launchFromForm(previous: LaunchState, form: FormData): Promise<LaunchState> {
  const { client, canWrite } = await requireSession();
  const entries = readEntries(form);
  const refused = (messages: LaunchState["messages"], error: string | null = null): LaunchState => ({ attempt: previous.attempt + 1, entries, messages, error });
  if (!canWrite) return refused([], WRITE_NEEDED);
  const kind = parseKind(entries.kind?.[0]);
  if (!kind) return refused([], "Choose an experiment kind.");

  const fields = specFields(kind);
  const { name, tags, messages: inputMessages } = readNameAndTags(entries);
  const { spec, problems } = specFromEntries(fields, entries);
  const { options, messages: optionMessages } = readLaunchOptions(entries);
  const messages = [...inputMessages, ...problems, ...placeIssues(fields, entries, specIssues(kind, spec)), ...optionMessages];
  if (messages.length > 0) return refused(messages);

  const launched = await launch(client, { name, kind, tags, spec }, options);
  if ("error" in launched) return refused([], launched.error);
  redirect(`/runs/${launched.runId}`);
}

/** The JSON view: the whole document parsed, then checked and launched like the form. */
export async function launchFromJson(previous: LaunchState, form: FormData): Promise<LaunchState> {
  const { client, canWrite } = await requireSession();
  const entries = readEntries(form);
  const refused = (messages: LaunchState["messages"], error: string | null = null): LaunchState => ({ attempt: previous.attempt + 1, entries, messages, error });
  if (!canWrite) return refused([], WRITE_NEEDED);

  const reading = readDocument(entries.document?.[0] ?? "");
  if (reading.syntaxError !== null) return refused([], `JSON syntax error: ${reading.syntaxError}`);
  const { options, messages: optionMessages } = readLaunchOptions(entries);
  const messages = [...reading.messages, ...optionMessages];
  if (!reading.input || messages.length > 0) return refused(messages);

  const launched = await launch(client, reading.input, options);
  if ("error" in launched) return refused([], launched.error);
  redirect(`/runs/${launched.runId}`);
}
