import { afterAll, beforeAll } from "vitest";
import { GraphQLClient } from "./graphql-client";
import { startTestServer, type TestServer } from "./test-server";

export interface TestServerHandle {
  /** Set once beforeAll has run. */
  server: TestServer;
  /** A GraphQL client holding the server's admin token. */
  admin: GraphQLClient;
}

/** One API server process for the whole test file, started before its tests and stopped after. */
export function useTestServer(env: Record<string, string> = {}): TestServerHandle {
  const handle = {} as TestServerHandle;
  beforeAll(async () => {
    handle.server = await startTestServer(env);
    handle.admin = new GraphQLClient(handle.server.url, handle.server.adminToken);
  });
  afterAll(() => handle.server?.stop());
  return handle;
}
