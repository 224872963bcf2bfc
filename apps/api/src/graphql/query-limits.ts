import {
  type FragmentDefinitionNode,
  GraphQLError,
  Kind,
  type SelectionSetNode,
  type ValidationRule,
} from "graphql";
import type { ApolloServerPlugin } from "@apollo/server";
import { fieldExtensionsEstimator, getComplexity, simpleEstimator, type ComplexityEstimator } from "graphql-query-complexity";

export const MAX_QUERY_DEPTH = 15;
export const MAX_QUERY_COMPLEXITY = 20_000;

/** Rejects operations nested deeper than `maxDepth` fields (introspection is not counted). */
export function depthLimitRule(maxDepth: number): ValidationRule {
  return (context) => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of context.getDocument().definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    }
    const depthOf = (selectionSet: SelectionSetNode, visited: Set<string>): number => {
      let deepest = 0;
      for (const selection of selectionSet.selections) {
        if (selection.kind === Kind.FIELD) {
          if (selection.name.value.startsWith("__")) continue;
          const below = selection.selectionSet ? depthOf(selection.selectionSet, visited) : 0;
          deepest = Math.max(deepest, 1 + below);
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          deepest = Math.max(deepest, depthOf(selection.selectionSet, visited));
        } else {
          const fragment = fragments.get(selection.name.value);
          if (!fragment || visited.has(fragment.name.value)) continue;
          deepest = Math.max(deepest, depthOf(fragment.selectionSet, new Set([...visited, fragment.name.value])));
        }
      }
      return deepest;
    };
    return {
      OperationDefinition(operation) {
        const depth = depthOf(operation.selectionSet, new Set());
        if (depth > maxDepth) {
          context.reportError(
            new GraphQLError(`Query depth ${depth} exceeds the limit of ${maxDepth}`, {
              nodes: [operation],
              extensions: { code: "BAD_USER_INPUT", reason: "QUERY_TOO_DEEP", details: { depth, maxDepth } },
            }),
          );
        }
      },
    };
  };
}

/** A list field asked for `first: N` costs N times what one item costs. */
const paginationEstimator: ComplexityEstimator = ({ args, childComplexity }) =>
  typeof args.first === "number" ? 1 + childComplexity * args.first : undefined;

export function complexityLimitPlugin(maxComplexity: number): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, schema }) {
          const complexity = getComplexity({
            schema,
            query: document,
            variables: request.variables ?? {},
            ...(request.operationName ? { operationName: request.operationName } : {}),
            estimators: [fieldExtensionsEstimator(), paginationEstimator, simpleEstimator({ defaultComplexity: 1 })],
          });
          if (complexity > maxComplexity) {
            throw new GraphQLError(`Query complexity ${complexity} exceeds the limit of ${maxComplexity}`, {
              extensions: { code: "BAD_USER_INPUT", reason: "QUERY_TOO_COMPLEX", details: { complexity, maxComplexity }, http: { status: 400 } },
            });
          }
        },
      };
    },
  };
}
