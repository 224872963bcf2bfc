/** What a page's URL query holds, as Next hands it to the page. */
export type SearchParams = Record<string, string | string[] | undefined>;

/** The first value of a query parameter, trimmed; undefined when absent or empty. */
export function single(params: SearchParams, name: string): string | undefined {
  const value = params[name];
  const first = (Array.isArray(value) ? value[0] : value)?.trim();
  return first ? first : undefined;
}

/** Every value of a repeated parameter (`run=a&run=b`), without empties or repeats. */
export function every(params: SearchParams, name: string): string[] {
  const value = params[name];
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return [...new Set(values.map((one) => one.trim()).filter(Boolean))];
}
