export enum Scope {
  READ = "READ",
  WRITE = "WRITE",
  RUNNER = "RUNNER",
  ADMIN = "ADMIN",
}

/**
 * What each granted scope implies. ADMIN implies everything; WRITE and RUNNER imply READ
 * because neither can do its job without reading the registry.
 */
const implied: Record<Scope, readonly Scope[]> = {
  [Scope.READ]: [Scope.READ],
  [Scope.WRITE]: [Scope.WRITE, Scope.READ],
  [Scope.RUNNER]: [Scope.RUNNER, Scope.READ],
  [Scope.ADMIN]: [Scope.ADMIN, Scope.WRITE, Scope.RUNNER, Scope.READ],
};

export function effectiveScopes(granted: readonly Scope[]): Set<Scope> {
  return new Set(granted.flatMap((scope) => implied[scope]));
}

/** True when the granted scopes satisfy any one of the required scopes. */
export function hasScope(granted: readonly Scope[], required: readonly Scope[]): boolean {
  const effective = effectiveScopes(granted);
  return required.length === 0 || required.some((scope) => effective.has(scope));
}
