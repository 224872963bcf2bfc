import { versionHref } from "../lib/model-links";

/** A version's ref, linking to its page. */
export function VersionLink({ version }: { version: { ref: string; version: number; model: { name: string } } }) {
  return <a href={versionHref(version.model.name, version.version)}>{version.ref}</a>;
}
