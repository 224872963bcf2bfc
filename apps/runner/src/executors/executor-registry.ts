import type { StepExecutor } from "./step-executor";

/** The executors this runner offers, by experiment kind. */
export class ExecutorRegistry {
  private readonly byKind = new Map<string, StepExecutor>();

  constructor(executors: StepExecutor[]) {
    for (const executor of executors) this.byKind.set(executor.kind, executor);
  }

  get(kind: string): StepExecutor | undefined {
    return this.byKind.get(kind);
  }

  get kinds(): string[] {
    return [...this.byKind.keys()];
  }
}
