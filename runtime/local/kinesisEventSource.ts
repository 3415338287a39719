import type { _Record as KinesisSdkRecord, KinesisClient } from "@aws-sdk/client-kinesis";
import { describeError } from "../common/errors";
import { createHttp1RequestHandler } from "../common/http";
import { KinesisStreamEvent } from "../ingest/types";
import { buildKinesisEvent, judgeKinesisResponse, KinesisBatchVerdict } from "./events";
import { BatchingOptions, deferred, EventSourceRunner, EventSourceStoppedError, resolveBatching, RunnerStats, sleep } from "./runner";

/**
 * A local stand-in for Lambda's Kinesis event source mapping: one poller per shard
 * (GetShardIterator, GetRecords) that invokes a handler with Kinesis events of at most
 * `batchSize` records, checkpoints after success, and honours `batchItemFailures` exactly as
 * Lambda does: the checkpoint moves to just before the lowest reported record and the next batch
 * starts there. A throw, or an invalid identifier, fails the whole batch. The shard set is read
 * once at start (resharding during a run is not followed).
 */

/** Where the runner keeps each shard's last processed sequence number. */
export interface CheckpointStore {
    get(shardId: string): Promise<string | undefined>;
    set(shardId: string, sequenceNumber: string): Promise<void>;
}

/** A checkpoint store in memory (lost when the process ends). */
export function createMemoryCheckpointStore(): CheckpointStore & { readonly checkpoints: Map<string, string> } {
    const checkpoints = new Map<string, string>();
    return {
        checkpoints,
        get: async (shardId) => checkpoints.get(shardId),
        set: async (shardId, sequenceNumber) => {
            checkpoints.set(shardId, sequenceNumber);
        },
    };
}

export interface KinesisEventSourceOptions extends BatchingOptions {
    readonly streamName: string;
    readonly handler: (event: KinesisStreamEvent) => Promise<unknown>;
    /** Where to start a shard without a checkpoint. Defaults to TRIM_HORIZON. */
    readonly startingPosition?: "TRIM_HORIZON" | "LATEST";
    /** Pause between GetRecords calls that return nothing, in milliseconds. Defaults to 200. */
    readonly pollIntervalMs?: number;
    readonly checkpoints?: CheckpointStore;
    /** Defaults to `AWS_REGION`, then `us-east-1`. */
    readonly region?: string;
    /** Custom endpoint such as moto's (spoken to over HTTP/1.1). Defaults to AWS. */
    readonly endpoint?: string;
    readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/** Starts one poller per shard; resolves once the stream is found and the pollers run. */
export async function startKinesisEventSource(options: KinesisEventSourceOptions): Promise<EventSourceRunner> {
    const sdk = require("@aws-sdk/client-kinesis") as typeof import("@aws-sdk/client-kinesis");
    const batching = resolveBatching(options, 0);
    const region = options.region ?? process.env.AWS_REGION ?? "us-east-1";
    const client: KinesisClient = new sdk.KinesisClient({
        region,
        endpoint: options.endpoint,
        credentials: options.credentials,
        ...(options.endpoint ? { requestHandler: createHttp1RequestHandler() as never } : {}),
    });
    const checkpoints = options.checkpoints ?? createMemoryCheckpointStore();
    const pollIntervalMs = options.pollIntervalMs ?? 200;
    const stats: RunnerStats = { invocations: 0, records: 0, failedInvocations: 0, partialFailures: 0 };
    const finished = deferred();
    let stopping = false;
    let fatal: unknown;

    const summary = await client.send(new sdk.DescribeStreamSummaryCommand({ StreamName: options.streamName }));
    const streamArn = summary.StreamDescriptionSummary?.StreamARN ?? `arn:aws:kinesis:${region}:000000000000:stream/${options.streamName}`;
    const shardIds: string[] = [];
    let nextToken: string | undefined;
    do {
        const page = await client.send(nextToken ? new sdk.ListShardsCommand({ NextToken: nextToken }) : new sdk.ListShardsCommand({ StreamName: options.streamName }));
        shardIds.push(...(page.Shards ?? []).map((shard) => shard.ShardId ?? "").filter((id) => id !== ""));
        nextToken = page.NextToken;
    } while (nextToken);
    const source = { streamArn, awsRegion: region, invokeIdentityArn: "arn:aws:iam::000000000000:role/local-event-source" };

    const iteratorAfter = async (shardId: string, sequenceNumber: string | undefined): Promise<string | undefined> => {
        const response = await client.send(
            new sdk.GetShardIteratorCommand(
                sequenceNumber
                    ? { StreamName: options.streamName, ShardId: shardId, ShardIteratorType: "AFTER_SEQUENCE_NUMBER", StartingSequenceNumber: sequenceNumber }
                    : { StreamName: options.streamName, ShardId: shardId, ShardIteratorType: options.startingPosition ?? "TRIM_HORIZON" },
            ),
        );
        return response.ShardIterator;
    };

    const invoke = async (shardId: string, batch: readonly KinesisSdkRecord[]): Promise<KinesisBatchVerdict> => {
        stats.invocations += 1;
        try {
            const response = await options.handler(buildKinesisEvent(source, shardId, batch));
            return judgeKinesisResponse(
                batch.map((record) => record.SequenceNumber ?? ""),
                response,
            );
        } catch (error) {
            return { kind: "failure", reason: describeError(error) };
        }
    };

    const pollShard = async (shardId: string) => {
        const checkpoint = await checkpoints.get(shardId);
        let iterator = await iteratorAfter(shardId, checkpoint);
        let lastFetched = checkpoint;
        let buffer: KinesisSdkRecord[] = [];
        let windowStart: number | undefined;
        let failures = 0;
        while (!stopping && fatal === undefined) {
            let fetched = 0;
            if (buffer.length < batching.batchSize && iterator !== undefined) {
                try {
                    const response = await client.send(new sdk.GetRecordsCommand({ ShardIterator: iterator, Limit: Math.min(10_000, batching.batchSize - buffer.length) }));
                    iterator = response.NextShardIterator;
                    const records = response.Records ?? [];
                    fetched = records.length;
                    buffer.push(...records);
                    if (records.length > 0) {
                        lastFetched = records[records.length - 1]?.SequenceNumber;
                    }
                } catch (error) {
                    if ((error as { name?: string }).name === "ExpiredIteratorException") {
                        iterator = await iteratorAfter(shardId, lastFetched);
                        continue;
                    }
                    stats.lastError = describeError(error);
                    await sleep(pollIntervalMs);
                    continue;
                }
            }
            if (buffer.length > 0 && windowStart === undefined) {
                windowStart = Date.now();
            }
            const closed = iterator === undefined;
            const windowOver = windowStart !== undefined && Date.now() - windowStart >= batching.batchingWindowMs;
            if (!(buffer.length >= batching.batchSize || (buffer.length > 0 && (windowOver || closed)))) {
                if (closed && buffer.length === 0) {
                    return;
                }
                if (fetched === 0) {
                    await sleep(windowStart === undefined ? pollIntervalMs : Math.min(pollIntervalMs, Math.max(1, batching.batchingWindowMs - (Date.now() - windowStart))));
                }
                continue;
            }
            const batch = buffer.slice(0, batching.batchSize);
            const verdict = await invoke(shardId, batch);
            const accepted = verdict.kind === "success" ? batch.length : verdict.kind === "partial" ? verdict.retryFrom : 0;
            if (accepted > 0) {
                await checkpoints.set(shardId, batch[accepted - 1]?.SequenceNumber ?? "");
                stats.records += accepted;
                buffer = buffer.slice(accepted);
                windowStart = buffer.length > 0 ? Date.now() : undefined;
            }
            if (verdict.kind === "success") {
                failures = 0;
                continue;
            }
            if (verdict.kind === "partial") {
                stats.partialFailures += 1;
            } else {
                stats.failedInvocations += 1;
                stats.lastError = verdict.reason;
            }
            failures = accepted > 0 ? 1 : failures + 1;
            if (failures > batching.maxRetryAttempts) {
                throw new EventSourceStoppedError(
                    `shard ${shardId}: the batch starting at ${buffer[0]?.SequenceNumber} failed ${failures} times (maxRetryAttempts ${batching.maxRetryAttempts})${stats.lastError ? `; last error: ${stats.lastError}` : ""}`,
                );
            }
            await sleep(batching.retryDelayMs);
        }
    };

    const pollers = shardIds.map((shardId) =>
        pollShard(shardId).catch((error: unknown) => {
            fatal = error;
            finished.reject(error);
        }),
    );

    const stop = async () => {
        stopping = true;
        await Promise.all(pollers);
        client.destroy();
        if (fatal === undefined) {
            finished.resolve();
        }
    };

    return { stats, finished: finished.promise, stop };
}
