import { describe, expect, it } from "vitest";
import { type Linked, type LineageVersion, walkLineage } from "../../apps/web/lib/lineage-graph";
import { edgeLabel, generations, layoutLineage, recipeSummary } from "../../apps/web/lib/lineage-layout";

const version = (ref: string, precision = "FP32"): LineageVersion => {
  const [model, number] = ref.split("@v");
  return { id: `id-${ref}`, ref, version: Number(number), precision, status: "READY", model: { name: model! } };
};

/** teacher -> student v1, v2; student v1 -> int8 (v3); grand-teacher above the teacher. */
const grand = version("grand@v1");
const teacher = version("teacher@v1");
const student1 = version("student@v1");
const student2 = version("student@v2");
const int8 = version("student@v3", "INT8");
const edge = (parent: LineageVersion, child: LineageVersion, relation: string, recipe: Record<string, unknown> = {}) => ({ parent, child, relation, recipe });
const EDGES = [
  edge(grand, teacher, "FINETUNED_FROM"),
  edge(teacher, student1, "DISTILLED_FROM", { strategy: "output" }),
  edge(teacher, student2, "DISTILLED_FROM", { strategy: "progressive" }),
  edge(student1, int8, "QUANTIZED_FROM", { method: "int8-dynamic" }),
];

function linked(subject: LineageVersion): Linked {
  return {
    ...subject,
    parents: EDGES.filter((e) => e.child.id === subject.id).map((e) => ({ relation: e.relation, recipe: e.recipe, version: e.parent })),
    children: EDGES.filter((e) => e.parent.id === subject.id).map((e) => ({ relation: e.relation, recipe: e.recipe, version: e.child })),
  };
}

describe("lineage layout", () => {
  it("puts every version one column right of its deepest parent", () => {
    const layering = generations({ nodes: [int8, student2, student1, teacher, grand], edges: EDGES });
    expect(Object.fromEntries(layering)).toEqual({ [grand.id]: 0, [teacher.id]: 1, [student1.id]: 2, [student2.id]: 2, [int8.id]: 3 });
    // A shortcut edge does not pull the child left: the longest path wins.
    expect(generations({ nodes: [grand, teacher, student1], edges: [...EDGES.slice(0, 2), edge(grand, student1, "DISTILLED_FROM")] }).get(student1.id)).toBe(2);
  });

  it("lays out columns left to right, rows by model and number, edges from right side to left side", () => {
    const layout = layoutLineage({ nodes: [int8, student2, student1, teacher], edges: EDGES.slice(1) });
    expect(layout.columns).toBe(3);
    const at = (subject: LineageVersion) => layout.nodes.find((node) => node.version.id === subject.id)!;
    expect([at(teacher).column, at(student1).column, at(student2).column, at(int8).column]).toEqual([0, 1, 1, 2]);
    expect(at(student1).row).toBe(0);
    expect(at(student2).row).toBe(1);
    expect(at(teacher).x).toBeLessThan(at(student1).x);
    expect(at(student1).x).toBeLessThan(at(int8).x);
    expect(layout.width).toBeGreaterThan(at(int8).x);
    expect(layout.height).toBeGreaterThan(at(student2).y);
    const quantized = layout.edges.find((placed) => placed.edge.relation === "QUANTIZED_FROM")!;
    expect(quantized.label).toBe("QUANTIZED_FROM · int8-dynamic");
    expect(quantized.from.x).toBeLessThan(quantized.to.x);
  });

  it("is empty for an empty graph", () => {
    expect(layoutLineage({ nodes: [], edges: [] })).toMatchObject({ nodes: [], edges: [], columns: 0, width: 0, height: 0 });
  });

  it("summarises recipes: the method, else the strategy, else the first plain setting", () => {
    expect(recipeSummary({ method: "int8-static", calibration: 64 })).toBe("int8-static");
    expect(recipeSummary({ temperature: 2, strategy: "progressive" })).toBe("strategy=progressive");
    expect(recipeSummary({ schedule: { steps: 4 }, lr: 0.001 })).toBe("lr=0.001");
    expect(recipeSummary({})).toBe("");
    expect(edgeLabel("EXPORTED_FROM", {})).toBe("EXPORTED_FROM");
    expect(edgeLabel("DISTILLED_FROM", { strategy: "a-very-long-strategy-name-indeed-and-then-some" })).toHaveLength(40);
  });
});

describe("lineage walk", () => {
  it("walks parents up and children down from the start, one fetch per level and direction, deduplicated", async () => {
    const asked: string[] = [];
    const graph = await walkLineage([linked(student1), linked(student2)], async (refs, direction) => {
      asked.push(`${direction}:${refs.join(",")}`);
      return refs.map((ref) => linked([grand, teacher, student1, student2, int8].find((candidate) => candidate.ref === ref)!));
    });
    expect(asked).toEqual(["up:teacher@v1", "down:student@v3", "up:grand@v1"]);
    expect(graph.nodes.map((node) => node.ref).sort()).toEqual(["grand@v1", "student@v1", "student@v2", "student@v3", "teacher@v1"]);
    expect(graph.edges).toHaveLength(4);
    expect(graph.truncated).toBe(false);
  });

  it("stops at its limits and says so", async () => {
    const fetch = async (refs: string[]) => refs.map((ref) => linked([grand, teacher, student1, student2, int8].find((candidate) => candidate.ref === ref)!));
    const shallow = await walkLineage([linked(int8)], fetch, { levels: 1, maxNodes: 60 });
    expect(shallow.nodes.map((node) => node.ref).sort()).toEqual(["student@v1", "student@v3"]);
    expect(shallow.truncated).toBe(true);
    const small = await walkLineage([linked(teacher)], fetch, { levels: 4, maxNodes: 1 });
    expect(small.nodes).toHaveLength(2);
    expect(small.truncated).toBe(true);
  });
});
