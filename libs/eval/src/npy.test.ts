import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readNpy, writeNpy } from "./npy";
import { readFidStatistics, readNpz, writeFidStatistics, writeNpz } from "./npz";
import { itWithReferencePython, runPython } from "./python.test-helper";

const dir = mkdtempSync(join(tmpdir(), "eval-npy-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("npy round trip", () => {
  it("keeps float64 shape and values", () => {
    const data = Float64Array.from({ length: 24 }, (_, i) => Math.sin(i) * 1e10 + i / 3);
    const back = readNpy(writeNpy({ dtype: "float64", shape: [2, 3, 4], data }));
    expect(back.dtype).toBe("float64");
    expect(back.shape).toEqual([2, 3, 4]);
    expect(Array.from(back.data)).toEqual(Array.from(data));
  });

  it("keeps float32, 1-d and scalar arrays", () => {
    const data = Float32Array.from([1.5, -2.25, 3e-8]);
    const back = readNpy(writeNpy({ dtype: "float32", shape: [3], data }));
    expect(back.data).toBeInstanceOf(Float32Array);
    expect(back.shape).toEqual([3]);
    expect(Array.from(back.data)).toEqual(Array.from(data));
    const scalar = readNpy(writeNpy({ dtype: "float64", shape: [], data: Float64Array.of(7) }));
    expect(scalar.shape).toEqual([]);
    expect(Array.from(scalar.data)).toEqual([7]);
  });

  it("aligns the data to 64 bytes like numpy", () => {
    const bytes = writeNpy({ dtype: "float64", shape: [1], data: Float64Array.of(1) });
    expect((bytes.length - 8) % 64).toBe(0);
  });

  it("rejects a mismatched shape and unsupported dtypes", () => {
    expect(() => writeNpy({ dtype: "float64", shape: [2, 2], data: new Float64Array(3) })).toThrow(/shape/);
    const bytes = writeNpy({ dtype: "float64", shape: [1], data: Float64Array.of(1) });
    const text = Buffer.from(bytes).toString("latin1").replace("<f8", "<u2");
    expect(() => readNpy(Buffer.from(text, "latin1"))).toThrow(/unsupported dtype/);
  });

  it("keeps int64 arrays (a UNet's timesteps and labels) as numbers, refusing what a number cannot hold exactly", () => {
    const back = readNpy(writeNpy({ dtype: "int64", shape: [2, 2], data: Float64Array.of(0, 999, -1, 2 ** 40) }));
    expect(back.dtype).toBe("int64");
    expect(Array.from(back.data)).toEqual([0, 999, -1, 2 ** 40]);
    expect(() => writeNpy({ dtype: "int64", shape: [1], data: Float64Array.of(0.5) })).toThrow(/not a safe integer/);
    const huge = writeNpy({ dtype: "int64", shape: [1], data: Float64Array.of(0) });
    new DataView(huge.buffer).setBigInt64(huge.length - 8, 2n ** 60n, true);
    expect(() => readNpy(huge)).toThrow(/beyond 2\^53/);
  });
});

describe("npz round trip", () => {
  for (const compress of [false, true]) {
    it(`keeps FID statistics (compress=${String(compress)})`, () => {
      const mu = Float64Array.from([1, 2, 3]);
      const sigma = Float64Array.from([1, 0.5, 0, 0.5, 2, 0.1, 0, 0.1, 3]);
      const back = readFidStatistics(writeFidStatistics({ mu, sigma, dim: 3 }, { compress }));
      expect(back.dim).toBe(3);
      expect(Array.from(back.mu)).toEqual(Array.from(mu));
      expect(Array.from(back.sigma)).toEqual(Array.from(sigma));
    });
  }

  it("is deterministic", () => {
    const arrays = { a: { dtype: "float64" as const, shape: [2], data: Float64Array.of(1, 2) } };
    expect(Buffer.from(writeNpz(arrays, { compress: true })).equals(Buffer.from(writeNpz(arrays, { compress: true })))).toBe(true);
  });
});

describe("interoperability with numpy (/usr/bin/python3)", () => {
  itWithReferencePython("reads np.savez, np.savez_compressed and np.save variants", () => {
    runPython(
      `
import numpy as np
rng = np.random.default_rng(0)
mu = rng.standard_normal(5)
x = rng.standard_normal((20, 5))
sigma = np.cov(x, rowvar=False)
np.savez("plain.npz", mu=mu, sigma=sigma)
np.savez_compressed("compressed.npz", mu=mu, sigma=sigma)
np.save("f32.npy", sigma.astype(np.float32))
np.save("fortran.npy", np.asfortranarray(np.arange(24, dtype=np.float64).reshape(2, 3, 4)))
np.save("bigendian.npy", np.arange(6, dtype=">f8").reshape(2, 3))
np.save("int64.npy", np.array([[3, -7], [999, 0]], dtype=np.int64))
np.savetxt("mu.txt", mu, fmt="%.17g")
np.savetxt("sigma.txt", sigma.ravel(), fmt="%.17g")
`,
      dir,
    );
    const mu = readFileSync(join(dir, "mu.txt"), "utf8").trim().split("\n").map(Number);
    const sigma = readFileSync(join(dir, "sigma.txt"), "utf8").trim().split("\n").map(Number);
    for (const file of ["plain.npz", "compressed.npz"]) {
      const stats = readFidStatistics(readFileSync(join(dir, file)));
      expect(stats.dim).toBe(5);
      expect(Array.from(stats.mu)).toEqual(mu);
      expect(Array.from(stats.sigma)).toEqual(sigma);
    }
    const f32 = readNpy(readFileSync(join(dir, "f32.npy")));
    expect(f32.dtype).toBe("float32");
    expect(f32.shape).toEqual([5, 5]);
    expect(Array.from(f32.data)).toEqual(Array.from(Float32Array.from(sigma)));
    const fortran = readNpy(readFileSync(join(dir, "fortran.npy")));
    expect(fortran.shape).toEqual([2, 3, 4]);
    expect(Array.from(fortran.data)).toEqual(Array.from({ length: 24 }, (_, i) => i));
    const big = readNpy(readFileSync(join(dir, "bigendian.npy")));
    expect(Array.from(big.data)).toEqual([0, 1, 2, 3, 4, 5]);
    const integers = readNpy(readFileSync(join(dir, "int64.npy")));
    expect(integers).toMatchObject({ dtype: "int64", shape: [2, 2] });
    expect(Array.from(integers.data)).toEqual([3, -7, 999, 0]);
  });

  itWithReferencePython("writes .npz files that numpy reads", () => {
    const mu = Float64Array.from([0.1, -2, 3e100]);
    const sigma = Float64Array.from({ length: 9 }, (_, i) => i / 7);
    writeFileSync(join(dir, "ours.npz"), writeFidStatistics({ mu, sigma, dim: 3 }));
    writeFileSync(join(dir, "ours-compressed.npz"), writeFidStatistics({ mu, sigma, dim: 3 }, { compress: true }));
    writeFileSync(
      join(dir, "ours-f32.npz"),
      writeNpz({ x: { dtype: "float32", shape: [2, 2], data: Float32Array.of(1, 2, 3, 4.5) } }),
    );
    const out = runPython(
      `
import json, numpy as np
res = {}
for f in ["ours.npz", "ours-compressed.npz"]:
    z = np.load(f)
    assert z["mu"].dtype == np.float64 and z["mu"].shape == (3,), z["mu"]
    assert z["sigma"].shape == (3, 3) and z["sigma"].flags.c_contiguous
    res[f] = [z["mu"].tolist(), z["sigma"].ravel().tolist()]
x = np.load("ours-f32.npz")["x"]
assert x.dtype == np.float32 and x.shape == (2, 2)
res["x"] = x.ravel().tolist()
print(json.dumps(res))
`,
      dir,
    );
    const res = JSON.parse(out) as Record<string, number[] | number[][]>;
    for (const f of ["ours.npz", "ours-compressed.npz"]) {
      expect(res[f]).toEqual([Array.from(mu), Array.from(sigma)]);
    }
    expect(res["x"]).toEqual([1, 2, 3, 4.5]);
    expect(Object.keys(readNpz(readFileSync(join(dir, "ours-f32.npz"))))).toEqual(["x"]);
  });
});
