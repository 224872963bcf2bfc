// The launch page's inputs besides the spec, as fields the generated form's components render.
import type { EnumField, NumberField, TextField } from "./spec-form/fields";

export const DEVICE_REQUIREMENTS = ["ANY", "CPU", "CUDA"] as const;
export type DeviceRequirement = (typeof DEVICE_REQUIREMENTS)[number];

/** Same limits as the API's launchExperiment. */
export const MAX_ATTEMPTS = { min: 1, max: 100, default: 3 };

// The inputs around the generated spec fields, rendered by the same components.
export const NAME_FIELD: TextField = { type: "text", path: "name", id: "field-name", key: "name", label: "Name", required: true, hint: "unique; a-z, 0-9, '.', '_', '-'" };
export const TAGS_FIELD: TextField = { type: "text", path: "tags", id: "field-tags", key: "tags", label: "Tags", required: false, hint: "comma-separated" };
export const MAX_ATTEMPTS_FIELD: NumberField = {
  type: "number",
  path: "maxAttempts",
  id: "field-maxAttempts",
  key: "maxAttempts",
  label: "Max attempts",
  required: true,
  integer: true,
  min: MAX_ATTEMPTS.min,
  max: MAX_ATTEMPTS.max,
  default: MAX_ATTEMPTS.default,
  hint: "leases before the run fails for good (infrastructure failures, lost leases)",
};
export const DEVICE_FIELD: EnumField = {
  type: "enum",
  path: "device",
  id: "field-device",
  key: "device",
  label: "Device requirement",
  required: true,
  options: [...DEVICE_REQUIREMENTS],
  default: "ANY",
  hint: "what the runner that takes the job must have",
};

