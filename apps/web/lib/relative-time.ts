const UNITS: Array<[limitSeconds: number, perUnit: number, unit: string]> = [
  [60, 1, "s"],
  [3600, 60, "min"],
  [86_400, 3600, "h"],
  [Infinity, 86_400, "d"],
];

/** "12 s ago", "3 min ago", "5 h ago", "2 d ago"; "just now" under a second (or clocks apart). */
export function timeAgo(iso: string, now: Date = new Date()): string {
  const seconds = Math.floor((now.getTime() - new Date(iso).getTime()) / 1000);
  if (!Number.isFinite(seconds)) return iso;
  if (seconds < 1) return "just now";
  const [, perUnit, unit] = UNITS.find(([limit]) => seconds < limit)!;
  return `${Math.floor(seconds / perUnit)} ${unit} ago`;
}
