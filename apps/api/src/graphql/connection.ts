import { ClassType, Field, Int, ObjectType } from "type-graphql";
import { DomainError } from "@distillery/domain";

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

@ObjectType()
export class PageInfo {
  @Field()
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface Connection<T> {
  edges: Edge<T>[];
  pageInfo: PageInfo;
  totalCount: number;
}

/** A Relay connection type for `node`, named `<nodeName>Connection`, with its `<nodeName>Edge`. */
export function ConnectionType<T extends object>(node: ClassType<T>, nodeName: string) {
  @ObjectType(`${nodeName}Edge`)
  class EdgeType {
    @Field()
    cursor!: string;

    @Field(() => node)
    node!: T;
  }

  @ObjectType(`${nodeName}Connection`)
  class ConnectionClass {
    @Field(() => [EdgeType])
    edges!: EdgeType[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;

    @Field(() => Int)
    totalCount!: number;
  }
  return ConnectionClass;
}

export function checkPageSize(first: number): number {
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw new DomainError("INVALID_ARGUMENT", `first must be between 1 and ${MAX_PAGE_SIZE}, got ${first}`, {
      field: "first",
      max: MAX_PAGE_SIZE,
    });
  }
  return first;
}

/** Cursors are opaque to clients: base64url of the sort key. */
export function encodeCursor(key: string | number): string {
  return Buffer.from(JSON.stringify(key)).toString("base64url");
}

export function decodeCursor<K extends string | number>(cursor: string, kind: "string" | "number"): K {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (typeof key === kind) return key as K;
  } catch {
    // fall through to the error below
  }
  throw new DomainError("INVALID_CURSOR", `"${cursor}" is not a cursor this list handed out`, { cursor });
}

/** Builds the page from `first + 1` fetched rows: the extra row only says there is more. */
export function toConnection<T>(rows: T[], first: number, totalCount: number, keyOf: (row: T) => string | number): Connection<T> {
  const page = rows.slice(0, first);
  const edges = page.map((node) => ({ cursor: encodeCursor(keyOf(node)), node }));
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount,
  };
}

export function mapConnection<A, B>(connection: Connection<A>, map: (node: A) => B): Connection<B> {
  return { ...connection, edges: connection.edges.map((edge) => ({ cursor: edge.cursor, node: map(edge.node) })) };
}
