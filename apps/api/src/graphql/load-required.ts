import type DataLoader from "dataloader";

/** For rows a foreign key guarantees: a miss means the database broke its promise. */
export async function loadRequired<K, V>(loader: DataLoader<K, V | undefined>, key: K, what: string): Promise<V> {
  const value = await loader.load(key);
  if (value === undefined) throw new Error(`${what} ${String(key)} vanished`);
  return value;
}
