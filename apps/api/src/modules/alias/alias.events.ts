import type { AliasEventEntity } from "./alias-event.entity";

export const ALIAS_CHANGED = "ALIAS_CHANGED";

/** Published after the transaction that moved an alias commits. */
export interface AliasChangedMessage {
  modelName: string;
  event: AliasEventEntity;
}
