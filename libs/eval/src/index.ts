export * from "./npy";
export * from "./npz";
export * from "./statistics";
export * from "./symmetric-eigen";
export * from "./frechet";
