import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hasScope, Scope } from "@distillery/domain";
import { uploadBlob } from "../api/blob-upload";
import { apiUrlFrom, tokenFrom } from "../api/credentials";
import { exportDataset } from "../datasets/export-dataset";
import { graphqlRequest } from "../local-runner/admin-graphql";

export const DATASET_SOURCES = ["fashion-mnist", "synthetic"] as const;
export type DatasetSource = (typeof DATASET_SOURCES)[number];

export interface DatasetsImportOptions {
  source: DatasetSource;
  name: string;
  split?: string | undefined;
  resolution?: number | undefined;
  limit?: number | undefined;
  description?: string | undefined;
  api?: string | undefined;
  token?: string | undefined;
}

const ME = `query Me { me { name scopes } }`;

const REGISTER_DATASET = `mutation RegisterDataset($input: RegisterDatasetInput!) {
  registerDataset(input: $input) { ref digest sizeBytes sampleCount }
}`;

/**
 * `distillery datasets import <source> --name NAME …`: the trainer exports the dataset as an npz
 * (into a temporary directory, removed afterwards), the file is streamed to PUT /v1/blobs/sha256/<hex>,
 * and registerDataset makes it the next version of NAME. Prints the new ref on stdout (progress goes
 * to stderr) and resolves to 0; throws a one-line Error otherwise (the caller exits 1).
 */
export async function datasetsImport(options: DatasetsImportOptions, signal?: AbortSignal): Promise<number> {
  const apiUrl = apiUrlFrom(options.api);
  const token = await tokenFrom(options.token);
  const progress = (line: string) => process.stderr.write(`${line}\n`);

  // The token first: a minute of exporting is wasted if the API then says no.
  const { me } = await talk(apiUrl, () => graphqlRequest<{ me: { name: string; scopes: Scope[] } }>(apiUrl, token, ME));
  if (!hasScope(me.scopes, [Scope.WRITE])) {
    throw new Error(`the token "${me.name}" has ${me.scopes.join(", ") || "no"} scope; registering a dataset needs WRITE`);
  }

  const dir = await mkdtemp(join(tmpdir(), "distillery-dataset-"));
  try {
    const described = [options.split && `${options.split} split`, options.resolution && `resolution ${options.resolution}`, options.limit && `first ${options.limit}`]
      .filter(Boolean)
      .join(", ");
    progress(`exporting ${options.source}${described ? ` (${described})` : ""}…`);
    const exported = await exportDataset({
      python: process.env.DISTILLERY_PYTHON || "/usr/bin/python3",
      source: options.source,
      split: options.split,
      resolution: options.resolution,
      limit: options.limit,
      out: join(dir, `${options.name}.npz`),
      ...(signal ? { signal } : {}),
    });
    const { size } = await stat(exported.path);
    const [channels, height, width] = exported.imageShape;
    progress(`exported ${exported.samples} images of ${channels}x${height}x${width}, ${exported.classNames.length} classes: ${size} bytes, sha256:${exported.sha256}`);

    const uploaded = await uploadBlob(apiUrl, token, exported.sha256, exported.path);
    progress(uploaded.created ? `uploaded ${uploaded.sizeBytes} bytes` : "the API had these bytes already");

    const { registerDataset } = await talk(apiUrl, () =>
      graphqlRequest<{ registerDataset: { ref: string; digest: string } }>(apiUrl, token, REGISTER_DATASET, {
        input: {
          name: options.name,
          digest: `sha256:${exported.sha256}`,
          format: "NPZ",
          sampleCount: exported.samples,
          imageShape: exported.imageShape,
          classNames: exported.classNames,
          description: options.description ?? describe(options, exported.samples),
        },
      }),
    );
    process.stdout.write(`${registerDataset.ref}\n`);
    return 0;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The default description: where the images came from, as the import was asked for. */
function describe(options: DatasetsImportOptions, samples: number): string {
  const source = options.source === "fashion-mnist" ? `Fashion-MNIST ${options.split ?? "train"} split` : "synthetic patterns";
  return `${source}, ${samples} images at ${options.resolution ?? 16}x${options.resolution ?? 16} (distillery datasets import)`;
}

/** A GraphQL call with "the API is not there" said as such. */
async function talk<T>(apiUrl: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof TypeError || error instanceof SyntaxError || (error as Error).name === "TimeoutError") {
      const cause = (error as { cause?: { message?: string } }).cause?.message;
      throw new Error(`cannot talk to the API at ${apiUrl}: ${cause ?? (error as Error).message}`);
    }
    throw error;
  }
}
