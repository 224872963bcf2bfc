import type { Page } from "./version-operations";

/** The API's page size cap: `first` is 1 to 100 on every connection the registry commands list. */
export const PAGE_SIZE = 100;

/** Every node of a connection, following `endCursor` until `hasNextPage` is false. */
export async function allPages<T>(fetchPage: (after: string | null) => Promise<Page<T>>): Promise<T[]> {
  const nodes: T[] = [];
  let after: string | null = null;
  for (;;) {
    const page: Page<T> = await fetchPage(after);
    nodes.push(...page.edges.map((edge) => edge.node));
    if (!page.pageInfo.hasNextPage || page.pageInfo.endCursor === null) return nodes;
    after = page.pageInfo.endCursor;
  }
}
