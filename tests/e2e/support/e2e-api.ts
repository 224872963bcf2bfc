import { type ApiServer, startApiServer } from "../../../apps/cli/test/support/api-server";
import { createTestDatabase } from "../../../apps/api/test/support/test-database";

/**
 * The real API for a browser suite: on a database of its own on DATABASE_URL's PostgreSQL when
 * that is set (dropped again at stop), on embedded PGlite otherwise, so `npm test` drives the UI
 * against both, as CI runs it.
 */
export async function startE2eApi(env: NodeJS.ProcessEnv = {}): Promise<ApiServer> {
  const database = await createTestDatabase();
  let server: ApiServer;
  try {
    server = await startApiServer({ ...env, DATABASE_URL: database.url ?? "" });
  } catch (error) {
    await database.drop();
    throw error;
  }
  return {
    ...server,
    async stop() {
      await server.stop();
      await database.drop();
    },
  };
}
