import { ApiError, ApiUnreachableError, describeError } from "@distillery/client";

/**
 * Whether the API holds the blob already (HEAD /v1/blobs/sha256/<hex>), so a push of known bytes
 * sends none of them. A HEAD answer has no body: a refusal is named by its status alone.
 */
export async function blobIsStored(apiUrl: string, authorization: string, hex: string): Promise<boolean> {
  let status: number;
  try {
    const response = await fetch(`${apiUrl}/v1/blobs/sha256/${hex}`, { method: "HEAD", headers: { authorization }, signal: AbortSignal.timeout(30_000) });
    status = response.status;
  } catch (error) {
    throw new ApiUnreachableError(`cannot reach ${apiUrl}: ${describeError(error)}`, { cause: error });
  }
  if (status === 200) return true;
  if (status === 404) return false;
  if (status >= 500 || status === 429 || status === 408) throw new ApiUnreachableError(`${apiUrl} answered HTTP ${status} to HEAD /v1/blobs/sha256/${hex}`);
  const code = status === 401 ? "UNAUTHENTICATED" : status === 403 ? "FORBIDDEN" : "BAD_RESPONSE";
  throw new ApiError(`HEAD /v1/blobs/sha256/${hex} answered HTTP ${status}`, code, code, {}, status);
}
