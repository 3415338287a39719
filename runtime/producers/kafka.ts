import type { KafkaConfig, Producer, ProducerConfig } from "kafkajs";
import { ConfigurationError, PlatformError } from "../common/errors";
import { KafkaClientAuth, kafkaAuthenticationError, kafkaClientAuthConfig } from "../common/kafkaAuth";
import { ProducerMessage, RecordProducer, SendReport } from "./types";

/**
 * The Kafka producer, on kafkajs: idempotent (exactly one copy per message per partition even when
 * the client retries), `acks=-1` (all in-sync replicas), gzip compression, key-based partitioning
 * with the Java-compatible murmur2 partitioner, and batching through `sendBatch`. Authentication
 * (MSK IAM, SASL/SCRAM-SHA-512 or mutual TLS) comes from the shared `runtime/common/kafkaAuth`.
 */

export interface KafkaProducerOptions {
    /** Bootstrap brokers, `host:port`. */
    readonly brokers: readonly string[];
    readonly topic: string;
    /** Defaults to `etl-platform-producer`. */
    readonly clientId?: string;
    /** Encrypt connections. Defaults to true with MSK IAM auth, false otherwise. */
    readonly tls?: boolean;
    /** MSK IAM authentication: tokens are signed for this region with the default AWS credential chain. Defaults to none. */
    readonly mskIam?: { readonly region: string };
    /** How to authenticate (IAM, SCRAM or mutual TLS); wins over `tls` and `mskIam`. Defaults to what those two say. */
    readonly auth?: KafkaClientAuth;
    /** Messages per `sendBatch` request. Defaults to 500. */
    readonly maxBatchMessages?: number;
    /** Milliseconds to wait for a connection. Defaults to 10,000. */
    readonly connectionTimeoutMs?: number;
    /** Milliseconds to wait for one request. Defaults to 30,000. */
    readonly requestTimeoutMs?: number;
    /** Let the broker create a missing topic. Defaults to false: producing to an unknown topic fails. */
    readonly allowAutoTopicCreation?: boolean;
}

/** Errors from producing to Kafka. */
export class KafkaProduceError extends PlatformError {
    constructor(message: string, options?: ErrorOptions) {
        super(message, options);
        this.name = "KafkaProduceError";
    }
}

/** The kafkajs client and producer settings for the options. Pure, so it can be tested without a broker. */
export function buildKafkaConfig(options: KafkaProducerOptions): { readonly client: KafkaConfig; readonly producer: ProducerConfig } {
    if (options.brokers.length === 0 || options.brokers.some((broker) => !/^[^\s:]+:\d{1,5}$/.test(broker))) {
        throw new ConfigurationError("brokers", `brokers must be a non-empty list of host:port, found '${options.brokers.join(",")}'; pass for example 127.0.0.1:9092`);
    }
    if (options.topic.trim() === "" || !/^[a-zA-Z0-9._-]{1,249}$/.test(options.topic)) {
        throw new ConfigurationError("topic", `topic must be 1-249 characters of letters, digits, '.', '_' or '-', found '${options.topic}'; pass for example orders`);
    }
    const client: KafkaConfig = {
        clientId: options.clientId ?? "etl-platform-producer",
        brokers: [...options.brokers],
        connectionTimeout: options.connectionTimeoutMs ?? 10_000,
        requestTimeout: options.requestTimeoutMs ?? 30_000,
        ...kafkaClientAuthConfig(producerAuth(options)),
    };
    const producer: ProducerConfig = {
        idempotent: true,
        // kafkajs keeps ordering for the idempotent producer only with one request in flight.
        maxInFlightRequests: 1,
        allowAutoTopicCreation: options.allowAutoTopicCreation ?? false,
    };
    return { client, producer };
}

/** The authentication of the options: `auth` when given, else MSK IAM when `mskIam` is set, else none (TLS per `tls`). */
export function producerAuth(options: Pick<KafkaProducerOptions, "auth" | "mskIam" | "tls">): KafkaClientAuth {
    if (options.auth) {
        return options.auth;
    }
    if (options.mskIam) {
        return { mode: "iam", region: options.mskIam.region };
    }
    return { mode: "none", tls: options.tls ?? false };
}

/** Runs a client call, turning a refused authentication into one clear error. */
async function authenticated<T>(options: Pick<KafkaProducerOptions, "auth" | "mskIam" | "tls" | "brokers">, call: () => Promise<T>): Promise<T> {
    try {
        return await call();
    } catch (error) {
        throw kafkaAuthenticationError(error, options.brokers, producerAuth(options)) ?? error;
    }
}

/**
 * A kafkajs log creator that keeps warnings and errors but drops what kafkajs logs at ERROR level
 * on every retry (`[Connection] Connection error`, `[Connection] Response Metadata(...)`,
 * `[BrokerPool] Failed to connect to seed broker`): a broker or topic that stays away surfaces
 * once, as the error `connect` or `send` throws, instead of a dozen JSON lines. Everything else is one plain line on `write`.
 */
export function quietKafkaLogCreator(write: (line: string) => void = (line) => process.stderr.write(line)): NonNullable<KafkaConfig["logCreator"]> {
    const names: Record<number, string> = { 1: "ERROR", 2: "WARN", 4: "INFO", 5: "DEBUG" };
    return () =>
        ({ namespace, level, log }) => {
            if (level > 2) {
                return;
            }
            const message = String(log.message ?? "");
            // Connection errors and error responses (an unknown topic while metadata refreshes) are retried by
            // kafkajs; a refused SASL authentication surfaces once, as the KafkaAuthenticationError the caller throws.
            const retriedConnectionError =
                (namespace === "Connection" && /^(Connection (error|timeout)|Response )/.test(message)) ||
                (namespace === "BrokerPool" && /^Failed to connect to seed broker/.test(message)) ||
                /SASL .*authentication failed/i.test(message);
            if (!retriedConnectionError) {
                write(`kafkajs ${names[level] ?? level} [${namespace}] ${message}\n`);
            }
        };
}

/** Creates a Kafka producer. It connects on the first `send`. */
export function createKafkaProducer(options: KafkaProducerOptions): RecordProducer {
    const kafkajs = require("kafkajs") as typeof import("kafkajs");
    const config = buildKafkaConfig(options);
    const kafka = new kafkajs.Kafka({ ...config.client, logLevel: kafkajs.logLevel.WARN, logCreator: quietKafkaLogCreator() });
    const producer: Producer = kafka.producer({ ...config.producer, createPartitioner: kafkajs.Partitioners.DefaultPartitioner });
    const maxBatch = options.maxBatchMessages ?? 500;
    let connected: Promise<void> | undefined;
    let closed = false;

    const send = async (messages: readonly ProducerMessage[]): Promise<SendReport> => {
        if (closed) {
            throw new KafkaProduceError("the producer is closed; create a new one");
        }
        connected ??= authenticated(options, () => producer.connect());
        await connected;
        let requests = 0;
        for (let start = 0; start < messages.length; start += maxBatch) {
            const chunk = messages.slice(start, start + maxBatch);
            try {
                await producer.sendBatch({
                    topicMessages: [
                        {
                            topic: options.topic,
                            messages: chunk.map((message) => ({ key: message.key, value: message.value, ...(message.headers ? { headers: { ...message.headers } } : {}) })),
                        },
                    ],
                    acks: -1,
                    compression: kafkajs.CompressionTypes.GZIP,
                });
            } catch (error) {
                const unknownTopic = (error as { type?: string }).type === "UNKNOWN_TOPIC_OR_PARTITION";
                throw new KafkaProduceError(
                    `sending ${chunk.length} messages to topic '${options.topic}' failed after retries: ${(error as Error).message}${
                        unknownTopic ? `; create the topic first (ensureKafkaTopic, or --create-topic with the produce CLI)` : ""
                    }`,
                    { cause: error },
                );
            }
            requests += 1;
        }
        return { sent: messages.length, requests, retried: 0 };
    };

    const close = async () => {
        closed = true;
        if (connected) {
            await connected.catch(() => undefined);
            await producer.disconnect();
        }
    };

    return { send, close };
}

/**
 * Creates the topic if it does not exist (with `partitions` partitions and the broker's default
 * replication factor). Returns true when it was created. For local brokers and tests; on MSK the
 * streaming infrastructure owns topics.
 */
export async function ensureKafkaTopic(options: Pick<KafkaProducerOptions, "brokers" | "topic" | "tls" | "mskIam" | "auth" | "clientId">, partitions: number): Promise<boolean> {
    const kafkajs = require("kafkajs") as typeof import("kafkajs");
    const config = buildKafkaConfig(options);
    const admin = new kafkajs.Kafka({ ...config.client, logLevel: kafkajs.logLevel.WARN, logCreator: quietKafkaLogCreator() }).admin();
    await authenticated(options, () => admin.connect());
    try {
        const existing = await admin.listTopics();
        if (existing.includes(options.topic)) {
            return false;
        }
        return await admin.createTopics({ topics: [{ topic: options.topic, numPartitions: partitions }], waitForLeaders: true });
    } finally {
        await admin.disconnect();
    }
}

/** Whether the topic exists on the cluster (a metadata request through the admin client). */
export async function kafkaTopicExists(options: Pick<KafkaProducerOptions, "brokers" | "topic" | "tls" | "mskIam" | "auth" | "clientId">): Promise<boolean> {
    const kafkajs = require("kafkajs") as typeof import("kafkajs");
    const config = buildKafkaConfig(options);
    const admin = new kafkajs.Kafka({ ...config.client, logLevel: kafkajs.logLevel.WARN, logCreator: quietKafkaLogCreator() }).admin();
    await authenticated(options, () => admin.connect());
    try {
        return (await admin.listTopics()).includes(options.topic);
    } finally {
        await admin.disconnect();
    }
}
