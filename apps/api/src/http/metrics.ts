import { collectDefaultMetrics, Counter, Histogram, Registry } from "prom-client";
import type { FastifyInstance } from "fastify";

/** Prometheus metrics for one API process, served at GET /metrics. */
export class ApiMetrics {
  readonly registry = new Registry();

  readonly httpRequests = new Counter({
    name: "distillery_http_requests_total",
    help: "HTTP requests by method, route and status",
    labelNames: ["method", "route", "status"] as const,
    registers: [this.registry],
  });

  readonly httpDuration = new Histogram({
    name: "distillery_http_request_duration_seconds",
    help: "HTTP request latency by method and route",
    labelNames: ["method", "route"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly graphqlErrors = new Counter({
    name: "distillery_graphql_errors_total",
    help: "GraphQL errors by extensions.code and reason",
    labelNames: ["code", "reason"] as const,
    registers: [this.registry],
  });

  readonly blobBytes = new Counter({
    name: "distillery_blob_bytes_total",
    help: "Blob bytes received and sent",
    labelNames: ["direction"] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: "distillery_" });
  }

  /** Counts every request, labelled by its route pattern so URLs with digests do not explode cardinality. */
  instrument(app: FastifyInstance): void {
    app.addHook("onResponse", async (request, reply) => {
      const route = request.routeOptions.url ?? "unmatched";
      this.httpRequests.inc({ method: request.method, route, status: String(reply.statusCode) });
      this.httpDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    });
  }
}
