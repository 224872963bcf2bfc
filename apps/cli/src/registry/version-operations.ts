import { defineOperation } from "@distillery/client";
import { type LineageRelation, type ModelFormat, type Precision, VERSION_FIELDS, type VersionRecord } from "./version-record";

export interface Page<T> {
  edges: { node: T }[];
  pageInfo: { endCursor: string | null; hasNextPage: boolean };
  totalCount: number;
}

/** name, name@v<N> or name@<alias>; with a precision, the newest ready variant QUANTIZED_FROM it. */
export const MODEL_VERSION = defineOperation<{ modelVersion: VersionRecord }, { ref: string; precision: Precision | null }>(
  "ModelVersion",
  `query ModelVersion($ref: String!, $precision: Precision) { modelVersion(ref: $ref, precision: $precision) { ${VERSION_FIELDS} } }`,
);

export interface ChildEdge {
  relation: LineageRelation;
  recipe: Record<string, unknown>;
  version: VersionRecord;
}

/** A version and what was made from it: `pull --method` picks among its quantized children. */
export const VERSION_CHILDREN = defineOperation<{ modelVersion: VersionRecord & { children: ChildEdge[] } }, { ref: string }>(
  "VersionChildren",
  `query VersionChildren($ref: String!) { modelVersion(ref: $ref) { ${VERSION_FIELDS} children { relation recipe version { ${VERSION_FIELDS} } } } }`,
);

export const MODEL_VERSIONS = defineOperation<{ model: { versions: Page<VersionRecord> } }, { name: string; first: number; after: string | null }>(
  "ModelVersions",
  `query ModelVersions($name: String!, $first: Int!, $after: String) {
    model(name: $name) { versions(first: $first, after: $after) { totalCount pageInfo { endCursor hasNextPage } edges { node { ${VERSION_FIELDS} } } } }
  }`,
);

export interface RegisterModelVersionInput {
  model: string;
  digest: string;
  format: ModelFormat;
  precision: Precision;
  params: number | null;
  metadata: Record<string, unknown>;
  parents: { ref: string; relation: LineageRelation; recipe: Record<string, unknown> }[];
}

export const REGISTER_MODEL_VERSION = defineOperation<{ registerModelVersion: VersionRecord }, { input: RegisterModelVersionInput }>(
  "RegisterModelVersion",
  `mutation RegisterModelVersion($input: RegisterModelVersionInput!) { registerModelVersion(input: $input) { ${VERSION_FIELDS} } }`,
);
