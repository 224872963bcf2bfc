export * from "./api-error";
export * from "./blob-client";
export * from "./describe-error";
export * from "./graphql-client";
export * from "./operations/leaderboard";
export * from "./operations/runs";
