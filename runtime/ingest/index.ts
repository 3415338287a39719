/**
 * The real-time ingest function: decode MSK or Kinesis events, validate and normalise each record
 * against its dataset definition, land valid records as gzip NDJSON in the raw zone and invalid
 * ones in the rejects zone, with deterministic keys and idempotent conditional writes.
 *
 * Entry points for infra: `createKafkaIngestHandler`, `createKinesisIngestHandler` (zero-argument
 * factories for `CallbackFunction.callbackFactory`) and `createIngestHandler(options)`.
 * The environment variables are listed in `ingestEnvironmentVariables`.
 */
export * from "./types";
export * from "./errors";
export * from "./decode";
export * from "./time";
export * from "./validate";
export * from "./layout";
export * from "./classify";
export * from "./plan";
export * from "./write";
export * from "./accounting";
export * from "./telemetry";
export * from "./settings";
export * from "./process";
export * from "./handler";
