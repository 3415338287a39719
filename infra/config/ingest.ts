/**
 * Ingest config: how records get from the stream to the lake (the ingest function on a Lambda event
 * source mapping, or, on Kinesis stacks, a Firehose delivery stream with the same validation as its
 * data-transformation function), the function's size and the delivery's settings.
 */
import { ConfigKey, ConfigReader } from "./reader";

export const ingestDeliveries = ["lambda", "firehose"] as const;
export type IngestDelivery = (typeof ingestDeliveries)[number];

export const ingestKeys: readonly ConfigKey[] = [
    {
        name: "ingestDelivery",
        type: "string",
        default: "lambda",
        example: "firehose",
        description:
            "How records reach the lake: lambda (the ingest function on an event source mapping; exactly once by key) or firehose (Kinesis stacks only: a Firehose delivery stream per dataset with the ingest validation as its data-transformation function; at least once).",
    },
    { name: "firehoseBufferSizeMb", type: "integer", default: 64, example: "128", description: "With ingestDelivery firehose: MiB Firehose buffers per partition before it writes an object (64 to 128; dynamic partitioning needs at least 64)." },
    { name: "firehoseBufferIntervalSeconds", type: "integer", default: 60, example: "300", description: "With ingestDelivery firehose: the longest Firehose buffers per partition before it writes an object, in seconds (60 to 900)." },
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

/** The Firehose delivery's settings (ingestDelivery firehose). */
export interface FirehoseDeliveryConfig {
    /** MiB buffered per partition before an object is written (64 to 128). */
    readonly bufferSizeMb: number;
    /** Seconds buffered per partition at most before an object is written (60 to 900). */
    readonly bufferIntervalSeconds: number;
}

export interface IngestConfig {
    /** `lambda` (event source mapping) or `firehose` (delivery stream; Kinesis only). Defaults to lambda. */
    readonly delivery: IngestDelivery;
    /** Set only when `delivery` is firehose. */
    readonly firehose?: FirehoseDeliveryConfig;
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

/** Keys of the event source mapping, which a Firehose delivery does not have. */
const eventSourceMappingKeys = ["ingestBatchSize", "ingestBatchingWindowSeconds", "ingestMaxRetries", "ingestMaxRecordAgeSeconds", "kinesisParallelization", "mskMaxPollers"] as const;
const firehoseKeys = ["firehoseBufferSizeMb", "firehoseBufferIntervalSeconds"] as const;

/** Firehose waits at most 5 minutes for one invocation of a data-transformation function. */
const firehoseTransformTimeoutSeconds = 300;

/**
 * The ingest settings of a stack on `engine`. Firehose reads Kinesis data streams only, so
 * `ingestDelivery: firehose` on an MSK stack is refused; keys of the delivery not chosen are
 * refused too, so nothing is configured that does not take effect.
 */
export function parseIngest(reader: ConfigReader, engine: "kinesis" | "msk"): IngestConfig {
    const requested = reader.oneOf("ingestDelivery", ingestDeliveries);
    if (requested === "firehose" && engine !== "kinesis") {
        reader.fail(
            "ingestDelivery",
            "lambda on an MSK stack (a Firehose delivery stream reads Kinesis data streams only here; the MSK source would need its own connectivity and is not supported)",
            requested,
            "pulumi config set platform:ingestDelivery lambda, or pulumi config set platform:streamingEngine kinesis",
        );
    }
    // Refused on MSK above; the other keys are then judged as for the Lambda delivery, so that one fix is reported once.
    const delivery: IngestDelivery = engine === "kinesis" ? requested : "lambda";
    const common = {
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
    const bufferSizeMb = reader.range("firehoseBufferSizeMb", 64, 128);
    const bufferIntervalSeconds = reader.range("firehoseBufferIntervalSeconds", 60, 900);
    if (delivery === "firehose") {
        for (const name of eventSourceMappingKeys.filter((key) => reader.isSet(key))) {
            reader.fail(name, "unset with ingestDelivery firehose (the key configures the Lambda event source mapping, which a Firehose delivery does not have)", reader.int(name), `pulumi config rm platform:${name}, or pulumi config set platform:ingestDelivery lambda`);
        }
        if (common.timeoutSeconds > firehoseTransformTimeoutSeconds) {
            reader.fail("ingestTimeoutSeconds", `at most ${firehoseTransformTimeoutSeconds} with ingestDelivery firehose (Firehose waits at most 5 minutes for a transformation invocation)`, common.timeoutSeconds, "pulumi config set platform:ingestTimeoutSeconds 120");
        }
        return { delivery, ...common, firehose: { bufferSizeMb, bufferIntervalSeconds } };
    }
    for (const name of firehoseKeys.filter((key) => reader.isSet(key))) {
        reader.fail(name, "unset unless ingestDelivery is firehose", reader.int(name), `pulumi config rm platform:${name}, or pulumi config set platform:ingestDelivery firehose`);
    }
    return { delivery, ...common };
}
