import { versionHref } from "../lib/model-links";
import type { AliasEvent, CurrentAlias } from "../lib/model-operations";
import { Timestamp } from "./timestamp";

function Target({ model, target }: { model: string; target: AliasEvent["from"] }) {
  if (!target) return <span className="muted">(none)</span>;
  return <a href={versionHref(model, target.version)}>{`v${target.version}`}</a>;
}

function Heading({ model, name, alias }: { model: string; name: string; alias: CurrentAlias | undefined }) {
  return (
    <h3 id={`alias-${name}`}>
      <code>{name}</code>{" "}
      {alias ? (
        <>
          → <a href={versionHref(model, alias.version.version)}>{alias.version.ref}</a>
        </>
      ) : (
        <span className="muted">(deleted)</span>
      )}
    </h3>
  );
}

/**
 * Every alias the model ever had: where it points now (or that it was deleted), then each move,
 * oldest first. Current aliases come first, by name; deleted ones after them.
 */
export function AliasHistory({ model, aliases, history }: { model: string; aliases: CurrentAlias[]; history: AliasEvent[] }) {
  if (history.length === 0) return <p className="muted">No aliases: promote a version from its page to give it one.</p>;
  const current = new Map(aliases.map((alias) => [alias.name, alias]));
  const names = [...new Set(history.map((event) => event.alias))].sort((a, b) => Number(current.has(b)) - Number(current.has(a)) || a.localeCompare(b));
  return (
    <>
      {names.map((name) => (
        <section key={name} className="alias" aria-labelledby={`alias-${name}`}>
          <Heading model={model} name={name} alias={current.get(name)} />
          <table className="models-table alias-history" data-alias={name}>
            <caption>{`History of ${name}, oldest first`}</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Actor</th>
                <th scope="col">From</th>
                <th scope="col">To</th>
              </tr>
            </thead>
            <tbody>
              {history
                .filter((event) => event.alias === name)
                .map((event, index) => (
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
