import { defineOperation } from "@distillery/client";
import type { ExperimentKind } from "@distillery/domain";
import type { DeviceRequirement } from "./launch-fields";

export const CREATE_EXPERIMENT = defineOperation<
  { createExperiment: { id: string; name: string } },
  { input: { name: string; kind: ExperimentKind; spec: Record<string, unknown>; tags: string[] } }
>("CreateExperiment", `mutation CreateExperiment($input: CreateExperimentInput!) { createExperiment(input: $input) { id name } }`);

export const LAUNCH_EXPERIMENT = defineOperation<
  { launchExperiment: { id: string; number: number } },
  { input: { experiment: string; maxAttempts: number; requirements: { device: DeviceRequirement } } }
>("LaunchExperiment", `mutation LaunchExperiment($input: LaunchExperimentInput!) { launchExperiment(input: $input) { id number } }`);
