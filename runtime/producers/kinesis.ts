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

/**
 * Request errors that no retry can fix (the SDK has already retried throttling and transient
 * errors by then); the producer fails on the first one instead of backing off eight times.
 */
export const nonRetryableKinesisErrors: ReadonlySet<string> = new Set([
    "ResourceNotFoundException",
    "AccessDeniedException",
    "UnrecognizedClientException",
    "InvalidSignatureException",
    "ExpiredTokenException",
    "CredentialsProviderError",
    "InvalidArgumentException",
    "ValidationException",
    "KMSAccessDeniedException",
    "KMSDisabledException",
    "KMSNotFoundException",
    "KMSInvalidStateException",
]);

function fixFor(errorName: string, streamName: string): string {
    if (errorName === "ResourceNotFoundException") {
        return `create the stream first (the stack creates it on AWS; against a local endpoint pass --create-stream <shards> to the produce CLI), or check the stream name and region`;
    }
    if (errorName === "CredentialsProviderError" || errorName === "UnrecognizedClientException" || errorName === "InvalidSignatureException" || errorName === "ExpiredTokenException") {
        return "provide AWS credentials (AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY); a local endpoint such as moto accepts any";
    }
    if (errorName.startsWith("KMS") || errorName === "AccessDeniedException") {
        return `grant kinesis:PutRecords on stream '${streamName}' (and kms:GenerateDataKey on its key) to the credentials in use`;
    }
    return "fix the request; retrying will not help";
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
            const name = (error as { name?: string }).name ?? "";
            if (nonRetryableKinesisErrors.has(name)) {
                // Waiting will not make a missing stream appear or a refused credential work: say so now.
                throw new KinesisProduceError(`PutRecords to stream '${streamName}' failed with ${name}: ${(error as Error).message}; ${fixFor(name, streamName)}`, { cause: error });
            }
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

/** Looks up and creates streams; the SDK is the default, tests stand in for it. */
export interface KinesisStreamAdmin {
    /** The stream's status (`CREATING`, `ACTIVE`, `UPDATING`, `DELETING`), or undefined when it does not exist. */
    status(streamName: string): Promise<string | undefined>;
    /** Creates a provisioned stream with `shards` shards; a stream created meanwhile by someone else is fine. */
    create(streamName: string, shards: number): Promise<void>;
}

export interface EnsureKinesisStreamOptions {
    readonly streamName: string;
    readonly region?: string;
    readonly endpoint?: string;
    readonly credentials?: KinesisProducerOptions["credentials"];
    /** Create the stream with this many shards when it is missing. Defaults to none: a missing stream is an error. */
    readonly createShards?: number;
    /** How long to wait for the stream to become ACTIVE. Defaults to 60,000 ms. */
    readonly timeoutMs?: number;
    /** Replaces the SDK (tests). */
    readonly admin?: KinesisStreamAdmin;
    /** Replaces the timer (tests). */
    readonly sleep?: (ms: number) => Promise<void>;
}

export class KinesisStreamNotFoundError extends PlatformError {
    constructor(message: string) {
        super(message);
        this.name = "KinesisStreamNotFoundError";
    }
}

function sdkStreamAdmin(options: EnsureKinesisStreamOptions): { readonly admin: KinesisStreamAdmin; readonly close: () => void } {
    const sdk = require("@aws-sdk/client-kinesis") as typeof import("@aws-sdk/client-kinesis");
    const client = new sdk.KinesisClient({
        region: options.region ?? process.env.AWS_REGION ?? "us-east-1",
        endpoint: options.endpoint,
        credentials: options.credentials,
        ...(options.endpoint ? { requestHandler: createHttp1RequestHandler() as never } : {}),
    });
    const admin: KinesisStreamAdmin = {
        status: async (streamName) => {
            try {
                const answer = await client.send(new sdk.DescribeStreamSummaryCommand({ StreamName: streamName }));
                return answer.StreamDescriptionSummary?.StreamStatus;
            } catch (error) {
                if ((error as { name?: string }).name === "ResourceNotFoundException") {
                    return undefined;
                }
                throw error;
            }
        },
        create: async (streamName, shards) => {
            try {
                await client.send(new sdk.CreateStreamCommand({ StreamName: streamName, ShardCount: shards }));
            } catch (error) {
                if ((error as { name?: string }).name !== "ResourceInUseException") {
                    throw error;
                }
            }
        },
    };
    return { admin, close: () => client.destroy() };
}

/**
 * Makes sure the stream exists and is ACTIVE before anything is produced: waits for a stream that
 * is being created, creates a missing one when `createShards` is given, and otherwise fails with
 * the fix. Returns whether this call created it. For local endpoints and tests; on AWS the
 * streaming component of the stack owns the stream (with its encryption and retention).
 */
export async function ensureKinesisStream(options: EnsureKinesisStreamOptions): Promise<"exists" | "created"> {
    const own = options.admin ? undefined : sdkStreamAdmin(options);
    const admin = options.admin ?? (own as { admin: KinesisStreamAdmin }).admin;
    const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    const where = options.endpoint ? ` at ${options.endpoint}` : ` in ${options.region ?? process.env.AWS_REGION ?? "us-east-1"}`;
    try {
        let status = await admin.status(options.streamName);
        let outcome: "exists" | "created" = "exists";
        if (status === undefined) {
            if (options.createShards === undefined) {
                throw new KinesisStreamNotFoundError(
                    `Kinesis stream '${options.streamName}' does not exist${where}; ${
                        options.endpoint ? "pass --create-stream <shards> (for example --create-stream 2) to create it" : "deploy the stack that owns it (pulumi up) or pass the name from `pulumi stack output streams`"
                    }`,
                );
            }
            await admin.create(options.streamName, options.createShards);
            outcome = "created";
            status = "CREATING";
        }
        const deadline = Date.now() + (options.timeoutMs ?? 60_000);
        while (status !== "ACTIVE") {
            if (status === "DELETING" || Date.now() > deadline) {
                throw new KinesisProduceError(`Kinesis stream '${options.streamName}'${where} is ${status ?? "gone"}, expected ACTIVE; wait for it or use another stream name`);
            }
            await sleep(250);
            status = await admin.status(options.streamName);
        }
        return outcome;
    } finally {
        own?.close();
    }
}
