/**
 * The Firehose data-transformation function: the ingest function's validation and transformation
 * under Firehose's record-transformation contract (see `transform.ts`). Entry points for infra:
 * `createFirehoseTransformHandler` (a zero-argument `callbackFactory`) and
 * `createFirehoseTransformHandlerWith(options)`.
 */
export * from "./types";
export * from "./transform";
export * from "./telemetry";
export * from "./handler";
