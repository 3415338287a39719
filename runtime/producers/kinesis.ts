import type { KinesisClient } from "@aws-sdk/client-kinesis";
import { ConfigurationError, PlatformError } from "../common/errors";
import { sha256Hex } from "../common/encoding";
import { createHttp1RequestHandler } from "../common/http";
import { ProducerMessage, RecordProducer, SendReport } from "./types";

/**
 * The Kinesis producer: PutRecords in batches within the API limits (500 records and 5 MiB per
 * request, 1 MiB per record including its partition key), retrying only the entries a response
 * marks as failed (throttling, internal errors) with exponential backoff and full jitter.
 */

export const kinesisLimits = {
    maxRecordsPerRequest: 500,
    maxBytesPerRequest: 5 * 1024 * 1024,
    maxBytesPerRecord: 1024 * 1024,
    maxPartitionKeyLength: 256,
} as const;

export interface PutRecordsEntry {
    readonly partitionKey: string;
    readonly data: Buffer;
}

/** The one API call the producer needs, so tests can stand in for Kinesis. */
export type PutRecordsCall = (input: { readonly streamName: string; readonly entries: readonly PutRecordsEntry[] }) => Promise<readonly PutRecordsEntryResult[]>;

/** Per-entry result, in request order: an error code, or success. */
export interface PutRecordsEntryResult {
    readonly errorCode?: string;
    readonly errorMessage?: string;
}

export interface KinesisProducerOptions {
    readonly streamName: string;
    /** Defaults to `AWS_REGION`, then `us-east-1`. */
    readonly region?: string;
    /** Custom endpoint such as moto's (spoken to over HTTP/1.1). Defaults to AWS. */
    readonly endpoint?: string;
    readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string };
    /** Attempts per batch for failed entries, including the first. Defaults to 8. */
    readonly maxAttempts?: number;
    /** First backoff in milliseconds; doubles per attempt up to `maxDelayMs`. Defaults to 100. */
    readonly baseDelayMs?: number;
    /** Defaults to 5,000. */
    readonly maxDelayMs?: number;
    /** Replaces the SDK call (tests). */
    readonly putRecords?: PutRecordsCall;
    /** Replaces the timer (tests). */
    readonly sleep?: (ms: number) => Promise<void>;
    /** Replaces Math.random for the jitter (tests). */
    readonly random?: () => number;
}

export class KinesisProduceError extends PlatformError {
    constructor(message: string, options?: ErrorOptions) {
        super(message, options);
        this.name = "KinesisProduceError";
    }
}

function entrySize(entry: PutRecordsEntry): number {
    return entry.data.byteLength + Buffer.byteLength(entry.partitionKey, "utf8");
}

/** The Kinesis partition key of a message: its key, or a hash of its value when it has none. */
export function partitionKeyOf(message: ProducerMessage): string {
    const key = message.key ?? sha256Hex(message.value).slice(0, 32);
    if (key.length === 0 || key.length > kinesisLimits.maxPartitionKeyLength) {
        throw new KinesisProduceError(`a partition key must be 1-${kinesisLimits.maxPartitionKeyLength} characters, found ${key.length}; shorten the message key`);
    }
    return key;
}

/**
 * Splits entries into PutRecords requests, keeping their order, so that no request exceeds the
 * record count or byte limits. Throws for a single entry over the per-record limit.
 */
export function splitIntoPutRecordsBatches(entries: readonly PutRecordsEntry[], limits: { readonly maxRecordsPerRequest: number; readonly maxBytesPerRequest: number; readonly maxBytesPerRecord: number } = kinesisLimits): PutRecordsEntry[][] {
    const batches: PutRecordsEntry[][] = [];
    let current: PutRecordsEntry[] = [];
    let bytes = 0;
    entries.forEach((entry, index) => {
        const size = entrySize(entry);
        if (size > limits.maxBytesPerRecord) {
            throw new KinesisProduceError(`message ${index} is ${size} bytes with its partition key, over the Kinesis limit of ${limits.maxBytesPerRecord} bytes; send smaller records`);
        }
        if (current.length >= limits.maxRecordsPerRequest || bytes + size > limits.maxBytesPerRequest) {
            batches.push(current);
            current = [];
            bytes = 0;
        }
        current.push(entry);
        bytes += size;
    });
    if (current.length > 0) {
        batches.push(current);
    }
    return batches;
}

/** Backoff before retry `attempt` (1-based): full jitter over an exponentially growing cap. */
export function backoffDelayMs(attempt: number, baseDelayMs: number, maxDelayMs: number, random: () => number): number {
    const cap = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
    return Math.floor(random() * cap);
}

/**
 * Sends one batch, resending only the failed entries until none fail or the attempts run out.
 * Returns the number of requests made and entries retried.
 */
export async function putBatchWithRetry(
    streamName: string,
    batch: readonly PutRecordsEntry[],
    call: PutRecordsCall,
    retry: { readonly maxAttempts: number; readonly baseDelayMs: number; readonly maxDelayMs: number; readonly sleep: (ms: number) => Promise<void>; readonly random: () => number },
): Promise<{ readonly requests: number; readonly retried: number }> {
    let pending = batch;
    let requests = 0;
    let retried = 0;
    let lastProblem = "";
    for (let attempt = 1; attempt <= retry.maxAttempts; attempt += 1) {
        if (attempt > 1) {
            retried += pending.length;
            await retry.sleep(backoffDelayMs(attempt - 1, retry.baseDelayMs, retry.maxDelayMs, retry.random));
        }
        requests += 1;
        let results: readonly PutRecordsEntryResult[];
        try {
            results = await call({ streamName, entries: pending });
        } catch (error) {
            lastProblem = `the request failed: ${(error as Error).message}`;
            continue;
        }
        if (results.length !== pending.length) {
            throw new KinesisProduceError(`PutRecords answered ${results.length} results for ${pending.length} records on stream '${streamName}'`);
        }
        const failed = pending.filter((_, index) => results[index]?.errorCode !== undefined);
        if (failed.length === 0) {
            return { requests, retried };
        }
        const codes = [...new Set(results.filter((result) => result.errorCode !== undefined).map((result) => result.errorCode))];
        lastProblem = `${failed.length} records failed (${codes.join(", ")})`;
        pending = failed;
    }
    throw new KinesisProduceError(`PutRecords to stream '${streamName}' did not succeed after ${retry.maxAttempts} attempts: ${lastProblem}`);
}

/** Creates a Kinesis producer (the SDK client is created inside, on the default credential chain). */
export function createKinesisProducer(options: KinesisProducerOptions): RecordProducer {
    if (!/^[a-zA-Z0-9_.-]{1,128}$/.test(options.streamName)) {
        throw new ConfigurationError("streamName", `stream name must be 1-128 characters of letters, digits, '_', '.' or '-', found '${options.streamName}'`);
    }
    let client: KinesisClient | undefined;
    const call: PutRecordsCall =
        options.putRecords ??
        (async ({ streamName, entries }) => {
            const sdk = require("@aws-sdk/client-kinesis") as typeof import("@aws-sdk/client-kinesis");
            client ??= new sdk.KinesisClient({
                region: options.region ?? process.env.AWS_REGION ?? "us-east-1",
                endpoint: options.endpoint,
                credentials: options.credentials,
                ...(options.endpoint ? { requestHandler: createHttp1RequestHandler() as never } : {}),
            });
            const response = await client.send(
                new sdk.PutRecordsCommand({ StreamName: streamName, Records: entries.map((entry) => ({ PartitionKey: entry.partitionKey, Data: entry.data })) }),
            );
            return (response.Records ?? []).map((record) => (record.ErrorCode ? { errorCode: record.ErrorCode, errorMessage: record.ErrorMessage } : {}));
        });
    const retry = {
        maxAttempts: options.maxAttempts ?? 8,
        baseDelayMs: options.baseDelayMs ?? 100,
        maxDelayMs: options.maxDelayMs ?? 5_000,
        sleep: options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))),
        random: options.random ?? Math.random,
    };

    const send = async (messages: readonly ProducerMessage[]): Promise<SendReport> => {
        const entries = messages.map((message) => ({ partitionKey: partitionKeyOf(message), data: message.value }));
        let requests = 0;
        let retried = 0;
        for (const batch of splitIntoPutRecordsBatches(entries)) {
            const result = await putBatchWithRetry(options.streamName, batch, call, retry);
            requests += result.requests;
            retried += result.retried;
        }
        return { sent: messages.length, requests, retried };
    };

    const close = async () => {
        client?.destroy();
    };

    return { send, close };
}
