/**
 * Producers: the `RecordProducer` interface with Kafka (kafkajs) and Kinesis (PutRecords)
 * implementations, and the deterministic `orders` generator used by the produce CLI, the
 * integration tests and the benchmarks.
 */
export * from "./types";
export * from "./kafka";
export * from "./kinesis";
export * from "./orders";
