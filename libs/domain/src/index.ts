export * from "./errors";
export * from "./enums";
export * from "./scopes";
export * from "./digest";
export * from "./names";
export * from "./refs";
