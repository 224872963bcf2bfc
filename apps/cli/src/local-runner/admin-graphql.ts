/** One GraphQL request to the local API with a token; throws with the API's message on errors. */
export async function graphqlRequest<T>(apiUrl: string, token: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(`${apiUrl}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(30_000),
  });
  const body = (await response.json()) as { data?: T; errors?: Array<{ message: string; extensions?: { code?: string } }> };
  const error = body.errors?.[0];
  if (error) throw new Error(`${error.message}${error.extensions?.code ? ` (${error.extensions.code})` : ""}`);
  if (!body.data) throw new Error(`HTTP ${response.status} without data`);
  return body.data;
}
