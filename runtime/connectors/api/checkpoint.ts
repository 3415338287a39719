import type { S3Client } from "@aws-sdk/client-s3";
import { describeError, ObjectStoreError } from "../../common/errors";
import { ApiConnectorError, CheckpointConflictError } from "./errors";

/**
 * A source's checkpoint: one small JSON object in S3, changed only with a conditional write
 * (`If-Match` on the ETag read, or `If-None-Match: *` for the first write). A run first *claims*
 * its window by recording it as `pending`, then lands the window's objects, then *advances*
 * `watermark` to the window's end and clears `pending`. Both writes are conditional on the ETag
 * the run last saw, so of two overlapping runs only one can claim (the other gets 412 and stops),
 * and a run that crashed after claiming leaves `pending` behind: the next run repeats exactly that
 * window, so its objects get the same keys and bytes.
 */
export interface CheckpointState {
    /** Document format version. */
    readonly version: 1;
    readonly source: string;
    /** End (exclusive) of the last window whose data is durable, UTC ISO text; null before the first run. */
    readonly watermark: string | null;
    /** A claimed window not yet completed: the next run repeats it. */
    readonly pending: { readonly start: string; readonly end: string } | null;
}

export interface StoredCheckpoint {
    readonly state: CheckpointState;
    readonly etag: string;
}

export interface CheckpointStore {
    /** The current checkpoint and its ETag, or `undefined` when the source has never run. */
    read(): Promise<StoredCheckpoint | undefined>;
    /**
     * Writes `state` if the object still has `expectedEtag` (or, with `undefined`, if there is no
     * object yet). Returns the new ETag; throws `CheckpointConflictError` when the condition fails.
     */
    write(state: CheckpointState, expectedEtag: string | undefined): Promise<string>;
}

/** Renders a checkpoint document: stable key order, pretty-printed, final newline. */
export function renderCheckpoint(state: CheckpointState): string {
    return `${JSON.stringify({ version: state.version, source: state.source, watermark: state.watermark, pending: state.pending }, null, 2)}\n`;
}

/** Parses a stored checkpoint, naming the object and the field when it is not one. */
export function parseCheckpoint(text: string, where: string): CheckpointState {
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch (error) {
        throw new ApiConnectorError(`checkpoint ${where} is not JSON (${describeError(error)}); delete it to start from the source's initial window, or restore the previous version`);
    }
    const doc = value as Partial<Record<keyof CheckpointState, unknown>>;
    const isTime = (v: unknown) => typeof v === "string" && Number.isFinite(Date.parse(v));
    const pending = doc.pending as { start?: unknown; end?: unknown } | null | undefined;
    if (
        typeof value !== "object" ||
        value === null ||
        doc.version !== 1 ||
        typeof doc.source !== "string" ||
        !(doc.watermark === null || isTime(doc.watermark)) ||
        !(pending === null || (typeof pending === "object" && isTime(pending.start) && isTime(pending.end)))
    ) {
        throw new ApiConnectorError(
            `checkpoint ${where} must be {version: 1, source, watermark: ISO time or null, pending: {start, end} or null}, found ${text.slice(0, 200)}; restore the previous object version`,
        );
    }
    return value as CheckpointState;
}

/** An in-memory checkpoint store with S3's conditional-write semantics (tests, benchmarks, local runs). */
export function createMemoryCheckpointStore(initial?: CheckpointState): CheckpointStore & { readonly writes: () => number } {
    let stored: { text: string; etag: string } | undefined;
    let counter = 0;
    let writes = 0;
    const put = (state: CheckpointState) => {
        counter += 1;
        stored = { text: renderCheckpoint(state), etag: `"v${counter}"` };
        return stored.etag;
    };
    if (initial) {
        put(initial);
    }
    return {
        read: async () => (stored ? { state: parseCheckpoint(stored.text, "memory"), etag: stored.etag } : undefined),
        write: async (state, expectedEtag) => {
            if ((expectedEtag === undefined && stored !== undefined) || (expectedEtag !== undefined && stored?.etag !== expectedEtag)) {
                throw new CheckpointConflictError(`checkpoint changed since it was read (expected ${expectedEtag ?? "no object"}, found ${stored?.etag ?? "no object"})`);
            }
            writes += 1;
            return put(state);
        },
        writes: () => writes,
    };
}

export interface S3CheckpointStoreOptions {
    /** The source the checkpoint belongs to (written into a first checkpoint). */
    readonly source: string;
    readonly bucket: string;
    readonly key: string;
    /** Every write asks for SSE-KMS with this key. Defaults to the bucket's default encryption. */
    readonly sseKmsKeyArn?: string;
    /** An existing client; otherwise one is created from the options below. */
    readonly client?: S3Client;
    readonly region?: string;
    readonly endpoint?: string;
    readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

function statusOf(error: unknown): number | undefined {
    return (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

/**
 * The S3 checkpoint store. The SDK is required inside the function (see runtime/common/telemetry.ts
 * for why deployed code never loads it at module scope).
 */
export function createS3CheckpointStore(options: S3CheckpointStoreOptions): CheckpointStore {
    const sdk = require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");
    const client =
        options.client ??
        new sdk.S3Client({
            region: options.region ?? process.env.AWS_REGION ?? "us-east-1",
            endpoint: options.endpoint,
            forcePathStyle: options.endpoint !== undefined,
            credentials: options.credentials,
        });
    const where = `s3://${options.bucket}/${options.key}`;
    const writeCheckpoint = async (state: CheckpointState, expectedEtag: string | undefined): Promise<string> => {
        try {
            const response = await client.send(
                new sdk.PutObjectCommand({
                    Bucket: options.bucket,
                    Key: options.key,
                    Body: renderCheckpoint(state),
                    ContentType: "application/json",
                    ...(expectedEtag === undefined ? { IfNoneMatch: "*" } : { IfMatch: expectedEtag }),
                    ...(options.sseKmsKeyArn ? { ServerSideEncryption: "aws:kms" as const, SSEKMSKeyId: options.sseKmsKeyArn, BucketKeyEnabled: true } : {}),
                }),
            );
            return response.ETag ?? "";
        } catch (error) {
            // 412: the ETag moved (If-Match) or the object appeared (If-None-Match); 409: a concurrent conditional write won.
            if (statusOf(error) === 412 || statusOf(error) === 409) {
                throw new CheckpointConflictError(`checkpoint ${where} changed since this run read it; another run owns the window`, { cause: error });
            }
            throw new ObjectStoreError("PutObject", options.bucket, options.key, `PutObject ${where} failed: ${describeError(error)}`, { cause: error });
        }
    };
    // S3 answers a missing key with 403, not 404, to a role without s3:ListBucket, which the
    // connector does not get. Creating the first checkpoint (If-None-Match: *) tells the two
    // apart: it succeeds only when there was no object.
    const createFirst = async (): Promise<StoredCheckpoint> => {
        const state: CheckpointState = { version: 1, source: options.source, watermark: null, pending: null };
        try {
            return { state, etag: await writeCheckpoint(state, undefined) };
        } catch (error) {
            if (error instanceof CheckpointConflictError) {
                throw new ApiConnectorError(`checkpoint ${where} exists but reading it was denied; grant the connector's role s3:GetObject on it`, { cause: error });
            }
            throw error;
        }
    };
    const read = async (): Promise<StoredCheckpoint | undefined> => {
        let response;
        try {
            response = await client.send(new sdk.GetObjectCommand({ Bucket: options.bucket, Key: options.key }));
        } catch (error) {
            if (statusOf(error) === 404 || (error as { name?: string }).name === "NoSuchKey") {
                return undefined;
            }
            if (statusOf(error) === 403) {
                return createFirst();
            }
            throw new ObjectStoreError("GetObject", options.bucket, options.key, `GetObject ${where} failed: ${describeError(error)}`, { cause: error });
        }
        const text = response.Body ? await response.Body.transformToString("utf8") : "";
        return { state: parseCheckpoint(text, where), etag: response.ETag ?? "" };
    };
    return { read, write: writeCheckpoint };
}
