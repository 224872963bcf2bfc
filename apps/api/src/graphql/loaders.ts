import { createAliasLoaders } from "../modules/alias/alias.loader";
import { createEvaluationLoaders } from "../modules/evaluation/evaluation.loader";
import { createModelVersionLoaders } from "../modules/model-version/model-version.loader";
import { createModelLoaders } from "../modules/model/model.loader";
import { createRunLoaders } from "../modules/run/run.loader";
import type { Services } from "../services";

/** Fresh per request: DataLoader caches must never outlive one request's view of the data. */
export function createLoaders(services: Services) {
  return {
    ...createModelLoaders(services.models),
    ...createModelVersionLoaders(services.versions),
    ...createAliasLoaders(services.aliases),
    ...createRunLoaders(services.runs, services.experiments, services.runners, services.metrics),
    ...createEvaluationLoaders(services.evaluations),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
