/** The lineage around some versions: walked from them up through parents and down through children. */

export interface LineageVersion {
  id: string;
  ref: string;
  version: number;
  precision: string;
  status: string;
  model: { name: string };
}

/** ModelVersion.parents / .children: the version at the other end of one edge. */
export interface LineageLink {
  relation: string;
  recipe: Record<string, unknown>;
  version: LineageVersion;
}

export interface LineageEdge {
  parent: LineageVersion;
  child: LineageVersion;
  relation: string;
  recipe: Record<string, unknown>;
}

export interface LineageGraph {
  nodes: LineageVersion[];
  edges: LineageEdge[];
  /** The walk stopped at a limit: there is more lineage than shown. */
  truncated: boolean;
}

export interface Linked extends LineageVersion {
  parents?: LineageLink[];
  children?: LineageLink[];
}

/** Fetches versions by ref with their parents ("up") or children ("down"). */
export type FetchLinks = (refs: string[], direction: "up" | "down") => Promise<Linked[]>;

export interface WalkLimits {
  /** Edges followed in each direction from the start versions. */
  levels: number;
  /** Versions beyond the start ones. */
  maxNodes: number;
}

export const DEFAULT_LIMITS: WalkLimits = { levels: 4, maxNodes: 60 };

/**
 * Breadth-first from `start` (which carry their parents and children): parents upward and
 * children downward, one request per level and direction, deduplicated by version id.
 */
export async function walkLineage(start: Linked[], fetch: FetchLinks, limits: WalkLimits = DEFAULT_LIMITS): Promise<LineageGraph> {
  const nodes = new Map<string, LineageVersion>();
  const edges = new Map<string, LineageEdge>();
  let truncated = false;
  let budget = limits.maxNodes;

  const admit = (version: LineageVersion): boolean => {
    if (nodes.has(version.id)) return true;
    if (budget <= 0) {
      truncated = true;
      return false;
    }
    budget -= 1;
    nodes.set(version.id, strip(version));
    return true;
  };
  const connect = (parent: LineageVersion, child: LineageVersion, link: LineageLink) => {
    const key = `${parent.id}>${child.id}>${link.relation}`;
    if (!edges.has(key)) edges.set(key, { parent: nodes.get(parent.id)!, child: nodes.get(child.id)!, relation: link.relation, recipe: link.recipe });
  };

  for (const version of start) nodes.set(version.id, strip(version));
  const expanded = { up: new Set(start.map((version) => version.id)), down: new Set(start.map((version) => version.id)) };
  let frontier = { up: [] as LineageVersion[], down: [] as LineageVersion[] };

  const visit = (version: Linked, direction: "up" | "down" | "both") => {
    const next = { up: [] as LineageVersion[], down: [] as LineageVersion[] };
    if (direction !== "down") {
      for (const link of version.parents ?? []) {
        if (!admit(link.version)) continue;
        connect(link.version, version, link);
        if (!expanded.up.has(link.version.id)) next.up.push(link.version);
      }
    }
    if (direction !== "up") {
      for (const link of version.children ?? []) {
        if (!admit(link.version)) continue;
        connect(version, link.version, link);
        if (!expanded.down.has(link.version.id)) next.down.push(link.version);
      }
    }
    return next;
  };

  for (const version of start) {
    const next = visit(version, "both");
    frontier.up.push(...next.up);
    frontier.down.push(...next.down);
  }

  for (let level = 1; level < limits.levels; level += 1) {
    const following = { up: [] as LineageVersion[], down: [] as LineageVersion[] };
    for (const direction of ["up", "down"] as const) {
      const pending = unique(frontier[direction]).filter((version) => !expanded[direction].has(version.id));
      for (const version of pending) expanded[direction].add(version.id);
      if (pending.length === 0) continue;
      for (const fetched of await fetch(
        pending.map((version) => version.ref),
        direction,
      )) {
        following[direction].push(...visit(fetched, direction)[direction]);
      }
    }
    frontier = following;
  }
  if (frontier.up.some((version) => !expanded.up.has(version.id)) || frontier.down.some((version) => !expanded.down.has(version.id))) truncated = true;

  return { nodes: [...nodes.values()], edges: [...edges.values()], truncated };
}

function strip(version: LineageVersion): LineageVersion {
  const { id, ref, version: number, precision, status, model } = version;
  return { id, ref, version: number, precision, status, model: { name: model.name } };
}

function unique(versions: LineageVersion[]): LineageVersion[] {
  return [...new Map(versions.map((version) => [version.id, version])).values()];
}
