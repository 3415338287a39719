import type { S3Client } from "@aws-sdk/client-s3";
import { createLogger } from "../common/telemetry";
import { DatasetDefinition } from "../datasets";
import { createFileIngestHandler, defaultManifestPrefix, fileIdOf, fileSourceName, FileOutcome } from "../files";
import { countLakeRecords, listObjects, putIfChanged, totalOf } from "./lake";
import { LocalLanding, LocalSourceContext, LocalSourceStage, mergeCounts, plural, windowSeed } from "./sourceStage";
import { LocalRunError } from "./errors";

/**
 * The file-drop source of `npm run local`: a partner drops a CSV and a JSON Lines file of the
 * window's stock counts (a few rows broken) into the local landing bucket on moto, and the real
 * file-ingest handler (runtime/files/handler.ts, as deployed behind the drop's EventBridge rule) is
 * invoked once per file with the "Object Created" event EventBridge delivers. Raw and rejects
 * objects and the per-file manifest follow the file path's contract: rows in = landed + rejected.
 *
 * The files are a pure function of the window and seed and are only uploaded when the landing
 * bucket does not already hold those bytes, so a second run sends the same versions and the
 * handler finds them done.
 */

export interface FileSourceOptions {
    readonly dataset: DatasetDefinition;
    /** The drop's name (object keys, manifests). */
    readonly drop: string;
    /** Stores in the files (S0001…). */
    readonly stores: number;
    /** SKUs per store. */
    readonly skus: number;
}

export interface DroppedFile {
    readonly key: string;
    readonly body: string;
    /** Data rows in the file (what the partner sent). */
    readonly rows: number;
}

export interface FileLanding extends LocalLanding {
    readonly outcomes: readonly { readonly key: string; readonly status: FileOutcome["status"] }[];
}

/** The landing bucket of the local drop (versioned, as the deployed landing zone). */
export const localLandingBucket = "etl-local-landing";

/**
 * The window's two files: morning counts as CSV, evening counts as JSON Lines. Broken rows: a
 * negative count and a missing SKU in the CSV, a count that is not a number in the JSON Lines file.
 */
export function partnerFiles(options: Pick<FileSourceOptions, "drop" | "stores" | "skus">, date: string, seed: number): DroppedFile[] {
    let state = windowSeed(seed, date, options.drop) || 1;
    const next = (max: number) => {
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        return (state >>> 0) % max;
    };
    const rows = (hour: string) => {
        const out: { store_id: string; sku: string; on_hand: number | string; as_of: string }[] = [];
        for (let store = 1; store <= options.stores; store += 1) {
            for (let sku = 1; sku <= options.skus; sku += 1) {
                out.push({ store_id: `S${String(store).padStart(4, "0")}`, sku: `SKU-${String(sku).padStart(5, "0")}`, on_hand: next(500), as_of: `${date}T${hour}:00:00Z` });
            }
        }
        return out;
    };
    const morning = rows("06");
    const csvLines = ["store_id,sku,on_hand,as_of", ...morning.map((row) => `${row.store_id},${row.sku},${row.on_hand},${row.as_of}`)];
    csvLines.push(`S0001,SKU-99001,-4,${date}T06:00:00Z`, `S0002,,12,${date}T06:00:00Z`);
    const evening = rows("18");
    const jsonLines = [...evening.map((row) => JSON.stringify(row)), JSON.stringify({ store_id: "S0003", sku: "SKU-99002", on_hand: "twelve", as_of: `${date}T18:00:00Z` })];
    const prefix = `incoming/${options.drop}/${date}`;
    return [
        { key: `${prefix}/stock-${date}-morning.csv`, body: `${csvLines.join("\n")}\n`, rows: csvLines.length - 1 },
        { key: `${prefix}/stock-${date}-evening.jsonl`, body: `${jsonLines.join("\n")}\n`, rows: jsonLines.length },
    ];
}

/** The S3 "Object Created" event EventBridge delivers to the drop's function. */
export function objectCreatedEvent(bucket: string, key: string, versionId: string, etag: string, size: number, region: string): Record<string, unknown> {
    return {
        version: "0",
        id: `local-${etag.slice(0, 8)}-${versionId.slice(0, 8)}`,
        "detail-type": "Object Created",
        source: "aws.s3",
        account: "123456789012",
        time: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
        region,
        resources: [`arn:aws:s3:::${bucket}`],
        detail: { version: "0", bucket: { name: bucket }, object: { key, size, etag, "version-id": versionId }, reason: "PutObject" },
    };
}

async function ensureLandingBucket(s3: S3Client): Promise<void> {
    const sdk = require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");
    try {
        await s3.send(new sdk.HeadBucketCommand({ Bucket: localLandingBucket }));
    } catch {
        await s3.send(new sdk.CreateBucketCommand({ Bucket: localLandingBucket }));
        await s3.send(new sdk.PutBucketVersioningCommand({ Bucket: localLandingBucket, VersioningConfiguration: { Status: "Enabled" } }));
    }
}

async function currentVersion(s3: S3Client, key: string): Promise<{ versionId: string; etag: string; size: number }> {
    const sdk = require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");
    const head = await s3.send(new sdk.HeadObjectCommand({ Bucket: localLandingBucket, Key: key }));
    if (!head.VersionId) {
        throw new LocalRunError(`the landing bucket ${localLandingBucket} gave no version for ${key}; it must be versioned (delete it and run again to recreate it)`);
    }
    return { versionId: head.VersionId, etag: (head.ETag ?? "").replace(/"/g, ""), size: head.ContentLength ?? 0 };
}

export function fileSourceStage(options: FileSourceOptions): LocalSourceStage<FileLanding> {
    return {
        kind: "file",
        dataset: options.dataset,
        land: async (context: LocalSourceContext): Promise<FileLanding> => {
            const { s3, buckets, settings, window } = context;
            return context.step(`${options.dataset.name}: drop`, async () => {
                await ensureLandingBucket(s3);
                const handler = createFileIngestHandler({
                    env: {
                        RAW_BUCKET: buckets.raw,
                        REJECTS_BUCKET: buckets.rejects,
                        DATASET: options.dataset.name,
                        FILE_DROP: options.drop,
                        FILE_FORMATS: "csv,jsonl",
                        S3_ENDPOINT: settings.motoEndpoint,
                        AWS_REGION: settings.region,
                        ...context.lineageEnv,
                    },
                    lineage: context.lineage,
                    logger: createLogger({ serviceName: "file-ingest", logLevel: "SILENT" }),
                });
                const files = partnerFiles(options, window.date, context.seed);
                let uploaded = 0;
                const outcomes: { key: string; status: FileOutcome["status"] }[] = [];
                const fileIds = new Map<string, string>();
                for (const file of files) {
                    if (await putIfChanged(s3, localLandingBucket, file.key, Buffer.from(file.body, "utf8"), file.key.endsWith(".csv") ? "text/csv" : "application/x-ndjson")) {
                        uploaded += 1;
                    }
                    const version = await currentVersion(s3, file.key);
                    const outcome = await handler(objectCreatedEvent(localLandingBucket, file.key, version.versionId, version.etag, version.size, settings.region));
                    outcomes.push({ key: file.key, status: outcome.status });
                    fileIds.set(fileIdOf({ bucket: localLandingBucket, key: file.key, versionId: version.versionId }, version.etag), file.key);
                }
                const source = fileSourceName(options.drop);
                const counted = await countLakeRecords(s3, options.dataset.name, (parsed) => (parsed.source === source ? fileIds.get(parsed.partition) : undefined), new Map(), buckets);
                const sources = files.map((file) => {
                    const counts = counted.get(file.key);
                    return { name: `${options.dataset.name} via file ${file.key.split("/").pop()}`, produced: file.rows, landed: totalOf(counts?.rawByDt ?? {}), rejected: totalOf(counts?.rejectedByType ?? {}) };
                });
                const manifests = await listObjects(s3, localLandingBucket, `${defaultManifestPrefix}${options.drop}/`);
                const landed = sources.reduce((sum, file) => sum + file.landed, 0);
                const rejected = sources.reduce((sum, file) => sum + file.rejected, 0);
                return {
                    value: { sources, rejectedByErrorType: mergeCounts([...counted.values()].map((counts) => counts.rejectedByType)), outcomes },
                    detail:
                        `${plural(files.length, "file")} in s3://${localLandingBucket}/incoming/${options.drop}/${window.date}/ (${uploaded === 0 ? "already dropped, nothing uploaded" : `uploaded ${uploaded}`}); ` +
                        `file-ingest: ${outcomes.map((outcome) => outcome.status).join(", ")}; ${plural(landed, "row")} in the raw zone, ${plural(rejected, "row")} in the rejects zone; ${plural(manifests.length, "manifest")} for the drop`,
                };
            });
        },
    };
}
