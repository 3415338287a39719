import type { S3Client } from "@aws-sdk/client-s3";
import { describeError, ObjectStoreError } from "./errors";

/**
 * A minimal object store: the operations runtime code needs from S3, behind an interface so unit
 * tests and benchmarks can run against the in-memory implementation (`createMemoryObjectStore`)
 * with the same semantics, including conditional creates.
 *
 * Implementations are plain objects of functions (no classes, no `this`), so a handler that
 * closes over one survives Pulumi's closure serialization when it is created inside a factory.
 */
export interface ObjectStore {
    /**
     * Writes an object. With `ifNoneMatch: true` the write only happens when no object exists under
     * the key (S3 `If-None-Match: *`); an existing object yields `"exists"` instead of an error.
     */
    putObject(input: PutObjectInput): Promise<PutObjectOutcome>;
    /** Size and user metadata of an object, or `undefined` when there is none. */
    headObject(bucket: string, key: string): Promise<ObjectHead | undefined>;
    /** The object's bytes, or `undefined` when there is none. */
    getObject(bucket: string, key: string): Promise<Uint8Array | undefined>;
    /** Every key under a prefix, in lexicographic order. */
    listKeys(bucket: string, prefix: string): Promise<string[]>;
}

/** One listed object: its key and size in bytes. */
export interface ObjectSummary {
    readonly key: string;
    readonly size: number;
}

/**
 * An `ObjectStore` that can also list with sizes and delete: what the lake maintenance jobs
 * (replay of rejects, compaction in `runtime/batch`) need. It is a separate interface so code that
 * only lands data (the ingest function) never depends on deletes.
 */
export interface MaintenanceObjectStore extends ObjectStore {
    /** Every object under a prefix with its size, in lexicographic key order. */
    listObjects(bucket: string, prefix: string): Promise<ObjectSummary[]>;
    /**
     * Deletes objects (S3 `DeleteObjects`, up to 1,000 keys per request). Deleting a key that does
     * not exist succeeds, so a retried delete is harmless. Throws if any key could not be deleted.
     */
    deleteObjects(bucket: string, keys: readonly string[]): Promise<void>;
}

export interface PutObjectInput {
    readonly bucket: string;
    readonly key: string;
    readonly body: Uint8Array;
    /** Defaults to `application/octet-stream`. */
    readonly contentType?: string;
    /** User metadata (`x-amz-meta-*`). Keys must be lower case; S3 returns them lower-cased. */
    readonly metadata?: Readonly<Record<string, string>>;
    /** Only create the object if the key is free. Defaults to false (unconditional overwrite). */
    readonly ifNoneMatch?: boolean;
}

/** `created`: this call wrote the object. `exists`: a conditional create found the key taken. */
export type PutObjectOutcome = "created" | "exists";

export interface ObjectHead {
    readonly size: number;
    readonly metadata: Readonly<Record<string, string>>;
    readonly contentType?: string;
}

export interface S3ObjectStoreOptions {
    /** An existing client to use. When given, the connection options below are ignored. */
    readonly client?: S3Client;
    /** Defaults to `AWS_REGION` from the environment, then `us-east-1`. */
    readonly region?: string;
    /** A custom endpoint such as moto's `http://127.0.0.1:5055`. Defaults to AWS. */
    readonly endpoint?: string;
    /** Path-style addressing (needed by most local stand-ins). Defaults to true when `endpoint` is set. */
    readonly forcePathStyle?: boolean;
    /** Time limit of one HTTP attempt in milliseconds. Defaults to 10,000. */
    readonly requestTimeoutMs?: number;
    /** Time limit of one operation including the SDK's retries, in milliseconds. Defaults to 3 × requestTimeoutMs. */
    readonly operationTimeoutMs?: number;
    /** Attempts per request including the first (SDK standard retry mode). Defaults to 3. */
    readonly maxAttempts?: number;
    /**
     * When set, every write asks for SSE-KMS with this key (and an S3 Bucket Key), which satisfies
     * bucket policies that deny uploads without the encryption header. Defaults to the bucket's
     * default encryption.
     */
    readonly sseKmsKeyArn?: string;
    /** Static credentials, for local stand-ins. Defaults to the SDK's credential chain. */
    readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string };
}

interface ServiceErrorShape {
    readonly name?: string;
    readonly Code?: string;
    readonly $metadata?: { readonly httpStatusCode?: number };
}

function statusOf(error: unknown): number | undefined {
    return (error as ServiceErrorShape | undefined)?.$metadata?.httpStatusCode;
}

function isPreconditionFailed(error: unknown): boolean {
    const shape = error as ServiceErrorShape | undefined;
    return statusOf(error) === 412 || shape?.name === "PreconditionFailed" || shape?.Code === "PreconditionFailed";
}

function isNotFound(error: unknown): boolean {
    const shape = error as ServiceErrorShape | undefined;
    return statusOf(error) === 404 || shape?.name === "NotFound" || shape?.name === "NoSuchKey";
}

/**
 * The S3 implementation of `ObjectStore`. The AWS SDK is loaded with `require()` inside this
 * function, not at module scope, so Lambda handlers that create the store inside their factory
 * serialize cleanly with Pulumi (SDK v3 objects cannot be captured in a closure).
 *
 * Conditional creates map S3's `412 PreconditionFailed` to `"exists"`. Every operation is bounded
 * by `operationTimeoutMs` through an abort signal, on top of the per-attempt `requestTimeoutMs`.
 */
export function createS3ObjectStore(options: S3ObjectStoreOptions = {}): MaintenanceObjectStore {
    const sdk = require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");
    const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    const operationTimeoutMs = options.operationTimeoutMs ?? requestTimeoutMs * 3;
    const client =
        options.client ??
        new sdk.S3Client({
            region: options.region ?? process.env.AWS_REGION ?? "us-east-1",
            endpoint: options.endpoint,
            forcePathStyle: options.forcePathStyle ?? options.endpoint !== undefined,
            maxAttempts: options.maxAttempts ?? 3,
            credentials: options.credentials,
            requestHandler: { connectionTimeout: Math.min(requestTimeoutMs, 5_000), requestTimeout: requestTimeoutMs, throwOnRequestTimeout: true },
        });
    const signal = () => AbortSignal.timeout(operationTimeoutMs);

    const putObject = async (input: PutObjectInput): Promise<PutObjectOutcome> => {
        const command = new sdk.PutObjectCommand({
            Bucket: input.bucket,
            Key: input.key,
            Body: input.body,
            ContentType: input.contentType ?? "application/octet-stream",
            Metadata: input.metadata ? { ...input.metadata } : undefined,
            IfNoneMatch: input.ifNoneMatch ? "*" : undefined,
            ServerSideEncryption: options.sseKmsKeyArn ? "aws:kms" : undefined,
            SSEKMSKeyId: options.sseKmsKeyArn,
            BucketKeyEnabled: options.sseKmsKeyArn ? true : undefined,
        });
        try {
            await client.send(command, { abortSignal: signal() });
            return "created";
        } catch (error) {
            if (input.ifNoneMatch && isPreconditionFailed(error)) {
                return "exists";
            }
            throw new ObjectStoreError("PutObject", input.bucket, input.key, `PutObject s3://${input.bucket}/${input.key} failed: ${describeError(error)}`, {
                cause: error,
            });
        }
    };

    const headObject = async (bucket: string, key: string): Promise<ObjectHead | undefined> => {
        try {
            const head = await client.send(new sdk.HeadObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal() });
            return { size: head.ContentLength ?? 0, metadata: head.Metadata ?? {}, contentType: head.ContentType };
        } catch (error) {
            if (isNotFound(error)) {
                return undefined;
            }
            throw new ObjectStoreError("HeadObject", bucket, key, `HeadObject s3://${bucket}/${key} failed: ${describeError(error)}`, { cause: error });
        }
    };

    const getObject = async (bucket: string, key: string): Promise<Uint8Array | undefined> => {
        try {
            const response = await client.send(new sdk.GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal() });
            return response.Body ? await response.Body.transformToByteArray() : new Uint8Array();
        } catch (error) {
            if (isNotFound(error)) {
                return undefined;
            }
            throw new ObjectStoreError("GetObject", bucket, key, `GetObject s3://${bucket}/${key} failed: ${describeError(error)}`, { cause: error });
        }
    };

    const listObjects = async (bucket: string, prefix: string): Promise<ObjectSummary[]> => {
        const objects: ObjectSummary[] = [];
        let token: string | undefined;
        try {
            do {
                const page = await client.send(new sdk.ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }), {
                    abortSignal: signal(),
                });
                for (const item of page.Contents ?? []) {
                    if (item.Key !== undefined) {
                        objects.push({ key: item.Key, size: item.Size ?? 0 });
                    }
                }
                token = page.IsTruncated ? page.NextContinuationToken : undefined;
            } while (token);
        } catch (error) {
            throw new ObjectStoreError("ListObjectsV2", bucket, prefix, `ListObjectsV2 s3://${bucket}/${prefix} failed: ${describeError(error)}`, {
                cause: error,
            });
        }
        return objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    };

    const listKeys = async (bucket: string, prefix: string): Promise<string[]> => (await listObjects(bucket, prefix)).map((object) => object.key);

    const deleteObjects = async (bucket: string, keys: readonly string[]): Promise<void> => {
        for (let start = 0; start < keys.length; start += 1000) {
            const chunk = keys.slice(start, start + 1000);
            let failed: string[];
            try {
                const response = await client.send(
                    new sdk.DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: chunk.map((key) => ({ Key: key })), Quiet: true } }),
                    { abortSignal: signal() },
                );
                failed = (response.Errors ?? []).map((entry) => `${entry.Key ?? "?"} (${entry.Code ?? "error"}: ${entry.Message ?? "no message"})`);
            } catch (error) {
                throw new ObjectStoreError("DeleteObjects", bucket, chunk[0] ?? "", `DeleteObjects s3://${bucket} (${chunk.length} keys from ${chunk[0]}) failed: ${describeError(error)}`, {
                    cause: error,
                });
            }
            if (failed.length > 0) {
                throw new ObjectStoreError("DeleteObjects", bucket, chunk[0] ?? "", `DeleteObjects s3://${bucket} could not delete ${failed.length} keys: ${failed.slice(0, 5).join("; ")}`);
            }
        }
    };

    return { putObject, headObject, getObject, listKeys, listObjects, deleteObjects };
}
