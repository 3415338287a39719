import type { LineageEmitter } from "../lineage";
import { Environment, getEnumFromEnv, getIntegerFromEnv, getStringFromEnv } from "../common/env";
import { createIngestHandler } from "../ingest/handler";
import { IngestTelemetry } from "../ingest/telemetry";
import { KinesisStreamEvent, MskEvent } from "../ingest/types";
import { startKafkaEventSource } from "./kafkaEventSource";
import { CheckpointStore, startKinesisEventSource } from "./kinesisEventSource";
import { EventSourceRunner } from "./runner";
import { readLocalSettings } from "./settings";

/**
 * The ingest pipeline on a laptop: a local event source runner feeding the real ingest handler,
 * configured through the same environment variables as the Lambda function plus the source. The
 * engine is named as in the stack config (`platform:streamingEngine`: msk or kinesis):
 *
 *   INGEST_ENGINE=msk|kinesis   KAFKA_TOPIC=orders  KAFKA_GROUP_ID=local-ingest  KINESIS_STREAM=orders
 *   RAW_BUCKET, REJECTS_BUCKET, DATASET, BATCH_SIZE, BATCHING_WINDOW_MS
 * The brokers and the Kinesis endpoint come from the local settings (MOTO_PORT, KAFKA_PORT; see
 * runtime/local/settings.ts); KINESIS_ENDPOINT overrides the Kinesis endpoint.
 *
 * Run it with `npx ts-node --transpile-only runtime/local/pipeline.ts` (buckets are created if missing).
 */

export interface LocalPipelineOptions {
    /** The environment the ingest handler and the runner read. Defaults to `process.env`. */
    readonly env?: Environment;
    /** Where the handler reports each batch. Defaults to Powertools logs and EMF metrics on stdout, as in Lambda. */
    readonly telemetry?: IngestTelemetry;
    /** Kinesis only: where shard checkpoints are kept. Defaults to memory (lost when the process ends). */
    readonly kinesisCheckpoints?: CheckpointStore;
    /** Where the handler reports its windows' lineage. Defaults to the LINEAGE_* variables of `env` (none when LINEAGE_BUCKET is unset). */
    readonly lineage?: LineageEmitter;
}

/** Starts the runner and the handler; the returned runner stops both. */
export async function startLocalIngestPipeline(options: LocalPipelineOptions = {}): Promise<EventSourceRunner> {
    const env = options.env ?? process.env;
    const engine = getEnumFromEnv({ key: "INGEST_ENGINE", env, allowed: ["msk", "kinesis"] as const });
    const batchSize = getIntegerFromEnv({ key: "BATCH_SIZE", env, defaultValue: 100, min: 1, max: 10_000 });
    if (engine === "msk") {
        const handler = createIngestHandler({ engine: "kafka", env, ...(options.telemetry ? { telemetry: options.telemetry } : {}), ...(options.lineage ? { lineage: options.lineage } : {}) });
        return startKafkaEventSource({
            brokers: [...readLocalSettings(env).kafkaBrokers],
            topic: getStringFromEnv({ key: "KAFKA_TOPIC", env, defaultValue: "orders" }),
            groupId: getStringFromEnv({ key: "KAFKA_GROUP_ID", env, defaultValue: "local-ingest" }),
            batchSize,
            batchingWindowMs: getIntegerFromEnv({ key: "BATCHING_WINDOW_MS", env, defaultValue: 500, min: 0, max: 300_000 }),
            handler: (event: MskEvent) => handler(event),
        });
    }
    const handler = createIngestHandler({ engine: "kinesis", env, ...(options.telemetry ? { telemetry: options.telemetry } : {}), ...(options.lineage ? { lineage: options.lineage } : {}) });
    const endpoint = getStringFromEnv({ key: "KINESIS_ENDPOINT", env, defaultValue: readLocalSettings(env).motoEndpoint });
    return startKinesisEventSource({
        streamName: getStringFromEnv({ key: "KINESIS_STREAM", env, defaultValue: "orders" }),
        endpoint,
        batchSize,
        batchingWindowMs: getIntegerFromEnv({ key: "BATCHING_WINDOW_MS", env, defaultValue: 0, min: 0, max: 300_000 }),
        ...(options.kinesisCheckpoints ? { checkpoints: options.kinesisCheckpoints } : {}),
        handler: (event: KinesisStreamEvent) => handler(event),
    });
}

async function ensureBuckets(env: Environment): Promise<void> {
    const sdk = require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");
    const endpoint = env.S3_ENDPOINT;
    const client = new sdk.S3Client({ region: env.AWS_REGION ?? "us-east-1", ...(endpoint ? { endpoint, forcePathStyle: true } : {}) });
    for (const bucket of new Set([getStringFromEnv({ key: "RAW_BUCKET", env }), getStringFromEnv({ key: "REJECTS_BUCKET", env })])) {
        try {
            await client.send(new sdk.HeadBucketCommand({ Bucket: bucket }));
        } catch {
            await client.send(new sdk.CreateBucketCommand({ Bucket: bucket }));
        }
    }
    client.destroy();
}

async function main(): Promise<void> {
    // On a laptop the buckets are moto's unless S3_ENDPOINT says otherwise; moto takes any credentials.
    // The defaults go into process.env itself: the SDK's credential chain reads process.env, not the
    // handler's environment object. Whatever the shell already set wins.
    const settings = readLocalSettings();
    const defaults = { S3_ENDPOINT: settings.motoEndpoint, AWS_ACCESS_KEY_ID: settings.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: settings.credentials.secretAccessKey, AWS_REGION: "us-east-1" };
    for (const [key, value] of Object.entries(defaults)) {
        process.env[key] ??= value;
    }
    const env = process.env;
    await ensureBuckets(env);
    const runner = await startLocalIngestPipeline({ env });
    process.stdout.write(`local ingest pipeline running (${process.env.INGEST_ENGINE}); Ctrl-C to stop\n`);
    const shutdown = () => {
        void runner.stop().then(() => process.stdout.write(`stopped: ${JSON.stringify(runner.stats)}\n`));
    };
    process.once("SIGINT", shutdown);
    process.once("SIGTERM", shutdown);
    await runner.finished;
}

if (require.main === module) {
    main().catch((error: unknown) => {
        process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
    });
}
