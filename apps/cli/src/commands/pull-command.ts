import { parseArgs } from "node:util";
import { ApiError } from "@distillery/client";
import { oneOf, positiveInteger } from "../cli/arguments";
import type { Command } from "../cli/command";
import { CONNECTION_OPTIONS, connect } from "../cli/connection";
import { ExitCode, UsageError } from "../cli/exit-codes";
import { printJson } from "../cli/output";
import { INT8_METHODS } from "../registry/quantization-method";
import { precisionArgument, refArgument } from "../registry/registry-arguments";
import { resolveVersion } from "../registry/resolve-version";
import { hexOf } from "../registry/version-record";
import { interruptible } from "../transfer/interrupt";
import { assertStillLocked, lockedEntry, lockedRefGone, type PullLock } from "../transfer/pull-lock";
import { type LockEntry, lockKey, recordInLockfile } from "../transfer/lockfile";
import { outputPath } from "../transfer/output-path";
import { progressMeter } from "../transfer/progress-meter";
import { pullBlob } from "../transfer/pull-blob";
import { pullSummary } from "../transfer/pull-summary";

const DEFAULT_IDLE_TIMEOUT_S = 60;

/**
 * `distillery pull <ref>`: resolves the ref to one version, downloads its blob with sha256 checked
 * while streaming (resuming an interrupted pull), and renames it into place only when it matches.
 * stdout is the file's path alone, so `path=$(distillery pull …)` works; the rest goes to stderr.
 */
export const pullCommand: Command = {
  name: "pull",
  usage: `pull <ref> [--precision int8|fp16|fp32] [--method int8-dynamic|int8-static] [-o PATH]
            [--lock FILE [--frozen]] [--json]
            download a model version (name, name@v<N> or name@<alias>) with its sha256 verified
            while streaming; an interrupted pull resumes where it stopped, a file that already
            has the digest is not downloaded again. Prints the file's path
            --precision p        the variant QUANTIZED_FROM the ref's version in that precision
            --method m           which int8 variant (default: the newest)
            -o, --output PATH    file or folder (default ./<model>-v<N>-<precision>.<ext>)
            --lock FILE          record ref -> version and digest in FILE (e.g. distillery.lock)
            --frozen             pull exactly what FILE records; exit ${ExitCode.LOCKFILE_MISMATCH} if the ref now
                                 resolves elsewhere (an alias moved) or FILE has no entry
            --idle-timeout <s>   give up after this long without a byte (default ${DEFAULT_IDLE_TIMEOUT_S})`,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: {
        ...CONNECTION_OPTIONS,
        precision: { type: "string" },
        method: { type: "string" },
        output: { type: "string", short: "o" },
        lock: { type: "string" },
        frozen: { type: "boolean", default: false },
        json: { type: "boolean", default: false },
        "idle-timeout": { type: "string" },
      },
      allowPositionals: true,
      strict: true,
    });
    if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? "pull needs a <ref> (e.g. student@production)" : `unexpected argument "${positionals[1]}"`);
    const ref = refArgument(positionals[0]!);
    const precision = precisionArgument(values.precision);
    const method = values.method === undefined ? undefined : oneOf("--method", values.method, INT8_METHODS);
    if (method !== undefined && precision !== undefined && precision !== "INT8") throw new UsageError(`--method ${method} is an int8 variant; it does not go with --precision ${values.precision}`);
    if (values.frozen && values.lock === undefined) throw new UsageError("--frozen needs --lock <file>: the lockfile it holds the pull to");
    const idleTimeoutMs = (positiveInteger("--idle-timeout", values["idle-timeout"]) ?? DEFAULT_IDLE_TIMEOUT_S) * 1000;

    const asked = method ?? precision?.toLowerCase();
    const request = asked ? `${ref} (${asked})` : ref;
    const lockPath = values.lock;
    const pullLock: PullLock | undefined =
      lockPath === undefined
        ? undefined
        : {
            lockPath,
            key: lockKey(ref, precision, method),
            request,
            unfrozenCommand: `distillery pull ${[ref, ...(precision ? ["--precision", precision.toLowerCase()] : []), ...(method ? ["--method", method] : [])].join(" ")} --lock ${lockPath}`,
          };
    // --frozen: the lock is read before the API is asked anything; a missing entry costs no request.
    const locked = values.frozen ? await lockedEntry(pullLock!) : undefined;

    const connection = await connect(values);
    const { version, method: resolvedMethod } = await resolveVersion(connection.graphql, { ref, precision, method }).catch((error: unknown) => {
      if (locked && error instanceof ApiError && error.code === "NOT_FOUND") throw lockedRefGone(pullLock!, locked, error);
      throw error;
    });
    if (locked) assertStillLocked(pullLock!, locked, version);

    const output = await outputPath(version, values.output);
    const started = Date.now();
    const pulled = await interruptible((signal) =>
      pullBlob({
        apiUrl: connection.apiUrl,
        authorization: connection.graphql.authorization(),
        // Frozen: the locked digest, which is the one just resolved (checked above).
        hex: hexOf(locked ?? version),
        sizeBytes: locked?.sizeBytes ?? version.sizeBytes,
        label: version.ref,
        output,
        idleTimeoutMs,
        signal,
        progress: progressMeter(version.ref, version.sizeBytes),
        note: (line) => process.stderr.write(`${line}\n`),
      }),
    );
    const seconds = (Date.now() - started) / 1000;

    let lockNote: string | undefined;
    if (pullLock && locked) lockNote = `matches ${pullLock.lockPath}`;
    else if (pullLock) {
      const entry: LockEntry = {
        ref,
        precision: version.precision.toLowerCase(),
        ...(resolvedMethod ? { method: resolvedMethod } : {}),
        resolved: version.ref,
        digest: version.digest,
        sizeBytes: version.sizeBytes,
        format: version.format,
      };
      const changed = await recordInLockfile(pullLock.lockPath, pullLock.key, entry);
      lockNote = changed ? `wrote "${pullLock.key}" to ${pullLock.lockPath}` : `${pullLock.lockPath} already had it`;
    }
    process.stderr.write(`${pullSummary({ request, resolved: version.ref, sizeBytes: version.sizeBytes, pulled, seconds, output, lockNote })}\n`);

    if (values.json) {
      printJson({
        ref,
        resolved: version.ref,
        digest: version.digest,
        sizeBytes: version.sizeBytes,
        path: output,
        downloaded: pulled.downloaded,
        resumedFrom: pulled.resumedFrom,
        precision: version.precision,
        method: resolvedMethod ?? null,
        format: version.format,
      });
    } else process.stdout.write(`${output}\n`);
    return ExitCode.OK;
  },
};
