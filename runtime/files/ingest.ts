import { Readable } from "stream";
import { createGunzip } from "zlib";
import { mapSettledWithConcurrency } from "../common/concurrency";
import { describeError } from "../common/errors";
import { ObjectStore } from "../common/objectStore";
import { rejectVerdict } from "../ingest/classify";
import { writeObject, WriteTargets } from "../ingest/write";
import { formatTimestamp, hourPartition, HourPartition } from "../ingest/time";
import { compileValidator, RecordValidator } from "../ingest/validate";
import { detectFormat, sniffBytes } from "./detect";
import { UnreadableFileError } from "./errors";
import { alternativeKeys } from "./event";
import { chunkObjectName, fileIdOf, fileRawKey, fileRejectKey, fileTags, handOffKey, manifestKey, quarantineKeys } from "./layout";
import { csvRows, jsonLinesRows, ParsedRow, parquetRows } from "./rows";
import { FileStore } from "./store";
import { DetectedFormat, DropSettings, FileInfo, FileManifest, FileOutcome, FileRef } from "./types";

/**
 * Ingesting one file version, with the stream path's contract: every row lands in raw or in
 * rejects (with the file, row, line and reason), rows in = landed + rejected, keys are
 * deterministic and written with conditional creates, and the manifest, written last, makes the
 * file done. The steps:
 *
 * 1. HEAD the version (gone: nothing to do). Its ETag gives the file id (see `layout.ts`).
 * 2. A manifest for the id exists: a redelivery or a re-upload of the same bytes; tag and stop.
 * 3. Bigger than `maxFileBytes` (function only): hand the file to the Batch job, which runs this
 *    same function without the limit; a hand-off marker keeps redeliveries from submitting again.
 * 4. Detect the format and read every row once without writing (a file that cannot be read as a
 *    whole, such as a header that does not match or an unclosed quote, is quarantined before
 *    anything lands: all or nothing), then read again and land the rows chunk by chunk.
 * 5. Write the manifest (conditional create), then tag the version with its status.
 */

export interface FileIngestContext {
    readonly files: FileStore;
    /** Writes raw/rejects objects and the manifest, quarantine reason and hand-off marker. */
    readonly store: ObjectStore;
    readonly rawBucket: string;
    readonly rejectsBucket: string;
    /** Prefix (in the file's bucket) of manifests and hand-off markers. Defaults to `_manifests/`. */
    readonly manifestPrefix?: string;
    /** Prefix (in the file's bucket) of quarantined copies and their reasons. Defaults to `_quarantine/`. */
    readonly quarantinePrefix?: string;
    /** Objects written at the same time. Defaults to 4. */
    readonly concurrency?: number;
    /** Files larger than this are handed to `handOff`. Defaults to no limit (the Batch job). */
    readonly maxFileBytes?: number;
    /** Starts the Batch job for a file too large for the function; returns the job id. Required with `maxFileBytes`. */
    readonly handOff?: (ref: FileRef, drop: DropSettings, info: FileInfo) => Promise<string>;
    /** A validator compiled for the drop's dataset (compiled here when absent). */
    readonly validator?: RecordValidator;
}

export const defaultManifestPrefix = "_manifests/";
export const defaultQuarantinePrefix = "_quarantine/";

/** The bytes of the version as a stream, decompressed when gzip. */
async function openText(files: FileStore, ref: FileRef, detected: DetectedFormat): Promise<Readable> {
    const body = await files.open(ref);
    if (!detected.gzip) {
        return body;
    }
    const gunzip = createGunzip();
    body.on("error", (error) => gunzip.destroy(error));
    return body.pipe(gunzip);
}

function rowsOf(files: FileStore, ref: FileRef, info: FileInfo, detected: DetectedFormat, drop: DropSettings): AsyncGenerator<ParsedRow> {
    const dataset = drop.dataset;
    return (async function* () {
        if (detected.format === "parquet") {
            yield* parquetRows(info.size, (start, end) => files.readRange(ref, start, end), dataset);
            return;
        }
        const text = await openText(files, ref, detected);
        try {
            yield* detected.format === "csv" ? csvRows(text, dataset) : jsonLinesRows(text);
        } catch (error) {
            if (error instanceof UnreadableFileError) {
                throw error;
            }
            // A gzip stream that is cut short or corrupt fails here, not in the parser.
            throw new UnreadableFileError("malformed_file", `the file cannot be read as gzip-compressed ${detected.format}: ${describeError(error)}; compress it again with gzip and upload it`, { cause: error });
        } finally {
            text.destroy();
        }
    })();
}

interface ChunkObject {
    readonly zone: "raw" | "rejects";
    readonly key: string;
    readonly lines: string[];
    first: number;
    last: number;
}

/** Resolves the version the event names, trying the other spelling of a URL-encoded key. */
async function resolve(files: FileStore, ref: FileRef): Promise<{ ref: FileRef; info: FileInfo } | undefined> {
    for (const key of [ref.key, ...alternativeKeys(ref.key)]) {
        const candidate = { ...ref, key };
        const info = await files.head(candidate);
        if (info) {
            return { ref: candidate, info };
        }
    }
    return undefined;
}

/** The outcome a manifest records, under `status` (a file met again is a `duplicate` of its manifest). */
function outcomeOf(manifest: FileManifest, status: FileOutcome["status"], fileId: string, manifestObjectKey: string): FileOutcome {
    return {
        status,
        fileId,
        manifestKey: manifestObjectKey,
        rowsIn: manifest.rows_in,
        rowsLanded: manifest.rows_landed,
        rowsRejected: manifest.rows_rejected,
        objects: manifest.objects,
        ...(manifest.quarantine ? { quarantine: manifest.quarantine } : {}),
    };
}

/** Ingests one file version. Throws only when a store fails (the event is then retried and redoes the same writes). */
export async function ingestFile(given: FileRef, drop: DropSettings, ctx: FileIngestContext): Promise<FileOutcome> {
    const empty = { rowsIn: 0, rowsLanded: 0, rowsRejected: 0, objects: [] as string[] };
    const found = await resolve(ctx.files, given);
    if (!found) {
        return { status: "missing", ...empty };
    }
    const { ref, info } = found;
    const dataset = drop.dataset;
    const fileId = fileIdOf(ref, info.etag);
    const manifestPrefix = ctx.manifestPrefix ?? defaultManifestPrefix;
    const quarantinePrefix = ctx.quarantinePrefix ?? defaultQuarantinePrefix;
    const manifestObjectKey = manifestKey(manifestPrefix, drop.name, fileId);
    const tagAs = async (status: string) => {
        if (info.tags?.[fileTags.status] !== status) {
            await ctx.files.tag(ref, { ...(info.tags ?? {}), [fileTags.status]: status, [fileTags.fileId]: fileId });
        }
    };

    const existing = await ctx.store.getObject(ref.bucket, manifestObjectKey);
    if (existing) {
        const manifest = JSON.parse(Buffer.from(existing).toString("utf8")) as FileManifest;
        // The same bytes again: this version is done too. The version the manifest names keeps its own tag.
        const sameVersion = manifest.version_id === (ref.versionId ?? null);
        await tagAs(sameVersion ? manifest.status : "duplicate");
        return outcomeOf(manifest, "duplicate", fileId, manifestObjectKey);
    }

    if (ctx.maxFileBytes !== undefined && info.size > ctx.maxFileBytes) {
        if (!ctx.handOff) {
            throw new UnreadableFileError("malformed_file", `file ${ref.key} (${info.size} bytes) exceeds maxFileBytes ${ctx.maxFileBytes} and no Batch hand-off is configured`);
        }
        const markerKey = handOffKey(manifestPrefix, drop.name, fileId);
        const marker = await ctx.store.getObject(ref.bucket, markerKey);
        if (marker) {
            return { status: "handed_off", fileId, ...empty, jobId: (JSON.parse(Buffer.from(marker).toString("utf8")) as { job_id: string }).job_id };
        }
        // Submit before the marker: a crash in between resubmits, and the job is idempotent (it checks the manifest).
        const jobId = await ctx.handOff(ref, drop, info);
        const body = Buffer.from(`${JSON.stringify({ drop: drop.name, bucket: ref.bucket, key: ref.key, version_id: ref.versionId ?? null, size: info.size, max_file_bytes: ctx.maxFileBytes, job_id: jobId })}\n`);
        await ctx.store.putObject({ bucket: ref.bucket, key: markerKey, body, contentType: "application/json", ifNoneMatch: true });
        await tagAs("handed_off");
        return { status: "handed_off", fileId, ...empty, jobId };
    }

    const base = {
        drop: drop.name,
        dataset: dataset.name,
        dataset_version: dataset.version,
        bucket: ref.bucket,
        key: ref.key,
        version_id: ref.versionId ?? null,
        etag: info.etag,
        size: info.size,
        file_id: fileId,
        chunk_rows: drop.chunkRows,
    };
    const finish = async (manifest: FileManifest): Promise<FileOutcome> => {
        await ctx.store.putObject({ bucket: ref.bucket, key: manifestObjectKey, body: Buffer.from(`${JSON.stringify(manifest)}\n`), contentType: "application/json", ifNoneMatch: true });
        await tagAs(manifest.status);
        return outcomeOf(manifest, manifest.status, fileId, manifestObjectKey);
    };

    let detected: DetectedFormat;
    try {
        detected = detectFormat(ref.key, info.size === 0 ? new Uint8Array() : await ctx.files.readRange(ref, 0, Math.min(sniffBytes, info.size)), drop.formats);
        // First pass: the whole file must be readable before any row lands.
        for await (const row of rowsOf(ctx.files, ref, info, detected, drop)) {
            void row;
        }
    } catch (error) {
        if (!(error instanceof UnreadableFileError)) {
            throw error;
        }
        const keys = quarantineKeys(quarantinePrefix, drop.name, fileId, ref.key);
        await ctx.files.copy(ref, ref.bucket, keys.copy);
        const quarantine = { reason: error.reason, message: error.message, ...(error.line !== undefined ? { line: error.line } : {}), copy: `s3://${ref.bucket}/${keys.copy}` };
        const reasonBody = Buffer.from(`${JSON.stringify({ ...base, ...quarantine })}\n`);
        await ctx.store.putObject({ bucket: ref.bucket, key: keys.reason, body: reasonBody, contentType: "application/json", ifNoneMatch: true });
        return finish({ ...base, status: "quarantined", format: null, gzip: false, rows_in: 0, rows_landed: 0, rows_rejected: 0, objects: [], quarantine });
    }

    const validator = ctx.validator ?? compileValidator(dataset);
    const targets: WriteTargets = { store: ctx.store, rawBucket: ctx.rawBucket, rejectsBucket: ctx.rejectsBucket, concurrency: ctx.concurrency ?? 4 };
    const file = `s3://${ref.bucket}/${ref.key}`;
    const ingestTime = formatTimestamp(info.lastModifiedMs);
    const rejectPartition = hourPartition(info.lastModifiedMs);
    const origin = { engine: "file", source: drop.name, partition: fileId, file, version_id: ref.versionId ?? null, etag: info.etag, ingest_time: ingestTime, ingest_time_type: "OBJECT_LAST_MODIFIED" };
    const written: string[] = [];
    let rowsIn = 0;
    let landed = 0;
    let rejected = 0;
    let chunk = new Map<string, ChunkObject>();
    let chunkFirst = 1;

    const add = (zone: "raw" | "rejects", key: string, row: number, line: string) => {
        const object = chunk.get(key) ?? { zone, key, lines: [], first: row, last: row };
        object.lines.push(line);
        object.last = row;
        chunk.set(key, object);
    };
    const flush = async () => {
        const objects = [...chunk.values()].sort((a, b) => (a.key < b.key ? -1 : 1));
        chunk = new Map();
        const results = await mapSettledWithConcurrency(objects, targets.concurrency, (object) =>
            writeObject({ zone: object.zone, key: object.key, lines: object.lines, firstPosition: String(object.first), lastPosition: String(object.last) }, targets),
        );
        for (const result of results) {
            if (!result.ok) {
                throw result.error;
            }
            written.push(`s3://${result.value.bucket}/${result.value.finalKey}`);
        }
    };
    const reject = (row: ParsedRow, partition: HourPartition, violations: readonly { errorType: string; rule: string; field: string; message: string }[]) => {
        const first = violations[0] as (typeof violations)[number];
        const line = JSON.stringify({
            ...rejectVerdict(dataset, violations),
            ...origin,
            position: String(row.row),
            row: row.row,
            line: row.line,
            key_base64: null,
            headers: [],
            payload_base64: Buffer.from(row.text, "utf8").toString("base64"),
            payload_text: row.text,
            dt: partition.dt,
            hour: partition.hour,
        });
        add("rejects", fileRejectKey(dataset.name, first.errorType, partition, chunkObjectName(drop.name, fileId, chunkFirst)), row.row, line);
        rejected += 1;
    };

    for await (const row of rowsOf(ctx.files, ref, info, detected, drop)) {
        if (row.row >= chunkFirst + drop.chunkRows) {
            await flush();
            chunkFirst = row.row;
        }
        rowsIn += 1;
        if (row.problem || !row.document) {
            reject(row, rejectPartition, [row.problem ?? { errorType: "malformed_row", rule: "row", field: "$", message: "the row could not be read" }]);
            continue;
        }
        const result = validator.validate(row.document, { referenceTimeMs: info.lastModifiedMs });
        if (!result.ok) {
            reject(row, rejectPartition, result.violations);
            continue;
        }
        const partition = hourPartition(result.eventTimeMs);
        const line = JSON.stringify({ ...result.record, _ingest: { dataset_version: dataset.version, ...origin, position: String(row.row), row: row.row, line: row.line, key: null, dt: partition.dt, hour: partition.hour } });
        add("raw", fileRawKey(dataset.name, partition, chunkObjectName(drop.name, fileId, chunkFirst)), row.row, line);
        landed += 1;
    }
    await flush();
    return finish({ ...base, status: "landed", format: detected.format, gzip: detected.gzip, rows_in: rowsIn, rows_landed: landed, rows_rejected: rejected, objects: written.sort() });
}
