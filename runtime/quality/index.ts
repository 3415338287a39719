export * from "./errors";
export * from "./metrics";
export * from "./evaluate";
export * from "./sql";
export * from "./telemetry";
export * from "./summary";
export { createQualityHandler, runQuality } from "./handler";
export type { QualityDeps, QualityEvent, QualityHandlerOptions } from "./handler";
