import { createPubSub } from "@graphql-yoga/subscription";

/**
 * In-process publish/subscribe behind GraphQL subscriptions. One API process sees its own
 * events; replicas will need PostgreSQL LISTEN/NOTIFY behind this same interface.
 */
export type EventBus = ReturnType<typeof createEventBus>;

export function createEventBus() {
  return createPubSub();
}
