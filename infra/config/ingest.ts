/** Ingest function config: the Lambda function's size and its event source mapping. */
import { ConfigKey, ConfigReader } from "./reader";

export const ingestKeys: readonly ConfigKey[] = [
    { name: "ingestMemoryMb", type: "integer", default: 512, example: "1024", description: "Memory of each ingest function in MB (128 to 10240)." },
    { name: "ingestTimeoutSeconds", type: "integer", default: 120, example: "300", description: "Timeout of each ingest function in seconds (10 to 900)." },
    { name: "ingestReservedConcurrency", type: "integer", default: 10, example: "50", description: "Reserved concurrency of each ingest function (1 to 1000): caps its share of the account's concurrency." },
    { name: "ingestBatchSize", type: "integer", default: 500, example: "1000", description: "Records per invocation from the event source mapping (1 to 10000)." },
    { name: "ingestBatchingWindowSeconds", type: "integer", default: 5, example: "10", description: "Maximum batching window of the event source mapping in seconds (0 to 300)." },
    { name: "ingestMaxRetries", type: "integer", default: 5, example: "10", description: "Retries of a failing batch before it goes to the on-failure destination (0 to 10000)." },
    { name: "ingestMaxRecordAgeSeconds", type: "integer", default: 86400, example: "21600", description: "Records older than this go to the on-failure destination instead of being retried (60 to 604800)." },
    { name: "kinesisParallelization", type: "integer", default: 2, example: "4", description: "Concurrent batches per Kinesis shard (1 to 10)." },
    { name: "mskMaxPollers", type: "integer", default: 4, example: "10", description: "Maximum provisioned pollers of each MSK event source mapping (1 to 2000)." },
];

export interface IngestConfig {
    readonly memoryMb: number;
    readonly timeoutSeconds: number;
    readonly reservedConcurrency: number;
    readonly batchSize: number;
    readonly batchingWindowSeconds: number;
    readonly maxRetries: number;
    readonly maxRecordAgeSeconds: number;
    readonly kinesisParallelization: number;
    readonly mskMaxPollers: number;
}

export function parseIngest(reader: ConfigReader): IngestConfig {
    return {
        memoryMb: reader.range("ingestMemoryMb", 128, 10240),
        timeoutSeconds: reader.range("ingestTimeoutSeconds", 10, 900),
        reservedConcurrency: reader.range("ingestReservedConcurrency", 1, 1000),
        batchSize: reader.range("ingestBatchSize", 1, 10000),
        batchingWindowSeconds: reader.range("ingestBatchingWindowSeconds", 0, 300),
        maxRetries: reader.range("ingestMaxRetries", 0, 10000),
        maxRecordAgeSeconds: reader.range("ingestMaxRecordAgeSeconds", 60, 604800),
        kinesisParallelization: reader.range("kinesisParallelization", 1, 10),
        mskMaxPollers: reader.range("mskMaxPollers", 1, 2000),
    };
}
