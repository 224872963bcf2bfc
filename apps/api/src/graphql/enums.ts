import { registerEnumType } from "type-graphql";
import { LineageRelation, ModelFormat, ModelRole, Precision, Scope, VersionStatus } from "@distillery/domain";

registerEnumType(ModelRole, { name: "ModelRole" });
registerEnumType(VersionStatus, { name: "VersionStatus" });
registerEnumType(ModelFormat, { name: "ModelFormat" });
registerEnumType(Precision, { name: "Precision" });
registerEnumType(LineageRelation, { name: "LineageRelation" });
registerEnumType(Scope, { name: "Scope", description: "ADMIN implies every scope; WRITE and RUNNER imply READ." });
