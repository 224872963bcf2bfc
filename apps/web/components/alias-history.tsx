import { versionHref } from "../lib/model-links";
import type { AliasEvent, AliasWithHistory } from "../lib/model-operations";
import { Timestamp } from "./timestamp";

function Target({ model, target }: { model: string; target: AliasEvent["from"] }) {
  if (!target) return <span className="muted">(none)</span>;
  return <a href={versionHref(model, target.version)}>{`v${target.version}`}</a>;
}

/** Every alias: where it points now, then each move, oldest first. */
export function AliasHistory({ model, aliases }: { model: string; aliases: AliasWithHistory[] }) {
  if (aliases.length === 0) return <p className="muted">No aliases: promote a version from its page to give it one.</p>;
  return (
    <>
      {aliases.map((alias) => (
        <section key={alias.name} className="alias" aria-labelledby={`alias-${alias.name}`}>
          <h3 id={`alias-${alias.name}`}>
            <code>{alias.name}</code> → <a href={versionHref(model, alias.version.version)}>{alias.version.ref}</a>
          </h3>
          <table className="models-table alias-history" data-alias={alias.name}>
            <caption>{`History of ${alias.name}, oldest first`}</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Actor</th>
                <th scope="col">From</th>
                <th scope="col">To</th>
              </tr>
            </thead>
            <tbody>
              {alias.history.map((event, index) => (
                <tr key={`${event.at}-${index}`}>
                  <td>
                    <Timestamp iso={event.at} />
                  </td>
                  <td>{event.actor}</td>
                  <td>
                    <Target model={model} target={event.from} />
                  </td>
                  <td>
                    <Target model={model} target={event.to} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ))}
    </>
  );
}
