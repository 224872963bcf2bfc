import type { FastifyInstance } from "fastify";
import { DomainError, Scope } from "@distillery/domain";
import { authenticate, requireScope } from "../auth/authenticate";
import type { ApiTokenService } from "../modules/api-token/api-token.service";
import type { ApiMetrics } from "./metrics";
import { sendDomainError } from "./send-error";

/** GET /metrics for Prometheus; like everything but /healthz it needs a token (READ is enough). */
export async function metricsRoutes(app: FastifyInstance, options: { metrics: ApiMetrics; tokens: ApiTokenService }): Promise<void> {
  app.get("/metrics", async (request, reply) => {
    try {
      requireScope(await authenticate(options.tokens, request.headers.authorization), Scope.READ);
    } catch (error) {
      if (error instanceof DomainError) return sendDomainError(reply, error);
      throw error;
    }
    reply.header("content-type", options.metrics.registry.contentType);
    return options.metrics.registry.metrics();
  });
}
