/** "12 runs": how many rows every page of a list holds, as the API counted them. */
export function TotalCount({ count, singular, plural }: { count: number; singular: string; plural: string }) {
  return (
    <p className="total">
      <span data-testid="total-count">{count}</span> {count === 1 ? singular : plural}
    </p>
  );
}

/** The link to the next page of a cursor-paginated list; nothing on the last page. */
export function NextPageLink({ page, href }: { page: { hasNextPage: boolean; endCursor: string | null }; href: (after: string) => string }) {
  if (!page.hasNextPage || !page.endCursor) return null;
  return (
    <p>
      <a href={href(page.endCursor)}>Next page</a>
    </p>
  );
}
