import { createHash, randomBytes } from "node:crypto";
import { expect } from "vitest";
import type { GraphQLClient } from "./graphql-client";

let counter = 0;
export function uniqueName(prefix = "model"): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}-${randomBytes(3).toString("hex")}`;
}

export const CREATE_MODEL = `
  mutation CreateModel($input: CreateModelInput!) {
    createModel(input: $input) { id name role family description tags createdAt }
  }`;

export async function createModel(client: GraphQLClient, overrides: Record<string, unknown> = {}) {
  const input = { name: uniqueName(), role: "STUDENT", family: "unet", description: "", tags: [], ...overrides };
  const data = await client.ok<{ createModel: { id: string; name: string } }>(CREATE_MODEL, { input });
  return data.createModel;
}

export function sha256Hex(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

export async function putBlob(url: string, token: string, bytes: Buffer, hex = sha256Hex(bytes)) {
  return fetch(`${url}/v1/blobs/sha256/${hex}`, {
    method: "PUT",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/octet-stream" },
    // A copy on a plain ArrayBuffer: the type every fetch typing (Node's and the DOM's) accepts.
    body: Uint8Array.from(bytes),
  });
}

/** Uploads fresh random bytes and returns their `sha256:<hex>` digest. */
export async function uploadBlob(client: GraphQLClient, size = 256): Promise<string> {
  const bytes = randomBytes(size);
  const response = await putBlob(client.url, client.token!, bytes);
  expect(response.status).toBe(201);
  return `sha256:${sha256Hex(bytes)}`;
}

export const REGISTER_VERSION = `
  mutation Register($input: RegisterModelVersionInput!) {
    registerModelVersion(input: $input) {
      id version ref status format precision digest sizeBytes params metadata
      parents { relation recipe version { ref } }
    }
  }`;

export async function registerVersion(client: GraphQLClient, model: string, overrides: Record<string, unknown> = {}) {
  const digest = (overrides.digest as string | undefined) ?? (await uploadBlob(client));
  const input = { model, digest, format: "ONNX", precision: "FP32", ...overrides };
  const data = await client.ok<{ registerModelVersion: { id: string; version: number; ref: string } }>(REGISTER_VERSION, { input });
  return data.registerModelVersion;
}

export async function createToken(admin: GraphQLClient, scopes: string[], expiresAt?: string) {
  const data = await admin.ok<{ createApiToken: { token: string; apiToken: { id: string } } }>(
    `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token apiToken { id name scopes prefix } } }`,
    { input: { name: uniqueName("token"), scopes, ...(expiresAt ? { expiresAt } : {}) } },
  );
  return data.createApiToken;
}
