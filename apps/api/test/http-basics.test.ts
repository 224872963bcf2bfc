import { describe, expect, it } from "vitest";
import { useTestServer } from "./support/use-test-server";

const api = useTestServer();

describe("health, metrics and transport guards", () => {
  it("answers /healthz without a token", async () => {
    const response = await fetch(`${api.server.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
  });

  it("refuses anonymous GraphQL with 401 UNAUTHENTICATED, introspection included", async () => {
    const anonymous = api.admin.withToken(null);
    for (const query of ["{ me { id } }", "{ __schema { queryType { name } } }"]) {
      const result = await anonymous.request(query);
      expect(result.status).toBe(401);
      expect(result.errors?.[0]?.extensions).toMatchObject({ code: "UNAUTHENTICATED", reason: "UNAUTHENTICATED" });
    }
    const garbage = await api.admin.withToken("dst_not-a-real-token").request("{ me { id } }");
    expect(garbage.status).toBe(401);
    expect(garbage.errors?.[0]?.extensions).toMatchObject({ code: "UNAUTHENTICATED", reason: "TOKEN_INVALID" });
  });

  it("maps malformed queries to BAD_USER_INPUT", async () => {
    await api.admin.fails("{ nope }", {}, "BAD_USER_INPUT", "INVALID_QUERY");
    await api.admin.fails("{ me { ", {}, "BAD_USER_INPUT", "INVALID_QUERY");
    await api.admin.fails("query($n: Int!) { models(first: $n) { totalCount } }", { n: "many" }, "BAD_USER_INPUT", "INVALID_ARGUMENT");
  });

  it("limits query depth", async () => {
    const deep = `{ models { edges { node { versions { edges { node { parents { version { children { version {
      aliases { history { to { model { versions { edges { node { ref } } } } } } } } } } } } } } } } } }`;
    const error = await api.admin.fails(deep, {}, "BAD_USER_INPUT", "QUERY_TOO_DEEP");
    expect(error.message).toMatch(/depth \d+ exceeds the limit of 15/);
  });

  it("limits query complexity", async () => {
    const wide = `{ models(first: 100) { edges { node { versions(first: 100) { edges { node { ref parents { relation } children { relation } } } } } } } }`;
    const error = await api.admin.fails(wide, {}, "BAD_USER_INPUT", "QUERY_TOO_COMPLEX");
    expect(error.message).toMatch(/complexity \d+ exceeds the limit of 20000/);
  });

  it("prevents CSRF: a simple GET query without a preflight header is refused", async () => {
    const response = await fetch(`${api.server.url}/graphql?query=${encodeURIComponent("{ me { id } }")}`, {
      headers: { authorization: `Bearer ${api.server.adminToken}` },
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/CSRF/i);
  });

  it("serves Prometheus metrics with requests and errors by code", async () => {
    await api.admin.fails("{ model(name: \"missing-model\") { id } }", {}, "NOT_FOUND", "MODEL_NOT_FOUND");
    expect((await fetch(`${api.server.url}/metrics`)).status).toBe(401);
    const response = await fetch(`${api.server.url}/metrics`, { headers: { authorization: `Bearer ${api.server.adminToken}` } });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toMatch(/distillery_http_requests_total\{method="POST",route="\/graphql",status="200"\} \d+/);
    expect(text).toMatch(/distillery_graphql_errors_total\{code="NOT_FOUND",reason="MODEL_NOT_FOUND"\} [1-9]/);
    expect(text).toContain("distillery_http_request_duration_seconds_bucket");
  });

  it("logs structured JSON lines", async () => {
    const lines = api.server.output().trim().split("\n").filter(Boolean);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
  });
});
