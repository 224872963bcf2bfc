import { describe, expect, it } from "vitest";
import { formatMetricLine, parseProtocolLine } from "./trainer-protocol";

describe("the JSON-lines protocol", () => {
  it("reads a metric line", () => {
    expect(parseProtocolLine('{"metric": "loss", "step": 10, "value": 0.31}')).toEqual({
      type: "metric",
      point: { key: "loss", step: 10, value: 0.31 },
    });
    expect(parseProtocolLine(formatMetricLine("val/fid", 3, 12.5))).toEqual({ type: "metric", point: { key: "val/fid", step: 3, value: 12.5 } });
  });

  it("keeps a point's own time, given as ISO 8601 or epoch milliseconds", () => {
    const iso = "2026-11-28T10:00:00.000Z";
    expect(parseProtocolLine(JSON.stringify({ metric: "loss", step: 1, value: 1, time: iso }))).toMatchObject({ point: { time: iso } });
    expect(parseProtocolLine(JSON.stringify({ metric: "loss", step: 1, value: 1, time: Date.parse(iso) }))).toMatchObject({ point: { time: iso } });
  });

  it("reads progress", () => {
    expect(parseProtocolLine('{"progress": 0.25}')).toEqual({ type: "progress", progress: 0.25 });
  });

  it("reads an artifact announcement", () => {
    expect(parseProtocolLine('{"artifact": "teacher", "path": "/w/teacher.pt", "kind": "torch", "metadata": {"params": 12}}')).toEqual({
      type: "artifact",
      artifact: { name: "teacher", path: "/w/teacher.pt", kind: "torch", metadata: { params: 12 } },
    });
  });

  it.each([
    '{"artifact": "teacher", "kind": "torch"}',
    "plain text",
    "",
    "{not json",
    "[1, 2]",
    '{"metric": "loss", "step": -1, "value": 1}',
    '{"metric": "loss", "step": 1.5, "value": 1}',
    '{"metric": "loss", "step": 1, "value": "high"}',
    '{"metric": "bad key!", "step": 1, "value": 1}',
    '{"progress": 2}',
    '{"level": "info", "msg": "json logs stay logs"}',
  ])("treats %j as a log line", (line) => {
    expect(parseProtocolLine(line)).toEqual({ type: "log", text: line });
  });
});
