import { createHash } from "crypto";
import type { S3Client } from "@aws-sdk/client-s3";
import { WarehouseConfigError } from "./errors";
import { CuratedFile } from "./load";

/** An S3 location: bucket and key (or key prefix, without a leading slash). */
export interface S3Location {
    readonly bucket: string;
    readonly key: string;
}

/** Splits `s3://bucket/key` (the key may be empty). */
export function parseS3Uri(uri: string): S3Location {
    const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(uri);
    if (!match) {
        throw new WarehouseConfigError(`'${uri}' is not an S3 URI; expected s3://<bucket>/<key>`);
    }
    return { bucket: match[1], key: match[2] ?? "" };
}

/** `s3://bucket/key` */
export function s3Uri(location: S3Location): string {
    return `s3://${location.bucket}/${location.key}`;
}

/** Joins URI parts with single slashes (`s3://b/curated` + `orders` → `s3://b/curated/orders/`). */
export function childPrefix(uri: string, name: string): string {
    return `${uri.replace(/\/+$/, "")}/${name}/`;
}

/**
 * True for the Parquet data files of a curated table: `.parquet` objects none of whose path
 * segments below the table prefix starts with `_` or `.` (Spark's `_SUCCESS`, `_temporary/`,
 * `.spark-staging-*` and anything hidden are not data).
 */
export function isCuratedDataKey(key: string, tablePrefix: string): boolean {
    if (!key.startsWith(tablePrefix) || !key.endsWith(".parquet")) {
        return false;
    }
    return key
        .slice(tablePrefix.length)
        .split("/")
        .every((segment) => segment.length > 0 && !segment.startsWith("_") && !segment.startsWith("."));
}

/** Lists the curated data files under a table prefix (`s3://bucket/curated/orders/`), sorted by URI. */
export async function listCuratedFiles(s3: Pick<S3Client, "send">, tableUri: string): Promise<CuratedFile[]> {
    const s3Sdk = require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3"); // lazily: runtime/common/telemetry.ts says why
    const { bucket, key: prefix } = parseS3Uri(tableUri);
    const files: CuratedFile[] = [];
    let token: string | undefined;
    do {
        const page = await s3.send(new s3Sdk.ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
        for (const object of page.Contents ?? []) {
            if (object.Key && isCuratedDataKey(object.Key, prefix)) {
                files.push({ uri: s3Uri({ bucket, key: object.Key }), etag: (object.ETag ?? "").replace(/"/g, ""), size: object.Size ?? 0 });
            }
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return files.sort((a, b) => (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0));
}

/** The files not yet in the ledger, where a file is identified by its URI and ETag. */
export function filesToLoad(files: readonly CuratedFile[], ledger: readonly Readonly<Record<string, unknown>>[]): CuratedFile[] {
    const loaded = new Set(ledger.map((row) => `${String(row.file_uri)}\n${String(row.etag)}`));
    return files.filter((file) => !loaded.has(`${file.uri}\n${file.etag}`));
}

/** A COPY manifest naming exactly these files (mandatory, with content lengths as Parquet needs). */
export function manifestDocument(files: readonly CuratedFile[]): string {
    return `${JSON.stringify({ entries: files.map((file) => ({ url: file.uri, mandatory: true, meta: { content_length: file.size } })) }, null, 2)}\n`;
}

/** Writes a manifest object; returns its URI. */
export async function writeManifest(s3: Pick<S3Client, "send">, uri: string, files: readonly CuratedFile[]): Promise<string> {
    const s3Sdk = require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3"); // lazily: runtime/common/telemetry.ts says why
    const { bucket, key } = parseS3Uri(uri);
    await s3.send(new s3Sdk.PutObjectCommand({ Bucket: bucket, Key: key, Body: manifestDocument(files), ContentType: "application/json" }));
    return uri;
}

export interface BatchLimits {
    /** Files per load transaction. Defaults to 500. */
    readonly maxFiles?: number;
    /**
     * Characters of file URIs and ETags per batch, keeping each generated statement well under the
     * Data API's 100 KB SQL limit. Defaults to 60,000.
     */
    readonly maxChars?: number;
}

/** Splits the files into batches within the limits, keeping URI order. */
export function planBatches(files: readonly CuratedFile[], limits: BatchLimits = {}): CuratedFile[][] {
    const maxFiles = limits.maxFiles ?? 500;
    const maxChars = limits.maxChars ?? 60_000;
    if (!Number.isInteger(maxFiles) || maxFiles < 1) {
        throw new WarehouseConfigError(`maxFiles must be a positive integer; found ${maxFiles}`);
    }
    const batches: CuratedFile[][] = [];
    let current: CuratedFile[] = [];
    let chars = 0;
    for (const file of files) {
        const size = file.uri.length + file.etag.length + 8;
        if (size > maxChars) {
            throw new WarehouseConfigError(`file URI ${file.uri} is longer than the per-batch SQL budget (${maxChars} characters)`);
        }
        if (current.length > 0 && (current.length >= maxFiles || chars + size > maxChars)) {
            batches.push(current);
            current = [];
            chars = 0;
        }
        current.push(file);
        chars += size;
    }
    if (current.length > 0) {
        batches.push(current);
    }
    return batches;
}

/** `orders-20240502T030000Z-1a2b3c4d5e6f`: dataset, load time, and a digest of the batch's files. */
export function batchId(dataset: string, loadedAt: Date, files: readonly CuratedFile[]): string {
    const digest = createHash("sha256");
    for (const file of files) {
        digest.update(`${file.uri}\n${file.etag}\n`);
    }
    const time = loadedAt.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}Z$/, "Z");
    return `${dataset}-${time}-${digest.digest("hex").slice(0, 12)}`;
}
