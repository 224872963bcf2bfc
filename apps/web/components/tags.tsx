import { experimentsHref } from "../lib/run-query";

/** An experiment's tags, each a link to the experiments with that tag. */
export function Tags({ tags }: { tags: string[] }) {
  if (tags.length === 0) return <span className="muted">—</span>;
  return (
    <ul className="tags">
      {tags.map((tag) => (
        <li key={tag}>
          <a href={experimentsHref({ filter: { tag }, after: null })}>{tag}</a>
        </li>
      ))}
    </ul>
  );
}
