/** Every failure this library reports on purpose; callers branch on `code`, not on messages. */
export type OnnxErrorCode =
  | "INVALID_ONNX" // the bytes are not a readable ONNX model
  | "UNSUPPORTED_MODEL" // readable, but uses something this library does not handle
  | "CALIBRATION_REQUIRED" // int8-static asked for without calibration feeds
  | "CALIBRATION_FAILED" // calibration feeds could not be run or gave no usable ranges
  | "INVALID_ARGUMENT" // a request or option out of its allowed range
  | "RUNTIME_FAILED"; // onnxruntime-node refused or failed to run a model

export class OnnxError extends Error {
  override readonly name = "OnnxError";

  constructor(
    readonly code: OnnxErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message.split("\n")[0]! : String(error);
}
