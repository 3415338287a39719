import { createHttp1RequestHandler } from "../common/http";
import { createKafkaProducer, createKinesisProducer, createOrderGenerator, ensureKafkaTopic, orderDefects, OrderDefect, ProducerMessage } from "../producers";
import { LocalSettings } from "./settings";
import { ConfigurationError } from "../common/errors";
import { LocalRunError } from "./errors";

/**
 * The sources `npm run local` runs today: orders into a Kafka topic (the MSK engine) and into a
 * Kinesis stream, each through its producer. Everything a source sends is a pure function of the
 * plan (seed, count, window), so a second run would send the same records; it sends nothing at
 * all when the topic or stream already holds them.
 */

export type LocalEngine = "msk" | "kinesis";

export interface LocalSourcePlan {
    readonly engine: LocalEngine;
    /** `orders via msk`, `orders via kinesis`: the name in the summary. */
    readonly name: string;
    /** The Kafka topic or Kinesis stream; one per window, so the sources of two windows never mix. */
    readonly stream: string;
    readonly seed: number;
    /** Orders generated (before producer re-sends). */
    readonly count: number;
    /** Share of defective orders (rejected by the ingest function), 0 to 1. */
    readonly badRatio: number;
    /** Every n-th valid order is sent twice (an at-least-once producer retry); 0 sends none twice. */
    readonly resendEvery: number;
}

/** The event-time window of a run: one UTC day. */
export interface LocalWindow {
    /** `YYYY-MM-DD` */
    readonly date: string;
    readonly startMs: number;
    readonly endMs: number;
}

export function windowOf(date: string): LocalWindow {
    const startMs = /^\d{4}-\d{2}-\d{2}$/.test(date) ? Date.parse(`${date}T00:00:00Z`) : Number.NaN;
    if (!Number.isFinite(startMs) || new Date(startMs).toISOString().slice(0, 10) !== date) {
        throw new ConfigurationError("--date", `--date: expected a UTC date YYYY-MM-DD, found '${date}'; pass for example --date 2024-05-01`);
    }
    return { date, startMs, endMs: startMs + 86_400_000 };
}

/** Sends in chunks of 500, reporting progress after each, and closes the producer whatever happens. */
async function sendInChunks(
    producer: { send(messages: readonly ProducerMessage[]): Promise<unknown>; close(): Promise<void> },
    messages: readonly ProducerMessage[],
    onSent: (sent: number) => void,
): Promise<void> {
    try {
        for (let start = 0; start < messages.length; start += 500) {
            await producer.send(messages.slice(start, start + 500));
            onSent(Math.min(messages.length, start + 500));
        }
    } finally {
        await producer.close();
    }
}

/**
 * The defects a local run injects: every one the generator knows except `future_event_time` (the
 * window is in the past, so "a week later" is not in the future when ingested and would land
 * outside the window) and `oversized` (needs a payload size).
 */
export const localDefects: readonly OrderDefect[] = (Object.keys(orderDefects) as OrderDefect[]).filter((defect) => defect !== "future_event_time" && defect !== "oversized");

/** A message as a source sends it, with what it is for the summary's expectations. */
export interface SourceMessage extends ProducerMessage {
    readonly defective: boolean;
    /** True for the second copy of a re-sent order. */
    readonly resent: boolean;
}

/** Every message the source sends, in order: the generated orders spread over the window's day, plus re-sends. */
export function sourceMessages(plan: LocalSourcePlan, window: LocalWindow): SourceMessage[] {
    const generator = createOrderGenerator({
        seed: plan.seed,
        badRatio: plan.badRatio,
        startTimeMs: window.startMs,
        // Spread over the whole day: the last event is still before midnight (the offset is below one interval).
        intervalMs: Math.floor(86_400_000 / plan.count),
        defects: localDefects,
    });
    const messages: SourceMessage[] = [];
    let valid = 0;
    for (const order of generator.take(plan.count)) {
        const message = { key: order.key, value: order.value, ...(order.headers ? { headers: order.headers } : {}) };
        messages.push({ ...message, defective: order.defect !== null, resent: false });
        if (order.defect === null) {
            valid += 1;
            if (plan.resendEvery > 0 && valid % plan.resendEvery === 0) {
                messages.push({ ...message, defective: false, resent: true });
            }
        }
    }
    return messages;
}

export interface LocalSourceClients {
    /** Records the topic or stream holds now. */
    count(): Promise<number>;
    /** Creates the topic or stream if it is missing. */
    ensure(): Promise<void>;
    /** Sends the messages in order; `onSent` gets the running total. */
    send(messages: readonly SourceMessage[], onSent: (sent: number) => void): Promise<void>;
}

const partitionsPerSource = 2;

function kafkaClients(plan: LocalSourcePlan, settings: LocalSettings): LocalSourceClients {
    const brokers = [...settings.kafkaBrokers];
    return {
        count: async () => {
            const kafkajs = require("kafkajs") as typeof import("kafkajs");
            const admin = new kafkajs.Kafka({ clientId: "npm-run-local", brokers, logLevel: kafkajs.logLevel.NOTHING }).admin();
            await admin.connect();
            try {
                if (!(await admin.listTopics()).includes(plan.stream)) {
                    return 0;
                }
                const offsets = await admin.fetchTopicOffsets(plan.stream);
                return offsets.reduce((total, partition) => total + Number(BigInt(partition.high) - BigInt(partition.low)), 0);
            } finally {
                await admin.disconnect();
            }
        },
        ensure: async () => {
            await ensureKafkaTopic({ brokers, topic: plan.stream }, partitionsPerSource);
        },
        send: async (messages, onSent) => {
            await sendInChunks(createKafkaProducer({ brokers, topic: plan.stream }), messages, onSent);
        },
    };
}

function kinesisClients(plan: LocalSourcePlan, settings: LocalSettings): LocalSourceClients {
    const sdk = require("@aws-sdk/client-kinesis") as typeof import("@aws-sdk/client-kinesis");
    const client = () => new sdk.KinesisClient({ region: settings.region, endpoint: settings.motoEndpoint, credentials: settings.credentials, requestHandler: createHttp1RequestHandler() as never });
    return {
        count: async () => {
            const kinesis = client();
            try {
                try {
                    await kinesis.send(new sdk.DescribeStreamSummaryCommand({ StreamName: plan.stream }));
                } catch (error) {
                    if ((error as { name?: string }).name === "ResourceNotFoundException") {
                        return 0;
                    }
                    throw error;
                }
                const shards = (await kinesis.send(new sdk.ListShardsCommand({ StreamName: plan.stream }))).Shards ?? [];
                let total = 0;
                for (const shard of shards) {
                    let iterator = (await kinesis.send(new sdk.GetShardIteratorCommand({ StreamName: plan.stream, ShardId: shard.ShardId, ShardIteratorType: "TRIM_HORIZON" }))).ShardIterator;
                    while (iterator) {
                        const page = await kinesis.send(new sdk.GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
                        const records = page.Records?.length ?? 0;
                        total += records;
                        // An open shard always returns a next iterator; an empty page means the end was reached.
                        iterator = records > 0 ? page.NextShardIterator : undefined;
                    }
                }
                return total;
            } finally {
                kinesis.destroy();
            }
        },
        ensure: async () => {
            const kinesis = client();
            try {
                try {
                    await kinesis.send(new sdk.CreateStreamCommand({ StreamName: plan.stream, ShardCount: partitionsPerSource }));
                } catch (error) {
                    if ((error as { name?: string }).name !== "ResourceInUseException") {
                        throw error;
                    }
                }
                for (let attempt = 0; attempt < 300; attempt++) {
                    const summary = await kinesis.send(new sdk.DescribeStreamSummaryCommand({ StreamName: plan.stream }));
                    if (summary.StreamDescriptionSummary?.StreamStatus === "ACTIVE") {
                        return;
                    }
                    await new Promise((resolve) => setTimeout(resolve, 100));
                }
                throw new LocalRunError(`Kinesis stream ${plan.stream} did not become ACTIVE within 30 s on ${settings.motoEndpoint}`);
            } finally {
                kinesis.destroy();
            }
        },
        send: async (messages, onSent) => {
            await sendInChunks(createKinesisProducer({ streamName: plan.stream, region: settings.region, endpoint: settings.motoEndpoint, credentials: settings.credentials }), messages, onSent);
        },
    };
}

export function sourceClients(plan: LocalSourcePlan, settings: LocalSettings): LocalSourceClients {
    return plan.engine === "msk" ? kafkaClients(plan, settings) : kinesisClients(plan, settings);
}

/** What the produce stage did for one source. */
export interface ProduceOutcome {
    /** Records in the topic or stream after the stage (measured). */
    readonly inSource: number;
    /** Records this run sent (0 when the source already held them). */
    readonly sent: number;
}

/**
 * Sends the source's messages unless the topic or stream already holds exactly them. A source that
 * holds some other number of records (an interrupted earlier run) is an error naming the fix:
 * sending again would duplicate what is there and sending the rest cannot be done by position.
 */
export async function produceSource(plan: LocalSourcePlan, window: LocalWindow, clients: LocalSourceClients, onSent: (sent: number, total: number) => void): Promise<ProduceOutcome> {
    const messages = sourceMessages(plan, window);
    await clients.ensure();
    const before = await clients.count();
    if (before === messages.length) {
        onSent(messages.length, messages.length);
        return { inSource: before, sent: 0 };
    }
    if (before !== 0) {
        throw new LocalRunError(
            `${plan.name}: ${plan.stream} holds ${before} records but this window's plan has ${messages.length} (an interrupted run, or another --count/--seed for the same --date); ` +
                `run with another --date, or clear the local services: npm run local -- --down && tools/services/kafka.sh clean, then npm run local`,
        );
    }
    await clients.send(messages, (sent) => onSent(sent, messages.length));
    return { inSource: await clients.count(), sent: messages.length };
}
