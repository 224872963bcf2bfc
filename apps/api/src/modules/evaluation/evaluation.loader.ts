import DataLoader from "dataloader";
import { byKey } from "../../graphql/group-by";
import type { EvaluationProtocolEntity } from "./evaluation-protocol.entity";
import type { EvaluationService } from "./evaluation.service";

export function createEvaluationLoaders(evaluations: EvaluationService) {
  return {
    protocolById: new DataLoader<string, EvaluationProtocolEntity | undefined>(async (ids) =>
      byKey(ids, await evaluations.protocolsByIds(ids), (row) => row.id),
    ),
    evaluatedVersionCountByProtocolId: new DataLoader<string, number>(async (ids) =>
      byKey(ids, await evaluations.versionCounts(ids), (row) => row.protocolId).map((row) => row?.count ?? 0),
    ),
  };
}
