import type { LineageEdge, LineageGraph } from "../lib/lineage-graph";
import { generations, layoutLineage, NODE_HEIGHT, NODE_WIDTH } from "../lib/lineage-layout";
import { versionHref } from "../lib/model-links";
import { VersionLink } from "./version-link";

const REF_MAX = 26;

function short(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * The lineage as an SVG in columns by generation (ancestors left, descendants right), every node a
 * link to its version, and the same edges as a table for screen readers and keyboard users.
 */
export function LineageView({ graph, focusIds, subject }: { graph: LineageGraph; focusIds: string[]; subject: string }) {
  if (graph.edges.length === 0) {
    return <p className="muted">{`No lineage recorded: ${subject} was not made from another version, and nothing was made from it.`}</p>;
  }
  const layout = layoutLineage(graph);
  const focus = new Set(focusIds);
  const generation = generations(graph);
  const edges = [...graph.edges].sort(
    (a, b) => (generation.get(a.parent.id) ?? 0) - (generation.get(b.parent.id) ?? 0) || a.parent.ref.localeCompare(b.parent.ref) || a.child.ref.localeCompare(b.child.ref),
  );
  return (
    <>
      <figure className="lineage">
        <div className="lineage-scroll">
          <svg width={layout.width} height={layout.height} viewBox={`0 0 ${layout.width} ${layout.height}`} aria-labelledby="lineage-title lineage-desc">
            <title id="lineage-title">{`Lineage graph of ${subject}`}</title>
            <desc id="lineage-desc">{`${graph.nodes.length} versions in ${layout.columns} generations, parents left of their children; the table "Lineage edges" lists every edge with its full recipe.`}</desc>
            <defs>
              <marker id="lineage-arrow" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="8" markerHeight="8" orient="auto">
                <path d="M0,0 L8,4 L0,8 z" className="arrow" />
              </marker>
            </defs>
            {layout.edges.map(({ edge, from, to, label }) => {
              const middle = (from.x + to.x) / 2;
              return (
                <g key={`${edge.parent.id}>${edge.child.id}>${edge.relation}`} className="edge" data-relation={edge.relation}>
                  <title>{`${edge.parent.ref} → ${edge.child.ref}: ${edge.relation} ${JSON.stringify(edge.recipe)}`}</title>
                  <path d={`M ${from.x} ${from.y} C ${middle} ${from.y}, ${middle} ${to.y}, ${to.x - 2} ${to.y}`} markerEnd="url(#lineage-arrow)" />
                  <text x={middle} y={(from.y + to.y) / 2 - 6} textAnchor="middle" className="edge-label">
                    {label}
                  </text>
                </g>
              );
            })}
            {layout.nodes.map(({ version, x, y }) => (
              <a key={version.id} href={versionHref(version.model.name, version.version)} className={focus.has(version.id) ? "node focus" : "node"} data-ref={version.ref}>
                <title>{`${version.ref}, ${version.precision}, ${version.status.toLowerCase()}`}</title>
                <rect x={x} y={y} width={NODE_WIDTH} height={NODE_HEIGHT} rx={6} />
                <text x={x + 10} y={y + 19} className="node-ref">
                  {short(version.ref, REF_MAX)}
                </text>
                <text x={x + 10} y={y + 36} className="node-meta">
                  {version.status === "READY" ? version.precision : `${version.precision} · ${version.status.toLowerCase()}`}
                </text>
              </a>
            ))}
          </svg>
        </div>
        <figcaption>
          Columns are generations: what a version was made from is on its left, what was made from it on its right.
          {graph.truncated ? " The walk stops a few edges away: there may be more lineage beyond." : ""}
        </figcaption>
      </figure>
      <LineageTable edges={edges} />
    </>
  );
}

export function LineageTable({ edges, caption = "Lineage edges" }: { edges: LineageEdge[]; caption?: string }) {
  return (
    <table className="models-table lineage-edges">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Parent</th>
          <th scope="col">Relation</th>
          <th scope="col">Child</th>
          <th scope="col">Recipe</th>
        </tr>
      </thead>
      <tbody>
        {edges.map((edge) => (
          <tr key={`${edge.parent.id}>${edge.child.id}>${edge.relation}`}>
            <td>
              <VersionLink version={edge.parent} />
            </td>
            <td>{edge.relation}</td>
            <td>
              <VersionLink version={edge.child} />
            </td>
            <td>
              <code className="recipe">{JSON.stringify(edge.recipe)}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
