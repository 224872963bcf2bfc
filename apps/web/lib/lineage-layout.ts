import type { LineageEdge, LineageGraph, LineageVersion } from "./lineage-graph";

/**
 * Columns by generation: a version sits one column right of its furthest-right parent, so
 * teachers come first, then their students, then the students' quantized variants. Within a
 * column versions follow the mean row of their parents (fewer crossings), then model and number.
 */

export const NODE_WIDTH = 200;
export const NODE_HEIGHT = 46;
export const COLUMN_GAP = 250;
export const ROW_GAP = 28;
export const PADDING = 16;
const LABEL_MAX = 40;

export interface PlacedNode {
  version: LineageVersion;
  column: number;
  row: number;
  x: number;
  y: number;
}

export interface PlacedEdge {
  edge: LineageEdge;
  /** Right middle of the parent's box. */
  from: { x: number; y: number };
  /** Left middle of the child's box. */
  to: { x: number; y: number };
  label: string;
}

export interface LineageLayout {
  nodes: PlacedNode[];
  edges: PlacedEdge[];
  columns: number;
  width: number;
  height: number;
}

/** Generation of every version: 0 for those without a parent in the graph, else 1 + the deepest parent's. */
export function generations(graph: Pick<LineageGraph, "nodes" | "edges">): Map<string, number> {
  const generation = new Map(graph.nodes.map((node) => [node.id, 0]));
  // Longest-path layering by relaxation; lineage is acyclic, the bound only guards bad data.
  for (let pass = 0; pass < graph.nodes.length; pass += 1) {
    let changed = false;
    for (const edge of graph.edges) {
      const wanted = (generation.get(edge.parent.id) ?? 0) + 1;
      if (wanted > (generation.get(edge.child.id) ?? 0)) {
        generation.set(edge.child.id, wanted);
        changed = true;
      }
    }
    if (!changed) break;
  }
  return generation;
}

function byModelAndNumber(a: LineageVersion, b: LineageVersion): number {
  return a.model.name.localeCompare(b.model.name) || a.version - b.version;
}

export function layoutLineage(graph: Pick<LineageGraph, "nodes" | "edges">): LineageLayout {
  const generation = generations(graph);
  const columnCount = graph.nodes.length === 0 ? 0 : Math.max(...generation.values()) + 1;
  const columns: LineageVersion[][] = Array.from({ length: columnCount }, () => []);
  for (const node of graph.nodes) columns[generation.get(node.id) ?? 0]!.push(node);

  const row = new Map<string, number>();
  columns.forEach((column, index) => {
    const meanParentRow = (node: LineageVersion): number => {
      const rows = graph.edges.filter((edge) => edge.child.id === node.id && row.has(edge.parent.id)).map((edge) => row.get(edge.parent.id)!);
      return rows.length === 0 ? Number.POSITIVE_INFINITY : rows.reduce((sum, value) => sum + value, 0) / rows.length;
    };
    const ordered = index === 0 ? [...column].sort(byModelAndNumber) : [...column].sort((a, b) => meanParentRow(a) - meanParentRow(b) || byModelAndNumber(a, b));
    ordered.forEach((node, position) => row.set(node.id, position));
    columns[index] = ordered;
  });

  const tallest = Math.max(0, ...columns.map((column) => column.length));
  const rowPitch = NODE_HEIGHT + ROW_GAP;
  const columnPitch = NODE_WIDTH + COLUMN_GAP;
  const placed = new Map<string, PlacedNode>();
  columns.forEach((column, index) => {
    // Shorter columns are centred against the tallest.
    const offset = ((tallest - column.length) * rowPitch) / 2;
    column.forEach((version, position) => {
      placed.set(version.id, { version, column: index, row: position, x: PADDING + index * columnPitch, y: PADDING + offset + position * rowPitch });
    });
  });

  const edges = graph.edges.flatMap((edge): PlacedEdge[] => {
    const parent = placed.get(edge.parent.id);
    const child = placed.get(edge.child.id);
    if (!parent || !child) return [];
    return [
      {
        edge,
        from: { x: parent.x + NODE_WIDTH, y: parent.y + NODE_HEIGHT / 2 },
        to: { x: child.x, y: child.y + NODE_HEIGHT / 2 },
        label: edgeLabel(edge.relation, edge.recipe),
      },
    ];
  });

  return {
    nodes: [...placed.values()],
    edges,
    columns: columnCount,
    width: columnCount === 0 ? 0 : PADDING * 2 + columnCount * columnPitch - COLUMN_GAP,
    height: tallest === 0 ? 0 : PADDING * 2 + tallest * rowPitch - ROW_GAP,
  };
}

/** The recipe in a few characters: its method, else its strategy, else its first plain setting. */
export function recipeSummary(recipe: Record<string, unknown>): string {
  if (typeof recipe.method === "string") return recipe.method;
  if (isPlain(recipe.strategy)) return `strategy=${String(recipe.strategy)}`;
  const first = Object.entries(recipe).find(([, value]) => isPlain(value));
  return first ? `${first[0]}=${String(first[1])}` : "";
}

/** `DISTILLED_FROM · strategy=progressive`, `QUANTIZED_FROM · int8-static`, at most 40 characters. */
export function edgeLabel(relation: string, recipe: Record<string, unknown>): string {
  const summary = recipeSummary(recipe);
  const label = summary ? `${relation} · ${summary}` : relation;
  return label.length > LABEL_MAX ? `${label.slice(0, LABEL_MAX - 1)}…` : label;
}

function isPlain(value: unknown): value is string | number | boolean {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean";
}
