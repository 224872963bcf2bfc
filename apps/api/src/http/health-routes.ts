import type { FastifyInstance } from "fastify";
import type { Database } from "../db/database";

/** Unauthenticated: load balancers and `distillery up` poll it. 503 while the database does not answer. */
export async function healthRoutes(app: FastifyInstance, options: { db: Database }): Promise<void> {
  app.get("/healthz", async (_request, reply) => {
    try {
      await options.db.read((manager) => manager.query("SELECT 1"));
      return { status: "ok" };
    } catch (error) {
      app.log.warn({ err: error }, "health check failed");
      return reply.status(503).send({ status: "unavailable" });
    }
  });
}
