import { mkdir, rename, rm, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { CliError, ExitCode } from "../cli/exit-codes";
import { DigestMismatchError } from "./digest-mismatch-error";
import { partialPathFor } from "./output-path";
import type { ProgressMeter } from "./progress-meter";
import { downloadResumable } from "./resumable-download";
import { sha256File } from "./sha256-file";

export interface BlobPull {
  apiUrl: string;
  authorization: string;
  /** The sha256 the bytes must hash to (hex). */
  hex: string;
  sizeBytes: number;
  /** What the bytes are, for messages (student@v3). */
  label: string;
  /** Absolute path the verified file is renamed to. */
  output: string;
  idleTimeoutMs: number;
  signal: AbortSignal;
  progress: ProgressMeter;
  /** A line for stderr about something the user should know (a restart from zero). */
  note(line: string): void;
}

export interface PulledBlob {
  /** False when `output` had the bytes already. */
  downloaded: boolean;
  /** Bytes kept from an interrupted earlier pull; 0 when none were. */
  resumedFrom: number;
  /** Bytes fetched from the API by this pull. */
  fetched: number;
}

/**
 * Makes `output` hold exactly the blob's bytes, or leaves it as it was. An output that has them
 * already is left alone; otherwise the bytes go to a partial file (resumed when an earlier pull
 * left one), are verified against the digest, and only then renamed over `output`. A mismatch
 * removes the partial file and is exit status 5: nothing of the bad bytes stays behind.
 */
export async function pullBlob(pull: BlobPull): Promise<PulledBlob> {
  const partialPath = partialPathFor(pull.output, pull.hex);
  const download = () =>
    downloadResumable({
      url: `${pull.apiUrl}/v1/blobs/sha256/${pull.hex}`,
      authorization: pull.authorization,
      sizeBytes: pull.sizeBytes,
      partialPath,
      idleTimeoutMs: pull.idleTimeoutMs,
      signal: pull.signal,
      onProgress: (bytes) => pull.progress.update(bytes),
    });
  try {
    if (await holdsBlob(pull.output, pull.hex, pull.sizeBytes, pull.signal)) return { downloaded: false, resumedFrom: 0, fetched: 0 };
    await mkdir(dirname(pull.output), { recursive: true });
    let result = await download();
    if (result.hex !== pull.hex && result.resumedFrom > 0) {
      // The kept bytes may be the bad ones (a disk, an edit): one fresh try tells the server's copy apart.
      await rm(partialPath, { force: true });
      pull.note(`the ${result.resumedFrom} bytes kept from an earlier pull did not lead to sha256:${pull.hex}: downloading ${pull.label} from the start`);
      result = await download();
    }
    if (result.hex !== pull.hex) {
      await rm(partialPath, { force: true });
      throw new DigestMismatchError(
        `${pull.label}: the downloaded bytes hash to sha256:${result.hex}, but the registry says sha256:${pull.hex}; nothing was written (the server's copy may be corrupt)`,
      );
    }
    await rename(partialPath, pull.output);
    return { downloaded: true, resumedFrom: result.resumedFrom, fetched: result.fetched };
  } catch (error) {
    if (!pull.signal.aborted) throw error;
    const kept = await stat(partialPath).then((info) => info.size, () => 0);
    const resume = kept > 0 ? `; ${kept} of ${pull.sizeBytes} bytes are kept in ${partialPath}: run the same command again to resume` : "";
    throw new CliError(`interrupted${resume}`, ExitCode.INTERRUPTED);
  } finally {
    pull.progress.done();
  }
}

/** The file exists with the blob's size and digest (the size is checked first: no reading a file that cannot match). */
async function holdsBlob(path: string, hex: string, sizeBytes: number, signal: AbortSignal): Promise<boolean> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile() || info.size !== sizeBytes) return false;
  return (await sha256File(path, signal)).hex === hex;
}
