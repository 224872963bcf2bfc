/** URLs of the model pages (agreed across the UI): /models, /models/<name>, /models/<name>/versions/<n>. */

export function modelHref(name: string): string {
  return `/models/${encodeURIComponent(name)}`;
}

export function versionHref(name: string, version: number): string {
  return `${modelHref(name)}/versions/${version}`;
}

export function runHref(id: string): string {
  return `/runs/${encodeURIComponent(id)}`;
}

/** `npx distillery pull <ref>`, with `--precision p` for a quantized variant. */
export function pullCommand(ref: string, precision?: string): string {
  return `npx distillery pull ${ref}${precision ? ` --precision ${precision.toLowerCase()}` : ""}`;
}

/** 2025-06-01 12:34:56 UTC: the same on the server and in every browser. */
export function formatTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** A path segment as the model's name: decoded when Next left it encoded, as is when it is not valid encoding. */
export function segmentName(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
