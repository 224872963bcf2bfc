import { frechetDistanceAsync, readFidStatistics } from "@distillery/eval";
import { readInputFile } from "./read-input-file";

/**
 * `distillery fid a.npz b.npz`: the Frechet distance between two sets of pytorch-fid statistics
 * (`mu`, `sigma`), computed in float64 in the symmetric form (stays real for singular
 * covariances). Prints the number alone, or `--json` with the dimension.
 */
export async function fid(first: string, second: string, options: { json: boolean }): Promise<number> {
  const [a, b] = await Promise.all([first, second].map(async (path) => {
    const bytes = await readInputFile(path);
    try {
      return readFidStatistics(bytes);
    } catch (error) {
      throw new Error(`${path} is not pytorch-fid statistics (an npz with mu and sigma): ${(error as Error).message}`);
    }
  }));
  if (a!.dim !== b!.dim) throw new Error(`${first} has ${a!.dim}-d statistics and ${second} ${b!.dim}-d: they come from different extractors`);
  // The matrix products in onnxruntime: seconds at 2048-d, where plain TypeScript takes tens.
  const distance = await frechetDistanceAsync(a!.mu, a!.sigma, b!.mu, b!.sigma);
  process.stdout.write(options.json ? `${JSON.stringify({ fid: distance, dim: a!.dim })}\n` : `${distance}\n`);
  return 0;
}
