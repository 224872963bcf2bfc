import { formatCount, formatMiB } from "../lib/format";
import type { EvaluationRow } from "../lib/model-operations";
import { RunLink } from "./run-link";
import { Timestamp } from "./timestamp";
import { VersionLink } from "./version-link";

/** Evaluations, newest first; with `showVersion` a column says which version each one measured. */
export function EvaluationsTable({ evaluations, showVersion, caption }: { evaluations: EvaluationRow[]; showVersion: boolean; caption: string }) {
  if (evaluations.length === 0) return <p className="muted">No evaluations yet.</p>;
  return (
    <table className="models-table evaluations">
      <caption>{caption}</caption>
      <thead>
        <tr>
          {showVersion ? <th scope="col">Version</th> : null}
          <th scope="col" className="numeric">FID</th>
          <th scope="col" className="numeric">Latency p50 (ms)</th>
          <th scope="col" className="numeric">p95 (ms)</th>
          <th scope="col" className="numeric">Peak memory (MiB)</th>
          <th scope="col" className="numeric">Params</th>
          <th scope="col">Protocol</th>
          <th scope="col">Run</th>
          <th scope="col">Evaluated</th>
        </tr>
      </thead>
      <tbody>
        {evaluations.map((evaluation) => (
          <tr key={evaluation.id}>
            {showVersion ? (
              <td>
                <VersionLink version={evaluation.version} />
              </td>
            ) : null}
            <td className="numeric">{evaluation.fid.toFixed(2)}</td>
            <td className="numeric">{evaluation.latencyP50Ms.toFixed(1)}</td>
            <td className="numeric">{evaluation.latencyP95Ms.toFixed(1)}</td>
            <td className="numeric">{formatMiB(evaluation.peakMemoryBytes)}</td>
            <td className="numeric">{formatCount(evaluation.params)}</td>
            <td className="protocol">
              <abbr title={`${evaluation.protocol.key}: ${evaluation.protocol.dataset}, ${evaluation.protocol.sampler}, ${evaluation.protocol.resolution}px on ${evaluation.protocol.hardware}`}>
                {evaluation.protocol.key.slice(0, 12)}
              </abbr>
              {` · ${evaluation.protocol.steps} steps, ${evaluation.protocol.samples} samples`}
            </td>
            <td>
              <RunLink run={evaluation.run} />
            </td>
            <td>
              <Timestamp iso={evaluation.createdAt} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
