import type { Readable } from "node:stream";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { DomainError, parseHexDigest, Scope } from "@distillery/domain";
import { authenticate, requireScope } from "../auth/authenticate";
import type { Services } from "../services";
import { parseByteRange } from "./byte-range";
import type { ApiMetrics } from "./metrics";
import { sendDomainError } from "./send-error";

interface BlobRouteOptions {
  services: Services;
  metrics: ApiMetrics;
  maxBlobBytes: number;
}

type BlobRequest = FastifyRequest<{ Params: { hex: string } }>;

/**
 * PUT/GET/HEAD /v1/blobs/sha256/<hex>. Bodies are streamed to and from the store, never held
 * in memory; the store makes a blob visible only once its digest checks out.
 */
export async function blobRoutes(app: FastifyInstance, options: BlobRouteOptions): Promise<void> {
  const { services, metrics, maxBlobBytes } = options;

  // Hand the raw body stream to the handler instead of buffering it.
  app.addContentTypeParser("*", (_request, payload, done) => done(null, payload));

  const guarded = (scopes: Scope[], handler: (request: BlobRequest, reply: FastifyReply, hex: string) => Promise<unknown>) =>
    async (request: BlobRequest, reply: FastifyReply) => {
      try {
        const principal = await authenticate(services.tokens, request.headers.authorization);
        requireScope(principal, ...scopes);
        return await handler(request, reply, parseHexDigest(request.params.hex));
      } catch (error) {
        if (error instanceof DomainError) {
          // The body was not read: close the connection rather than leave it half-consumed.
          if (request.method === "PUT" && !request.raw.readableEnded) reply.header("connection", "close");
          return sendDomainError(reply, error);
        }
        throw error;
      }
    };

  app.put(
    "/v1/blobs/sha256/:hex",
    // Runners upload what their jobs produce (and register it through registerJobArtifact).
    guarded([Scope.WRITE, Scope.RUNNER], async (request, reply, hex) => {
      const declared = Number(request.headers["content-length"] ?? Number.NaN);
      if (declared > maxBlobBytes) {
        throw new DomainError("BLOB_TOO_LARGE", `Blob of ${declared} bytes exceeds the limit of ${maxBlobBytes}`, { maxBytes: maxBlobBytes });
      }
      const body = (request.body as Readable | undefined) ?? request.raw;
      const stored = await services.blobStore.put(body, { expectedHex: hex, maxBytes: maxBlobBytes });
      metrics.blobBytes.inc({ direction: "in" }, stored.size);
      const mediaType = request.headers["content-type"]?.split(";")[0]?.trim() || "application/octet-stream";
      await services.blobs.record(hex, stored.size, mediaType);
      return reply
        .status(stored.created ? 201 : 200)
        .header("location", `/v1/blobs/sha256/${hex}`)
        .send({ digest: `sha256:${hex}`, sizeBytes: stored.size, created: stored.created });
    }),
  );

  // HEAD is routed explicitly: Fastify's automatic HEAD route would reset Content-Length to 0.
  app.route({
    method: ["GET", "HEAD"],
    url: "/v1/blobs/sha256/:hex",
    handler: guarded([Scope.READ], async (request, reply, hex) => {
      const stat = await services.blobStore.stat(hex);
      if (!stat) throw new DomainError("BLOB_NOT_FOUND", `No blob sha256:${hex}`, { digest: `sha256:${hex}` });
      const etag = `"sha256:${hex}"`;
      reply
        .header("etag", etag)
        .header("repr-digest", `sha-256=:${Buffer.from(hex, "hex").toString("base64")}:`)
        .header("accept-ranges", "bytes")
        .header("cache-control", "public, max-age=31536000, immutable")
        .header("content-type", "application/octet-stream");
      if (request.headers["if-none-match"] === etag) return reply.status(304).send();
      let range;
      try {
        range = parseByteRange(request.headers.range, stat.size);
      } catch (error) {
        reply.header("content-range", `bytes */${stat.size}`).type("application/json; charset=utf-8");
        const { message, details } = error as DomainError;
        return reply.status(416).send({ error: { code: "BAD_USER_INPUT", reason: "RANGE_NOT_SATISFIABLE", message, details } });
      }
      const length = range ? range.end - range.start + 1 : stat.size;
      reply.header("content-length", length);
      if (range) reply.status(206).header("content-range", `bytes ${range.start}-${range.end}/${stat.size}`);
      if (request.method === "HEAD") return reply.send();
      metrics.blobBytes.inc({ direction: "out" }, length);
      return reply.send(await services.blobStore.read(hex, range ?? undefined));
    }),
  });
}
