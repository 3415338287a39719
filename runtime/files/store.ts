import { Readable } from "stream";
import { describeError, ObjectStoreError } from "../common/errors";
import { FileInfo, FileRef } from "./types";

/**
 * What file ingest needs from the landing bucket beyond `ObjectStore`: one exact object version,
 * read as a stream or by byte ranges (never buffered whole), copied (quarantine) and tagged
 * (processed). Injectable, so the core runs on the in-memory store in unit tests and on S3 (or
 * moto) otherwise. Plain objects of functions, as `ObjectStore` is, for closure serialization.
 */
export interface FileStore {
    /** Size, ETag, time and tags of the version, or `undefined` when it does not exist (any more). */
    head(ref: FileRef): Promise<FileInfo | undefined>;
    /** The version's bytes as a stream. */
    open(ref: FileRef): Promise<Readable>;
    /** Bytes `[start, end)` of the version. */
    readRange(ref: FileRef, start: number, end: number): Promise<Uint8Array>;
    /** Copies the version to `toKey` in `toBucket` (encrypted like every write of the store). */
    copy(ref: FileRef, toBucket: string, toKey: string): Promise<void>;
    /** Replaces the version's tags. */
    tag(ref: FileRef, tags: Readonly<Record<string, string>>): Promise<void>;
}

export interface S3FileStoreOptions {
    /** An existing S3 client (`@aws-sdk/client-s3`). When given, the options below are ignored. */
    readonly client?: import("@aws-sdk/client-s3").S3Client;
    /** Defaults to `AWS_REGION`, then `us-east-1`. */
    readonly region?: string;
    /** A custom endpoint such as moto's. Defaults to AWS. */
    readonly endpoint?: string;
    /** Defaults to true when `endpoint` is set. */
    readonly forcePathStyle?: boolean;
    /** Attempts per request. Defaults to 3. */
    readonly maxAttempts?: number;
    /** Time limit of one HTTP attempt, ms. Defaults to 30,000 (a stream read may pause while rows are written). */
    readonly requestTimeoutMs?: number;
    /** SSE-KMS key for copies. Defaults to the bucket's default encryption. */
    readonly sseKmsKeyArn?: string;
}

function statusOf(error: unknown): number | undefined {
    return (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

function isMissing(error: unknown): boolean {
    const name = (error as { name?: string } | undefined)?.name;
    return statusOf(error) === 404 || name === "NotFound" || name === "NoSuchKey" || name === "NoSuchVersion";
}

/** The S3 implementation; the SDK is loaded inside, as `createS3ObjectStore` does, so handlers serialize. */
export function createS3FileStore(options: S3FileStoreOptions = {}): FileStore {
    const sdk = require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");
    const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    const client =
        options.client ??
        new sdk.S3Client({
            region: options.region ?? process.env.AWS_REGION ?? "us-east-1",
            endpoint: options.endpoint,
            forcePathStyle: options.forcePathStyle ?? options.endpoint !== undefined,
            maxAttempts: options.maxAttempts ?? 3,
            requestHandler: { connectionTimeout: 5_000, requestTimeout: requestTimeoutMs },
        });
    const version = (ref: FileRef) => (ref.versionId ? { VersionId: ref.versionId } : {});
    const fail = (operation: string, ref: FileRef, error: unknown): never => {
        throw new ObjectStoreError(operation, ref.bucket, ref.key, `${operation} s3://${ref.bucket}/${ref.key}${ref.versionId ? ` (version ${ref.versionId})` : ""} failed: ${describeError(error)}`, { cause: error });
    };

    return {
        head: async (ref) => {
            try {
                const head = await client.send(new sdk.HeadObjectCommand({ Bucket: ref.bucket, Key: ref.key, ...version(ref) }));
                const tagging = await client.send(new sdk.GetObjectTaggingCommand({ Bucket: ref.bucket, Key: ref.key, ...version(ref) }));
                const tags = Object.fromEntries((tagging.TagSet ?? []).map((tag) => [tag.Key ?? "", tag.Value ?? ""]));
                return { size: head.ContentLength ?? 0, etag: (head.ETag ?? "").replace(/"/g, ""), lastModifiedMs: head.LastModified?.getTime() ?? 0, tags };
            } catch (error) {
                return isMissing(error) ? undefined : fail("HeadObject", ref, error);
            }
        },
        open: async (ref) => {
            try {
                const response = await client.send(new sdk.GetObjectCommand({ Bucket: ref.bucket, Key: ref.key, ...version(ref) }));
                return response.Body instanceof Readable ? response.Body : Readable.from([]);
            } catch (error) {
                return fail("GetObject", ref, error);
            }
        },
        readRange: async (ref, start, end) => {
            if (end <= start) {
                return new Uint8Array();
            }
            try {
                const response = await client.send(new sdk.GetObjectCommand({ Bucket: ref.bucket, Key: ref.key, Range: `bytes=${start}-${end - 1}`, ...version(ref) }));
                return response.Body ? await response.Body.transformToByteArray() : new Uint8Array();
            } catch (error) {
                return fail("GetObject", ref, error);
            }
        },
        copy: async (ref, toBucket, toKey) => {
            const source = `${ref.bucket}/${encodeURIComponent(ref.key).replace(/%2F/g, "/")}${ref.versionId ? `?versionId=${encodeURIComponent(ref.versionId)}` : ""}`;
            try {
                await client.send(
                    new sdk.CopyObjectCommand({
                        Bucket: toBucket,
                        Key: toKey,
                        CopySource: source,
                        ...(options.sseKmsKeyArn ? { ServerSideEncryption: "aws:kms", SSEKMSKeyId: options.sseKmsKeyArn, BucketKeyEnabled: true } : {}),
                    }),
                );
            } catch (error) {
                fail("CopyObject", ref, error);
            }
        },
        tag: async (ref, tags) => {
            try {
                await client.send(
                    new sdk.PutObjectTaggingCommand({ Bucket: ref.bucket, Key: ref.key, ...version(ref), Tagging: { TagSet: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) } }),
                );
            } catch (error) {
                fail("PutObjectTagging", ref, error);
            }
        },
    };
}

/** One object version held in memory, for unit tests. */
export interface MemoryFile {
    readonly body: Uint8Array;
    readonly etag?: string;
    readonly lastModifiedMs?: number;
    tags?: Record<string, string>;
}

/**
 * An in-memory `FileStore` over a map of `bucket/key#version` → file; `copies` records copies
 * (`bucket/key`) and their bytes. Streams come in small pieces so parsers see chunk boundaries.
 */
export function createMemoryFileStore(files: Map<string, MemoryFile>, copies: Map<string, Uint8Array> = new Map()): FileStore {
    const id = (ref: FileRef) => `${ref.bucket}/${ref.key}#${ref.versionId ?? ""}`;
    const get = (ref: FileRef): MemoryFile => {
        const file = files.get(id(ref));
        if (!file) {
            throw new ObjectStoreError("GetObject", ref.bucket, ref.key, `no object s3://${ref.bucket}/${ref.key} version ${ref.versionId ?? "(none)"}`);
        }
        return file;
    };
    return {
        head: async (ref) => {
            const file = files.get(id(ref));
            return file ? { size: file.body.byteLength, etag: file.etag ?? `etag-${file.body.byteLength}`, lastModifiedMs: file.lastModifiedMs ?? 0, tags: { ...(file.tags ?? {}) } } : undefined;
        },
        open: async (ref) => {
            const body = get(ref).body;
            const pieces: Buffer[] = [];
            for (let start = 0; start < body.byteLength; start += 7) {
                pieces.push(Buffer.from(body.subarray(start, start + 7)));
            }
            return Readable.from(pieces);
        },
        readRange: async (ref, start, end) => get(ref).body.slice(start, end),
        copy: async (ref, toBucket, toKey) => {
            copies.set(`${toBucket}/${toKey}`, get(ref).body);
        },
        tag: async (ref, tags) => {
            get(ref).tags = { ...tags };
        },
    };
}
