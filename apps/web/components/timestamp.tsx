import { formatTime } from "../lib/model-links";

export function Timestamp({ iso }: { iso: string }) {
  return <time dateTime={iso}>{formatTime(iso)}</time>;
}
