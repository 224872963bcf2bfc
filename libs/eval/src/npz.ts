// NumPy .npz = a zip archive of "<key>.npy" members (np.savez stores, np.savez_compressed deflates).
// fflate handles both methods, plus the zip64 extra fields numpy's writer adds (force_zip64).
import { unzipSync, zipSync, type Zippable } from "fflate";
import { readNpy, writeNpy, type NpyArray } from "./npy";

export function readNpz(bytes: Uint8Array): Record<string, NpyArray> {
  const files = unzipSync(bytes);
  const out: Record<string, NpyArray> = {};
  for (const [name, content] of Object.entries(files)) {
    if (!name.endsWith(".npy")) continue; // numpy only writes .npy members; ignore anything else
    out[name.slice(0, -4)] = readNpy(content);
  }
  return out;
}

export interface WriteNpzOptions {
  /** Deflate members like np.savez_compressed; default false (stored, like np.savez). */
  compress?: boolean;
}

export function writeNpz(arrays: Record<string, NpyArray>, options: WriteNpzOptions = {}): Uint8Array {
  const level = options.compress ? 6 : 0;
  const zippable: Zippable = {};
  for (const [key, array] of Object.entries(arrays)) {
    // mtime fixed so identical inputs produce identical archives (content-addressed blobstore).
    zippable[`${key}.npy`] = [writeNpy(array), { level, mtime: new Date(1980, 0, 1) }];
  }
  return zipSync(zippable);
}

/** FID statistics as pytorch-fid stores them: mu (D,) and sigma (D, D), float64. */
export interface FidStatistics {
  mu: Float64Array;
  sigma: Float64Array;
  dim: number;
}

export function readFidStatistics(bytes: Uint8Array): FidStatistics {
  const arrays = readNpz(bytes);
  const mu = arrays["mu"];
  const sigma = arrays["sigma"];
  if (!mu || !sigma) throw new Error("npz: FID statistics need keys 'mu' and 'sigma'");
  const dim = mu.shape[0] ?? 0;
  if (mu.shape.length !== 1 || sigma.shape.length !== 2 || sigma.shape[0] !== dim || sigma.shape[1] !== dim) {
    throw new Error(`npz: bad FID shapes mu ${JSON.stringify(mu.shape)} sigma ${JSON.stringify(sigma.shape)}`);
  }
  return { mu: Float64Array.from(mu.data), sigma: Float64Array.from(sigma.data), dim };
}

export function writeFidStatistics(stats: FidStatistics, options: WriteNpzOptions = {}): Uint8Array {
  return writeNpz(
    {
      mu: { dtype: "float64", shape: [stats.dim], data: stats.mu },
      sigma: { dtype: "float64", shape: [stats.dim, stats.dim], data: stats.sigma },
    },
    options,
  );
}
