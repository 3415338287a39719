import type { KafkaMessage } from "kafkajs";
import { describeError } from "../common/errors";
import { KafkaClientAuth, kafkaAuthenticationError, kafkaClientAuthConfig } from "../common/kafkaAuth";
import { MskEvent } from "../ingest/types";
import { buildMskEvent } from "./events";
import { BatchingOptions, deferred, EventSourceRunner, EventSourceStoppedError, resolveBatching, RunnerStats, sleep } from "./runner";

/**
 * A local stand-in for Lambda's MSK event source mapping: a kafkajs consumer group member that
 * invokes a handler with `aws:kafka` events of at most `batchSize` records of one partition, and
 * commits a batch's offsets only after the handler resolved. A handler that throws gets the same
 * batch again (same records, same event) after `retryDelayMs`, up to `maxRetryAttempts`, like an
 * on-demand ESM that blocks the partition until the batch succeeds.
 *
 * The batching window is approximated with the fetch settings: the broker holds a fetch for up to
 * `batchingWindowMs` unless enough bytes arrive first.
 */

export interface KafkaEventSourceOptions extends BatchingOptions {
    readonly brokers: readonly string[];
    readonly topic: string;
    /** The consumer group, which holds the committed offsets. */
    readonly groupId: string;
    readonly handler: (event: MskEvent) => Promise<unknown>;
    /** Start from the earliest offset when the group has none (`TRIM_HORIZON`). Defaults to true. */
    readonly fromBeginning?: boolean;
    /** Put in the events' `eventSourceArn`. Defaults to a local placeholder ARN. */
    readonly eventSourceArn?: string;
    readonly clientId?: string;
    /** How to authenticate to the brokers (runtime/common/kafkaAuth). Defaults to none (the local plaintext listener). */
    readonly auth?: KafkaClientAuth;
}

/** Starts consuming; resolves once the consumer has joined its group and is running. */
export async function startKafkaEventSource(options: KafkaEventSourceOptions): Promise<EventSourceRunner> {
    const kafkajs = require("kafkajs") as typeof import("kafkajs");
    const batching = resolveBatching(options, 500);
    const auth = options.auth ?? { mode: "none" };
    const kafka = new kafkajs.Kafka({ clientId: options.clientId ?? "local-event-source", brokers: [...options.brokers], logLevel: kafkajs.logLevel.WARN, ...kafkaClientAuthConfig(auth) });
    const consumer = kafka.consumer({
        groupId: options.groupId,
        maxWaitTimeInMs: Math.max(batching.batchingWindowMs, 10),
        minBytes: batching.batchingWindowMs > 0 ? 1024 * 1024 : 1,
        allowAutoTopicCreation: false,
        sessionTimeout: 30_000,
        heartbeatInterval: 3_000,
    });
    const stats: RunnerStats = { invocations: 0, records: 0, failedInvocations: 0, partialFailures: 0 };
    const finished = deferred();
    const source = { eventSourceArn: options.eventSourceArn ?? "arn:aws:kafka:local:000000000000:cluster/local/00000000-0000-0000-0000-000000000000-1", bootstrapServers: options.brokers.join(",") };
    let stopping = false;
    let fatal: unknown;

    const stopConsumer = async () => {
        await consumer.stop().catch(() => undefined);
        await consumer.disconnect().catch(() => undefined);
    };

    const invokeUntilAccepted = async (event: MskEvent, heartbeat: () => Promise<void>, isRunning: () => boolean): Promise<boolean> => {
        for (let attempt = 0; ; attempt += 1) {
            stats.invocations += 1;
            try {
                await options.handler(event);
                return true;
            } catch (error) {
                stats.failedInvocations += 1;
                stats.lastError = describeError(error);
                if (attempt >= batching.maxRetryAttempts) {
                    throw new EventSourceStoppedError(`the batch failed ${attempt + 1} times (maxRetryAttempts ${batching.maxRetryAttempts}); last error: ${stats.lastError}`, { cause: error });
                }
            }
            if (stopping || !isRunning()) {
                return false;
            }
            await sleep(batching.retryDelayMs);
            await heartbeat();
        }
    };

    await consumer.connect().catch((error: unknown) => {
        throw kafkaAuthenticationError(error, options.brokers, auth) ?? error;
    });
    await consumer.subscribe({ topic: options.topic, fromBeginning: options.fromBeginning ?? true });
    await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: 1,
        eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
            const messages: KafkaMessage[] = batch.messages;
            for (let start = 0; start < messages.length; start += batching.batchSize) {
                if (stopping || fatal !== undefined || !isRunning() || isStale()) {
                    return;
                }
                const chunk = messages.slice(start, start + batching.batchSize);
                const event = buildMskEvent(source, batch.topic, batch.partition, chunk);
                let accepted: boolean;
                try {
                    accepted = await invokeUntilAccepted(event, heartbeat, isRunning);
                } catch (error) {
                    fatal = error;
                    finished.reject(error);
                    setImmediate(() => void stopConsumer());
                    return;
                }
                if (!accepted) {
                    return;
                }
                const last = (chunk[chunk.length - 1] as KafkaMessage).offset;
                resolveOffset(last);
                await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() }]);
                stats.records += chunk.length;
                await heartbeat();
            }
        },
    });

    const stop = async () => {
        stopping = true;
        await stopConsumer();
        if (fatal === undefined) {
            finished.resolve();
        }
    };

    return { stats, finished: finished.promise, stop };
}
