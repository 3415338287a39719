import type { LineageEmitter } from "../lineage";
import type { S3Client } from "@aws-sdk/client-s3";
import { describeError } from "../common/errors";
import { IngestTelemetry } from "../ingest/telemetry";
import { createS3CheckpointStore } from "./checkpoints";
import { countSourceRecords, LakeBuckets, SourceLakeCounts, totalOf } from "./lake";
import { startLocalIngestPipeline } from "./pipeline";
import { EventSourceRunner } from "./runner";
import { LocalSettings, localServiceEnv } from "./settings";
import { LocalSourcePlan } from "./sources";
import { LocalRunError } from "./errors";

/**
 * The ingest stage of `npm run local`: one local event source runner per source feeding the real
 * ingest handler, run until the lake accounts for every record the topic or stream holds
 * (raw + rejected, counted from the objects), then stopped. Kafka progress is the consumer group's
 * committed offsets and Kinesis progress is checkpoints on S3, so a second run reads nothing again.
 */

export interface IngestStageOptions {
    readonly settings: LocalSettings;
    readonly s3: S3Client;
    readonly buckets: LakeBuckets;
    readonly dataset: string;
    readonly sources: readonly { readonly plan: LocalSourcePlan; readonly inSource: number }[];
    /** Gives up after this long without every record accounted for. Defaults to 5 minutes. */
    readonly timeoutMs?: number;
    readonly log: (text: string) => void;
    /** Called after each count with the records accounted for so far (all sources). */
    readonly onProgress?: (accounted: number, total: number) => void;
    /** Where the ingest handler reports its windows' lineage, and the LINEAGE_* variables naming it. Defaults to none. */
    readonly lineage?: { readonly emitter: LineageEmitter; readonly env: Readonly<Record<string, string>> };
}

export function consumerGroupOf(plan: LocalSourcePlan): string {
    return `local-ingest-${plan.stream}`;
}

/** Telemetry that keeps the handler quiet (the summary reports the counts) and logs only failures. */
function quietTelemetry(log: (text: string) => void): IngestTelemetry {
    return {
        setContext: () => undefined,
        batchProcessed: (summary) => {
            if (summary.counts.failed > 0) {
                log(`ingest: ${summary.counts.failed} records of a batch failed to land and will be retried\n`);
            }
        },
        batchErrored: (error) => log(`ingest: a batch failed and will be retried: ${describeError(error)}\n`),
    };
}

/**
 * Retries a Kafka admin call while it fails with an error Kafka marks retriable: on a broker that
 * just started, the group coordinator (the __consumer_offsets topic) may not be ready yet
 * ("This is not the correct coordinator for this group").
 */
async function retryRetriable<T>(call: () => Promise<T>, attempts = 20, delayMs = 1000): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
        try {
            return await call();
        } catch (error) {
            // kafkajs gives up on its own retries with KafkaJSNumberOfRetriesExceeded, which carries the retriable cause.
            const retriable = (error as { retriable?: boolean }).retriable === true || (error as { originalError?: { retriable?: boolean } }).originalError?.retriable === true;
            if (attempt >= attempts || !retriable) {
                throw error;
            }
            await new Promise((resolve) => setTimeout(resolve, delayMs));
        }
    }
}

/**
 * When the lake holds nothing of a topic but its consumer group has committed offsets (moto was
 * restarted, the broker kept its data), the offsets point past records that never reached this
 * lake: start the group from the beginning again.
 */
async function rewindOrphanedGroup(settings: LocalSettings, plan: LocalSourcePlan, log: (text: string) => void): Promise<void> {
    const kafkajs = require("kafkajs") as typeof import("kafkajs");
    const admin = new kafkajs.Kafka({ clientId: "npm-run-local", brokers: [...settings.kafkaBrokers], logLevel: kafkajs.logLevel.NOTHING }).admin();
    await admin.connect();
    try {
        const groupId = consumerGroupOf(plan);
        const committed = await retryRetriable(() => admin.fetchOffsets({ groupId, topics: [plan.stream] }));
        const anyCommitted = committed.some((topic) => topic.partitions.some((partition) => Number(partition.offset) > 0));
        if (anyCommitted) {
            log(`ingest: the lake holds nothing of ${plan.stream} but group ${groupId} has committed offsets; rewinding it to the earliest offset\n`);
            await admin.resetOffsets({ groupId, topic: plan.stream, earliest: true });
        }
    } finally {
        await admin.disconnect();
    }
}

function accountedOf(counts: SourceLakeCounts | undefined): number {
    return counts ? totalOf(counts.rawByDt) + totalOf(counts.rejectedByType) : 0;
}

/** Runs the stage; resolves with the lake's counts per source (topic or stream name). */
export async function runIngestStage(options: IngestStageOptions): Promise<Map<string, SourceLakeCounts>> {
    const { settings, s3, buckets, dataset, log } = options;
    const names = options.sources.map((source) => source.plan.stream);
    const cache = new Map<string, number>();
    const total = options.sources.reduce((sum, source) => sum + source.inSource, 0);
    let counts = await countSourceRecords(s3, dataset, names, cache, buckets);
    const pending = options.sources.filter((source) => accountedOf(counts.get(source.plan.stream)) < source.inSource);
    const runners: EventSourceRunner[] = [];
    const telemetry = quietTelemetry(log);
    try {
        for (const { plan } of pending) {
            if (plan.engine === "msk" && accountedOf(counts.get(plan.stream)) === 0) {
                await rewindOrphanedGroup(settings, plan, log);
            }
            const env = {
                ...process.env,
                ...localServiceEnv(settings),
                INGEST_ENGINE: plan.engine,
                DATASET: dataset,
                RAW_BUCKET: buckets.raw,
                REJECTS_BUCKET: buckets.rejects,
                S3_ENDPOINT: settings.motoEndpoint,
                KAFKA_TOPIC: plan.stream,
                KAFKA_GROUP_ID: consumerGroupOf(plan),
                KINESIS_STREAM: plan.stream,
                KINESIS_ENDPOINT: settings.motoEndpoint,
                BATCH_SIZE: "500",
                ...options.lineage?.env,
            };
            runners.push(
                await startLocalIngestPipeline({
                    env,
                    telemetry,
                    ...(options.lineage ? { lineage: options.lineage.emitter } : {}),
                    ...(plan.engine === "kinesis" ? { kinesisCheckpoints: createS3CheckpointStore(s3, buckets.state, plan.stream) } : {}),
                }),
            );
        }
        const deadline = Date.now() + (options.timeoutMs ?? 300_000);
        for (;;) {
            const accounted = options.sources.reduce((sum, source) => sum + Math.min(source.inSource, accountedOf(counts.get(source.plan.stream))), 0);
            options.onProgress?.(accounted, total);
            if (accounted >= total) {
                break;
            }
            const failed = runners.find((runner) => runner.stats.lastError !== undefined && runner.stats.failedInvocations > 10);
            if (Date.now() > deadline || failed) {
                const details = runners.map((runner) => JSON.stringify(runner.stats)).join("; ");
                throw new LocalRunError(`ingest: the lake accounts for ${accounted} of ${total} records after ${Math.round((options.timeoutMs ?? 300_000) / 1000)} s or repeated failures; runner stats: ${details}`);
            }
            await new Promise((resolve) => setTimeout(resolve, 1000));
            counts = await countSourceRecords(s3, dataset, names, cache, buckets);
        }
    } finally {
        for (const runner of runners) {
            await runner.stop();
        }
    }
    return countSourceRecords(s3, dataset, names, cache, buckets);
}
