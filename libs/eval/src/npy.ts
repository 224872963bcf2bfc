// NumPy .npy format (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html):
// magic "\x93NUMPY", version byte pair, header length (uint16 for v1, uint32 for v2/v3), an ASCII
// Python-dict header {'descr', 'fortran_order', 'shape'}, then the raw array bytes.
// float64/float32 are what FID statistics (mu, sigma) use; int64 is how numpy stores integer model
// inputs (a UNet's timesteps and class labels, for `distillery quantize --calibration inputs.npz`).

export type NpyDtype = "float64" | "float32" | "int64";

export interface NpyArray {
  dtype: NpyDtype;
  /** Dimensions, C order. A scalar has shape []. */
  shape: number[];
  /** Elements in C (row-major) order; int64 values as numbers (exact up to 2^53, refused beyond). */
  data: Float64Array | Float32Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
// numpy pads the header so the data starts on a 64-byte boundary (ARRAY_ALIGN in numpy.lib.format).
const ALIGN = 64;

function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

function parseDescr(descr: string): { dtype: NpyDtype; littleEndian: boolean } {
  // '<' little, '>' big, '=' native (little on every platform we run), '|' not applicable.
  const m = /^([<>=|])(f8|f4|i8)$/.exec(descr);
  if (!m) throw new Error(`npy: unsupported dtype descr '${descr}' (only float64, float32 and int64)`);
  return { dtype: m[2] === "f8" ? "float64" : m[2] === "f4" ? "float32" : "int64", littleEndian: m[1] !== ">" };
}

/** Parses the Python-literal header dict that numpy writes (not general Python). */
function parseHeader(text: string): { descr: string; fortranOrder: boolean; shape: number[] } {
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text);
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text);
  const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(text);
  if (!descr || !fortran || !shape) throw new Error(`npy: malformed header ${JSON.stringify(text)}`);
  const dims = shape[1]!
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      const v = Number(s.replace(/L$/, "")); // Python 2 longs
      if (!Number.isSafeInteger(v) || v < 0) throw new Error(`npy: bad dimension '${s}'`);
      return v;
    });
  return { descr: descr[1]!, fortranOrder: fortran[1] === "True", shape: dims };
}

/** Reverses the axis order of a Fortran-ordered buffer so callers always see C order. */
function fortranToC<T extends Float64Array | Float32Array>(src: T, shape: readonly number[]): T {
  const nd = shape.length;
  if (nd < 2) return src;
  const out = new (src.constructor as { new (n: number): T })(src.length);
  // Fortran strides: first axis fastest.
  const fStride = new Array<number>(nd);
  fStride[0] = 1;
  for (let a = 1; a < nd; a++) fStride[a] = fStride[a - 1]! * shape[a - 1]!;
  const idx = new Array<number>(nd).fill(0);
  for (let c = 0; c < out.length; c++) {
    let f = 0;
    for (let a = 0; a < nd; a++) f += idx[a]! * fStride[a]!;
    out[c] = src[f]!;
    for (let a = nd - 1; a >= 0; a--) {
      if (++idx[a]! < shape[a]!) break;
      idx[a] = 0;
    }
  }
  return out;
}

export function readNpy(bytes: Uint8Array): NpyArray {
  for (let i = 0; i < MAGIC.length; i++) {
    if (bytes[i] !== MAGIC[i]) throw new Error("npy: bad magic (not a .npy file)");
  }
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let headerStart: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    headerLen = view.getUint32(8, true);
    headerStart = 12;
  } else {
    throw new Error(`npy: unsupported format version ${String(major)}`);
  }
  // v3 allows utf8 headers; v1/v2 are latin1. Our keys are ASCII either way.
  const text = Buffer.from(bytes.subarray(headerStart, headerStart + headerLen)).toString(
    major === 3 ? "utf8" : "latin1",
  );
  const header = parseHeader(text);
  const { dtype, littleEndian } = parseDescr(header.descr);
  const count = elementCount(header.shape);
  const itemSize = dtype === "float32" ? 4 : 8;
  const dataStart = headerStart + headerLen;
  if (bytes.byteLength - dataStart < count * itemSize) {
    throw new Error(`npy: truncated data (need ${count * itemSize} bytes, have ${bytes.byteLength - dataStart})`);
  }
  let data: Float64Array | Float32Array;
  if (dtype === "int64") {
    data = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      const value = view.getBigInt64(dataStart + i * 8, littleEndian);
      if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) throw new Error(`npy: int64 value ${value} is beyond 2^53`);
      data[i] = Number(value);
    }
  } else if (littleEndian) {
    // Copy into a fresh buffer: the source offset need not be aligned for a typed-array view.
    // (Not bytes.slice: on a Node Buffer that is a view into a shared pool, not a copy.)
    const copy = new Uint8Array(count * itemSize);
    copy.set(bytes.subarray(dataStart, dataStart + count * itemSize));
    data = dtype === "float64" ? new Float64Array(copy.buffer, 0, count) : new Float32Array(copy.buffer, 0, count);
  } else {
    data = dtype === "float64" ? new Float64Array(count) : new Float32Array(count);
    for (let i = 0; i < count; i++) {
      data[i] =
        dtype === "float64"
          ? view.getFloat64(dataStart + i * 8, false)
          : view.getFloat32(dataStart + i * 4, false);
    }
  }
  if (header.fortranOrder) data = fortranToC(data, header.shape);
  return { dtype, shape: header.shape, data };
}

/** Writes little-endian, C-order .npy (version 1.0 unless the header needs more than 65535 bytes). */
export function writeNpy(array: NpyArray): Uint8Array {
  const { dtype, shape, data } = array;
  const count = elementCount(shape);
  if (data.length !== count) throw new Error(`npy: data length ${data.length} != product of shape ${count}`);
  if ((dtype !== "float32") !== data instanceof Float64Array) {
    throw new Error(`npy: dtype ${dtype} does not match ${data.constructor.name}`);
  }
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  const dict = `{'descr': '<${dtype === "float64" ? "f8" : dtype === "float32" ? "f4" : "i8"}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  let version = 1;
  let prefix = 10;
  let total = Math.ceil((prefix + dict.length + 1) / ALIGN) * ALIGN;
  if (total - prefix > 0xffff) {
    version = 2;
    prefix = 12;
    total = Math.ceil((prefix + dict.length + 1) / ALIGN) * ALIGN;
  }
  const headerLen = total - prefix;
  // Space padding then a final newline, as numpy does.
  const header = dict + " ".repeat(headerLen - dict.length - 1) + "\n";
  const itemSize = dtype === "float32" ? 4 : 8;
  const out = new Uint8Array(total + count * itemSize);
  out.set(MAGIC, 0);
  out[6] = version;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, headerLen, true);
  else view.setUint32(8, headerLen, true);
  out.set(Buffer.from(header, "latin1"), prefix);
  if (dtype === "int64") {
    for (let i = 0; i < count; i++) {
      if (!Number.isSafeInteger(data[i])) throw new Error(`npy: int64 data holds ${data[i]}, not a safe integer`);
      view.setBigInt64(total + i * 8, BigInt(data[i]!), true);
    }
  } else if (isLittleEndianHost) {
    out.set(new Uint8Array(data.buffer, data.byteOffset, count * itemSize), total);
  } else {
    for (let i = 0; i < count; i++) {
      if (dtype === "float64") view.setFloat64(total + i * 8, data[i]!, true);
      else view.setFloat32(total + i * 4, data[i]!, true);
    }
  }
  return out;
}

const isLittleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
// Reading relies on typed-array views being little-endian for the fast path.
if (!isLittleEndianHost) throw new Error("@distillery/eval npy: big-endian hosts are not supported");
