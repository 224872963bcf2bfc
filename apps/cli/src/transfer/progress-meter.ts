import { formatBytes } from "@distillery/domain";

/** Redraws at most this often: a terminal repaint per 64 KiB chunk would cost more than the hashing. */
const REDRAW_INTERVAL_MS = 100;
const BAR_WIDTH = 24;

export interface ProgressMeter {
  /** Bytes done so far (including any kept from an earlier try). */
  update(bytes: number): void;
  /** Clears the bar, leaving the line for the summary. */
  done(): void;
}

const SILENT: ProgressMeter = { update: () => undefined, done: () => undefined };

/**
 * A one-line bar on stderr (bytes, %, MiB/s, ETA) when stderr is a terminal; nothing otherwise,
 * so CI logs get the command's one summary line instead of thousands of carriage returns.
 */
export function progressMeter(label: string, total: number, stream: NodeJS.WriteStream = process.stderr): ProgressMeter {
  if (!stream.isTTY) return SILENT;
  const started = Date.now();
  let firstBytes: number | undefined;
  let lastDrawn = 0;
  return {
    update(bytes) {
      firstBytes ??= bytes;
      const now = Date.now();
      if (now - lastDrawn < REDRAW_INTERVAL_MS && bytes < total) return;
      lastDrawn = now;
      const fraction = total === 0 ? 1 : bytes / total;
      const filled = Math.round(fraction * BAR_WIDTH);
      // The rate counts this run's bytes only: bytes kept from an earlier try arrived instantly.
      const seconds = (now - started) / 1000;
      const rate = seconds > 0 ? (bytes - firstBytes) / seconds : 0;
      const eta = rate > 0 ? formatDuration((total - bytes) / rate) : "--:--";
      const line = `${label} [${"#".repeat(filled)}${"-".repeat(BAR_WIDTH - filled)}] ${formatBytes(bytes)} / ${formatBytes(total)}  ${Math.floor(fraction * 100)}%  ${formatBytes(rate)}/s  ETA ${eta}`;
      stream.write(`\r${line.slice(0, (stream.columns || 120) - 1)}\x1b[K`);
    },
    done() {
      if (lastDrawn > 0) stream.write("\r\x1b[K");
    },
  };
}

function formatDuration(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  const minutes = Math.floor(whole / 60);
  return `${minutes}:${String(whole % 60).padStart(2, "0")}`;
}
