export { formatBytes, formatCount } from "@distillery/domain";

const MIB = 1024 * 1024;

export function formatMiB(bytes: number): string {
  return (bytes / MIB).toFixed(1);
}
