import { registerEnumType } from "type-graphql";
import {
  DatasetFormat,
  DeviceKind,
  DeviceRequirement,
  ExperimentKind,
  FailureKind,
  JobState,
  LineageRelation,
  ModelFormat,
  ModelRole,
  Precision,
  RunStatus,
  Scope,
  VersionStatus,
} from "@distillery/domain";

registerEnumType(ModelRole, { name: "ModelRole" });
registerEnumType(VersionStatus, { name: "VersionStatus" });
registerEnumType(ModelFormat, { name: "ModelFormat" });
registerEnumType(Precision, { name: "Precision" });
registerEnumType(LineageRelation, { name: "LineageRelation" });
registerEnumType(DatasetFormat, { name: "DatasetFormat" });
registerEnumType(Scope, { name: "Scope", description: "ADMIN implies every scope; WRITE and RUNNER imply READ." });
registerEnumType(ExperimentKind, { name: "ExperimentKind" });
registerEnumType(RunStatus, { name: "RunStatus", description: "Derived from the run's job: LEASED and RUNNING jobs are RUNNING runs, DEAD ones FAILED." });
registerEnumType(JobState, { name: "JobState" });
registerEnumType(FailureKind, { name: "FailureKind", description: "USER_ERROR fails the run at once; INFRA_ERROR is retried with backoff." });
registerEnumType(DeviceKind, { name: "DeviceKind" });
registerEnumType(DeviceRequirement, { name: "DeviceRequirement" });
