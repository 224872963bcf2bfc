import type { FastifyReply } from "fastify";
import { DomainError, httpStatusOf } from "@distillery/domain";

/** Errors of the plain HTTP routes, shaped like GraphQL's extensions: {code, reason, message, details}. */
export function sendDomainError(reply: FastifyReply, error: DomainError): FastifyReply {
  return reply.status(httpStatusOf[error.category]).send({
    error: { code: error.category, reason: error.reason, message: error.message, details: error.details },
  });
}
