import { formatBytes, formatCount } from "../lib/format";
import { versionHref } from "../lib/model-links";
import type { VersionRow } from "../lib/model-operations";
import { RunLink } from "./run-link";
import { Timestamp } from "./timestamp";

export function VersionsTable({ model, versions }: { model: string; versions: VersionRow[] }) {
  return (
    <table className="models-table versions">
      <caption>Versions, newest first</caption>
      <thead>
        <tr>
          <th scope="col">Version</th>
          <th scope="col">Precision</th>
          <th scope="col">Format</th>
          <th scope="col" className="numeric">Params</th>
          <th scope="col" className="numeric">Size</th>
          <th scope="col">Status</th>
          <th scope="col">Aliases</th>
          <th scope="col">Created</th>
          <th scope="col">Produced by</th>
        </tr>
      </thead>
      <tbody>
        {versions.map((version) => (
          <tr key={version.id}>
            <th scope="row">
              <a href={versionHref(model, version.version)}>{`v${version.version}`}</a>
            </th>
            <td>{version.precision}</td>
            <td>{version.format}</td>
            <td className="numeric">{version.params === null ? "—" : formatCount(version.params)}</td>
            <td className="numeric">{formatBytes(version.sizeBytes)}</td>
            <td>
              <span className={`status status-${version.status.toLowerCase()}`}>{version.status.toLowerCase()}</span>
            </td>
            <td>{version.aliases.length === 0 ? <span className="muted">—</span> : version.aliases.map((alias) => alias.name).join(", ")}</td>
            <td>
              <Timestamp iso={version.createdAt} /> <span className="muted">by {version.createdBy}</span>
            </td>
            <td>
              <RunLink run={version.producedBy} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
