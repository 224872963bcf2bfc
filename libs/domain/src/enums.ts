/** Enum values are the GraphQL names; the database stores their lower-case form. */
export enum ModelRole {
  TEACHER = "TEACHER",
  STUDENT = "STUDENT",
  EXTRACTOR = "EXTRACTOR",
}

export enum VersionStatus {
  PENDING = "PENDING",
  READY = "READY",
  FAILED = "FAILED",
  ARCHIVED = "ARCHIVED",
}

export enum ModelFormat {
  ONNX = "ONNX",
  TORCH = "TORCH",
}

export enum Precision {
  FP32 = "FP32",
  FP16 = "FP16",
  INT8 = "INT8",
}

/** How a dataset's blob is laid out; NPZ is the trainer's export_npz (images, labels, class_names). */
export enum DatasetFormat {
  NPZ = "NPZ",
}

export enum LineageRelation {
  DISTILLED_FROM = "DISTILLED_FROM",
  QUANTIZED_FROM = "QUANTIZED_FROM",
  EXPORTED_FROM = "EXPORTED_FROM",
  FINETUNED_FROM = "FINETUNED_FROM",
}

export function toDbEnum(value: string): string {
  return value.toLowerCase();
}

export function fromDbEnum<E extends Record<string, string>>(enumObject: E, value: string): E[keyof E] {
  const upper = value.toUpperCase();
  if (!(upper in enumObject)) throw new Error(`Unknown enum value ${value}`);
  return enumObject[upper as keyof E];
}
