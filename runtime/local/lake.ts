import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { gunzipSync } from "zlib";
import type { S3Client } from "@aws-sdk/client-s3";
import { ParsedObjectKey, parseObjectKey } from "../ingest/layout";
import { LocalSettings } from "./settings";

/**
 * The lake of a local run: the raw, rejects and curated buckets on moto (what the ingest function,
 * the Spark job and the loader use on AWS), and the local directories the Spark job reads and
 * writes (a local PySpark has no S3 connector, so the window's raw partition is mirrored to disk
 * and the job's output is published back to the curated bucket under stable names).
 *
 * Every count here is measured from the objects: listed, downloaded and their lines counted.
 */

export interface LakeBuckets {
    readonly raw: string;
    readonly rejects: string;
    readonly curated: string;
    /** Where the local Kinesis event source keeps its shard checkpoints (they live and die with moto). */
    readonly state: string;
}

export const localBuckets: LakeBuckets = { raw: "etl-local-raw", rejects: "etl-local-rejects", curated: "etl-local-curated", state: "etl-local-state" };

type S3Sdk = typeof import("@aws-sdk/client-s3");

function sdk(): S3Sdk {
    return require("@aws-sdk/client-s3") as S3Sdk;
}

export function lakeS3Client(settings: LocalSettings): S3Client {
    const s3 = sdk();
    return new s3.S3Client({ region: settings.region, endpoint: settings.motoEndpoint, forcePathStyle: true, credentials: settings.credentials });
}

/** Creates the buckets that are missing; returns the ones it created. */
export async function ensureBuckets(s3: S3Client, buckets: LakeBuckets = localBuckets): Promise<string[]> {
    const api = sdk();
    const created: string[] = [];
    for (const bucket of [buckets.raw, buckets.rejects, buckets.curated, buckets.state]) {
        try {
            await s3.send(new api.HeadBucketCommand({ Bucket: bucket }));
        } catch {
            await s3.send(new api.CreateBucketCommand({ Bucket: bucket }));
            created.push(bucket);
        }
    }
    return created;
}

export interface ListedObject {
    readonly key: string;
    readonly etag: string;
    readonly size: number;
}

export async function listObjects(s3: S3Client, bucket: string, prefix = ""): Promise<ListedObject[]> {
    const api = sdk();
    const objects: ListedObject[] = [];
    let token: string | undefined;
    do {
        const page = await s3.send(new api.ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
        for (const object of page.Contents ?? []) {
            objects.push({ key: object.Key ?? "", etag: (object.ETag ?? "").replace(/"/g, ""), size: object.Size ?? 0 });
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return objects;
}

export async function getObjectBytes(s3: S3Client, bucket: string, key: string): Promise<Buffer> {
    const api = sdk();
    const response = await s3.send(new api.GetObjectCommand({ Bucket: bucket, Key: key }));
    return Buffer.from(await (response.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
}

/** Every object of the given buckets, as `bucket/key` → ETag: what "the lake changed" is measured against. */
export async function snapshotObjects(s3: S3Client, buckets: readonly string[]): Promise<Map<string, string>> {
    const snapshot = new Map<string, string>();
    for (const bucket of buckets) {
        for (const object of await listObjects(s3, bucket)) {
            snapshot.set(`${bucket}/${object.key}`, object.etag);
        }
    }
    return snapshot;
}

/** Objects added, removed or rewritten with other content between two snapshots. */
export function changedEntries(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): number {
    let changed = 0;
    for (const [key, value] of after) {
        if (before.get(key) !== value) {
            changed += 1;
        }
    }
    for (const key of before.keys()) {
        if (!after.has(key)) {
            changed += 1;
        }
    }
    return changed;
}

/** Lines of a gzip NDJSON object (one record per line). */
export function ndjsonLineCount(gzipped: Buffer): number {
    const text = gunzipSync(gzipped).toString("utf8");
    return text.split("\n").filter((line) => line.trim() !== "").length;
}

/** Records of one source in the lake: raw lines by `dt`, reject lines by error type. */
export interface SourceLakeCounts {
    readonly rawByDt: Readonly<Record<string, number>>;
    readonly rejectedByType: Readonly<Record<string, number>>;
}

export function totalOf(counts: Readonly<Record<string, number>>): number {
    return Object.values(counts).reduce((sum, value) => sum + value, 0);
}

/**
 * Counts the records the ingest function wrote for the given sources (topics or streams), by
 * reading every object whose key names one of them. Objects are immutable (conditional creates), so
 * each key's count is read once and kept in `cache` across polls.
 */
export async function countSourceRecords(s3: S3Client, dataset: string, sources: readonly string[], cache: Map<string, number> = new Map(), buckets: LakeBuckets = localBuckets): Promise<Map<string, SourceLakeCounts>> {
    const wanted = new Set(sources);
    const counted = await countLakeRecords(s3, dataset, (parsed) => (wanted.has(parsed.source) ? parsed.source : undefined), cache, buckets);
    return new Map(sources.map((source) => [source, counted.get(source) ?? { rawByDt: {}, rejectedByType: {} }]));
}

/**
 * Counts the records of a dataset's raw and rejects objects, grouped by the label `select` gives a
 * parsed key (objects it gives no label are skipped): for example one API window or the chunks of
 * one dropped file, whose names carry the connector's window or the file's id.
 */
export async function countLakeRecords(
    s3: S3Client,
    dataset: string,
    select: (parsed: ParsedObjectKey) => string | undefined,
    cache: Map<string, number> = new Map(),
    buckets: LakeBuckets = localBuckets,
): Promise<Map<string, SourceLakeCounts>> {
    const result = new Map<string, { rawByDt: Record<string, number>; rejectedByType: Record<string, number> }>();
    for (const [bucket, zone] of [[buckets.raw, "raw"], [buckets.rejects, "rejects"]] as const) {
        for (const object of await listObjects(s3, bucket, `${dataset}/`)) {
            const parsed = parseObjectKey(object.key);
            const label = parsed ? select(parsed) : undefined;
            if (!parsed || label === undefined || (zone === "raw") !== (parsed.errorType === undefined)) {
                continue;
            }
            const entry = result.get(label) ?? { rawByDt: {}, rejectedByType: {} };
            result.set(label, entry);
            const cacheKey = `${bucket}/${object.key}/${object.etag}`;
            let lines = cache.get(cacheKey);
            if (lines === undefined) {
                lines = ndjsonLineCount(await getObjectBytes(s3, bucket, object.key));
                cache.set(cacheKey, lines);
            }
            const counts = zone === "raw" ? entry.rawByDt : entry.rejectedByType;
            const group = zone === "raw" ? parsed.dt : (parsed.errorType as string);
            counts[group] = (counts[group] ?? 0) + lines;
        }
    }
    return result;
}

/** Files under a directory, as paths relative to it with `/` separators. */
export function localFiles(directory: string): string[] {
    if (!fs.existsSync(directory)) {
        return [];
    }
    const files: string[] = [];
    const walk = (relative: string) => {
        for (const entry of fs.readdirSync(path.join(directory, relative), { withFileTypes: true })) {
            const child = relative === "" ? entry.name : `${relative}/${entry.name}`;
            if (entry.isDirectory()) {
                walk(child);
            } else {
                files.push(child);
            }
        }
    };
    walk("");
    return files.sort();
}

/**
 * Makes `<rawDir>/<dataset>/dt=<date>/` an exact copy of the raw bucket's partition: downloads
 * objects that are missing locally and deletes local files the bucket no longer has.
 */
export async function mirrorRawPartition(s3: S3Client, dataset: string, date: string, rawDir: string, buckets: LakeBuckets = localBuckets): Promise<{ objects: number; downloaded: number }> {
    return mirrorRawPrefix(s3, `${dataset}/dt=${date}/`, rawDir, buckets);
}

/** Makes `<rawDir>/<prefix>` an exact copy of the raw bucket's objects under `prefix` (a dataset's whole raw zone, or one partition). */
export async function mirrorRawPrefix(s3: S3Client, prefix: string, rawDir: string, buckets: LakeBuckets = localBuckets): Promise<{ objects: number; downloaded: number }> {
    const objects = await listObjects(s3, buckets.raw, prefix);
    const wanted = new Set(objects.map((object) => object.key));
    const directory = path.join(rawDir, prefix);
    for (const relative of localFiles(directory)) {
        if (!wanted.has(`${prefix}${relative}`)) {
            fs.rmSync(path.join(directory, relative));
        }
    }
    let downloaded = 0;
    for (const object of objects) {
        const file = path.join(rawDir, object.key);
        if (fs.existsSync(file) && fs.statSync(file).size === object.size) {
            continue;
        }
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, await getObjectBytes(s3, buckets.raw, object.key));
        downloaded += 1;
    }
    return { objects: objects.length, downloaded };
}

/**
 * The curated key of a file Spark wrote: its path with the write's random UUID removed
 * (`dt=D/part-00000-<uuid>.c000.snappy.parquet` → `dt=D/part-00000.c000.snappy.parquet`), so a
 * rerun that writes the same content writes the same key, and the ETag tells whether it changed.
 */
export function stableCuratedName(relative: string): string {
    return relative.replace(/(^|\/)(part-\d+)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(\.[^/]*)$/, "$1$2$3");
}

export function md5Hex(bytes: Buffer): string {
    return createHash("md5").update(bytes).digest("hex");
}

/** What publishing one table partition did. */
export interface PublishOutcome {
    readonly files: number;
    readonly written: number;
    readonly deleted: number;
    /** Local relative path → `s3://bucket/key` and ETag, for the data files published. */
    readonly published: ReadonlyMap<string, { readonly uri: string; readonly etag: string }>;
}

/**
 * Publishes `<curatedDir>/<table>/dt=<date>/*.parquet` to `s3://<curated>/<table>/dt=<date>/` under
 * stable names: writes a file only when its content differs from the object there, and deletes the
 * partition's objects the job no longer wrote (Spark's dynamic partition overwrite, on S3).
 */
export async function publishCuratedPartition(s3: S3Client, curatedDir: string, table: string, date: string, buckets: LakeBuckets = localBuckets): Promise<PublishOutcome> {
    return publishCuratedFolder(s3, curatedDir, `${table}/dt=${date}`, buckets);
}

/**
 * Publishes the Parquet files under `<curatedDir>/<folder>/` (a table partition, or a whole table
 * rewritten by each run such as a change-data-capture state) to `s3://<curated>/<folder>/` the same
 * way. The `published` map is keyed by the path under the folder's parent (`dt=D/part-….parquet`).
 */
export async function publishCuratedFolder(s3: S3Client, curatedDir: string, folder: string, buckets: LakeBuckets = localBuckets): Promise<PublishOutcome> {
    const api = sdk();
    const partition = folder.split("/").pop() as string;
    const local = localFiles(path.join(curatedDir, folder)).filter((relative) => relative.endsWith(".parquet") && !relative.split("/").some((part) => part.startsWith("_") || part.startsWith(".")));
    const prefix = `${folder}/`;
    const existing = new Map((await listObjects(s3, buckets.curated, prefix)).map((object) => [object.key, object.etag]));
    const published = new Map<string, { uri: string; etag: string }>();
    let written = 0;
    for (const relative of local) {
        const bytes = fs.readFileSync(path.join(curatedDir, folder, relative));
        const key = `${prefix}${stableCuratedName(relative)}`;
        const etag = md5Hex(bytes);
        if (existing.get(key) !== etag) {
            await s3.send(new api.PutObjectCommand({ Bucket: buckets.curated, Key: key, Body: bytes, ContentType: "application/vnd.apache.parquet" }));
            written += 1;
        }
        published.set(`${partition}/${relative}`, { uri: `s3://${buckets.curated}/${key}`, etag });
    }
    const keep = new Set([...published.values()].map((file) => file.uri.slice(`s3://${buckets.curated}/`.length)));
    let deleted = 0;
    for (const key of existing.keys()) {
        if (!keep.has(key)) {
            await s3.send(new api.DeleteObjectCommand({ Bucket: buckets.curated, Key: key }));
            deleted += 1;
        }
    }
    return { files: local.length, written, deleted, published };
}

/** Writes an object only when its content differs from what is there (so a rerun changes nothing). */
export async function putIfChanged(s3: S3Client, bucket: string, key: string, body: Buffer, contentType: string): Promise<boolean> {
    const api = sdk();
    const existing = (await listObjects(s3, bucket, key)).find((object) => object.key === key);
    if (existing?.etag === md5Hex(body)) {
        return false;
    }
    await s3.send(new api.PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
    return true;
}
