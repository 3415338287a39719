/**
 * Local stand-ins for Lambda's event source mappings (Kafka and Kinesis) and a local ingest
 * pipeline built on them. Used by the integration tests and for running the pipeline on a laptop.
 */
export * from "./runner";
export * from "./events";
export * from "./kafkaEventSource";
export * from "./kinesisEventSource";
export * from "./pipeline";
export * from "./settings";
