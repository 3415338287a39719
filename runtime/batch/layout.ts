import { sha256Hex } from "../common/encoding";
import { objectSuffix } from "../ingest/layout";
import { HourPartition } from "../ingest/time";
import { RejectErrorType } from "../ingest/types";

/**
 * Object keys the batch job reads and writes, next to the ingest function's layout
 * (`runtime/ingest/layout.ts`), which it extends without changing:
 *
 *   data the job writes (read by Spark like any other raw object: `dt=/hour=/*.ndjson.gz`)
 *     raw:      <dataset>/dt=D/hour=H/replay-<r>.ndjson.gz         records of one reject object that now pass
 *     rejects:  <dataset>/error_type=T/dt=D/hour=H/replay-<r>.ndjson.gz   the same object's records that still fail
 *     raw:      <dataset>/dt=D/hour=H/compacted-<g>.ndjson.gz      one compaction group's records
 *
 *   control objects (outside every `dt=` folder; names starting with `_` are ignored by Spark,
 *   Athena and Glue)
 *     rejects:  <dataset>/_replay/<r>.json.gz                       replay intent of one reject object (gzip JSON)
 *     raw:      <dataset>/_compaction/dt=D/hour=H/manifest-<g>.json compaction intent of one group
 *     raw:      <dataset>/_compaction/dt=D/hour=H/lease-<n>.json    the partition's compaction lease
 *
 * `<r>` is the first 24 hex digits of the SHA-256 of the replayed reject object's key, so every
 * object a replay writes is named after its source and a rerun targets the same keys. `<g>` is the
 * first 32 hex digits of the SHA-256 of the group's sorted input keys (one per line), so a rerun
 * over the same inputs targets the same output. Neither name contains `+`, so `parseObjectKey`
 * (which splits the ingest function's `<source>+<partition>+<first>` names) never mistakes them
 * for ingest batches.
 */

/** Every reject error type; the table makes the compiler flag a type added to `RejectErrorType` but not here. */
const rejectErrorTypeTable: Readonly<Record<RejectErrorType, true>> = {
    undecodable: true,
    not_json: true,
    not_object: true,
    oversized: true,
    missing_required: true,
    type_mismatch: true,
    unknown_field: true,
    not_allowed: true,
    pattern_mismatch: true,
    out_of_range: true,
    length_out_of_range: true,
    decimal_precision: true,
    future_timestamp: true,
    item_count: true,
    cross_field: true,
    processing_error: true,
};

/** Every `error_type=` partition value the ingest function writes, sorted. */
export const rejectErrorTypes: readonly RejectErrorType[] = (Object.keys(rejectErrorTypeTable) as RejectErrorType[]).sort();

/** True for a known reject error type. */
export function isRejectErrorType(value: string): value is RejectErrorType {
    return Object.prototype.hasOwnProperty.call(rejectErrorTypeTable, value);
}

const hourMs = 3_600_000;

/** The hour partition of an hour's start (epoch milliseconds, UTC). */
export function partitionOfHour(epochMs: number): HourPartition {
    const text = new Date(epochMs).toISOString();
    return { dt: text.slice(0, 10), hour: text.slice(11, 13) };
}

/** The start of a partition's hour in epoch milliseconds, or `undefined` for `unknown` partitions. */
export function hourOfPartition(partition: HourPartition): number | undefined {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(partition.dt) || !/^\d{2}$/.test(partition.hour)) {
        return undefined;
    }
    const ms = Date.parse(`${partition.dt}T${partition.hour}:00:00.000Z`);
    return Number.isFinite(ms) ? ms : undefined;
}

/** The dates (`YYYY-MM-DD`) that have at least one hour in [fromMs, toMs), in order. */
export function datesInRange(fromMs: number, toMs: number): string[] {
    const dates: string[] = [];
    for (let ms = fromMs; ms < toMs; ms += hourMs) {
        const dt = partitionOfHour(ms).dt;
        if (dates[dates.length - 1] !== dt) {
            dates.push(dt);
        }
    }
    return dates;
}

/** `<dataset>/dt=D/hour=H/`: the raw-zone folder of an hour. */
export function rawPartitionPrefix(dataset: string, partition: HourPartition): string {
    return `${dataset}/dt=${partition.dt}/hour=${partition.hour}/`;
}

/** `<dataset>/dt=D/`: the raw-zone folder of a day. */
export function rawDatePrefix(dataset: string, dt: string): string {
    return `${dataset}/dt=${dt}/`;
}

/** `<dataset>/error_type=T/dt=D/`: the rejects of one type and day (`D` may be `unknown`). */
export function rejectDatePrefix(dataset: string, errorType: RejectErrorType, dt: string): string {
    return `${dataset}/error_type=${errorType}/dt=${dt}/`;
}

/** Where a data object sits: dataset, error type (rejects only), partition and file name. */
export interface ZoneObjectLocation {
    readonly dataset: string;
    readonly errorType?: string;
    readonly partition: HourPartition;
    /** The file name, with its suffix. */
    readonly fileName: string;
}

const zoneKeyPattern = /^([a-z][a-z0-9_]*)\/(?:error_type=([a-z_]+)\/)?dt=([0-9]{4}-[0-9]{2}-[0-9]{2}|unknown)\/hour=([0-9]{2}|unknown)\/([^/]+)$/;

/**
 * Splits a key of the raw or rejects zone into its location; `undefined` for keys that are not
 * directly inside an hour folder. Unlike `parseObjectKey` it accepts any file name, so it also
 * reads the replay and compaction objects.
 */
export function parseZoneKey(key: string): ZoneObjectLocation | undefined {
    const match = zoneKeyPattern.exec(key);
    if (!match) {
        return undefined;
    }
    const [, dataset, errorType, dt, hour, fileName] = match;
    return { dataset: dataset as string, ...(errorType ? { errorType } : {}), partition: { dt: dt as string, hour: hour as string }, fileName: fileName as string };
}

/** True for data objects (gzip NDJSON), the only files the job reads as records. */
export function isDataObjectName(fileName: string): boolean {
    return fileName.endsWith(objectSuffix) && !fileName.startsWith("_") && !fileName.startsWith(".");
}

const replayIdLength = 24;
const replayNamePattern = /^replay-([0-9a-f]{24})\.ndjson\.gz$/;

/** The id that names everything a replay of this reject object writes. */
export function replayId(rejectKey: string): string {
    return sha256Hex(rejectKey).slice(0, replayIdLength);
}

/** `replay-<r>`: the object name (without suffix) of the raw and rejects objects a replay writes. */
export function replayObjectName(rejectKey: string): string {
    return `replay-${replayId(rejectKey)}`;
}

/** The replay id of a file name written by a replay, or `undefined` for other names. */
export function replayIdOfFileName(fileName: string): string | undefined {
    return replayNamePattern.exec(fileName)?.[1];
}

/** `<dataset>/_replay/`: where pending replay manifests live in the rejects bucket. */
export function replayManifestPrefix(dataset: string): string {
    return `${dataset}/_replay/`;
}

/** The rejects-bucket key of the replay manifest for a replay id. */
export function replayManifestKey(dataset: string, id: string): string {
    return `${replayManifestPrefix(dataset)}${id}.json.gz`;
}

const groupIdLength = 32;
const compactedNamePattern = /^compacted-([0-9a-f]{32})\.ndjson\.gz$/;

/** The id of a compaction group: derived from its input keys, whatever order they are given in. */
export function compactionGroupId(inputKeys: readonly string[]): string {
    return sha256Hex([...inputKeys].sort().join("\n")).slice(0, groupIdLength);
}

/** The raw-zone key of a compaction group's output. */
export function compactedObjectKey(dataset: string, partition: HourPartition, groupId: string): string {
    return `${rawPartitionPrefix(dataset, partition)}compacted-${groupId}${objectSuffix}`;
}

/** True for file names of compaction outputs. */
export function isCompactedFileName(fileName: string): boolean {
    return compactedNamePattern.test(fileName);
}

/** `<dataset>/_compaction/dt=D/`: compaction control objects of a day. */
export function compactionDatePrefix(dataset: string, dt: string): string {
    return `${dataset}/_compaction/dt=${dt}/`;
}

/** `<dataset>/_compaction/dt=D/hour=H/`: compaction control objects of an hour. */
export function compactionControlPrefix(dataset: string, partition: HourPartition): string {
    return `${compactionDatePrefix(dataset, partition.dt)}hour=${partition.hour}/`;
}

/** The raw-bucket key of a compaction group's manifest. */
export function compactionManifestKey(dataset: string, partition: HourPartition, groupId: string): string {
    return `${compactionControlPrefix(dataset, partition)}manifest-${groupId}.json`;
}

const controlKeyPattern = /^([a-z][a-z0-9_]*)\/_compaction\/dt=([0-9]{4}-[0-9]{2}-[0-9]{2})\/hour=([0-9]{2})\/(manifest-([0-9a-f]{32})|lease-([0-9]{10}))\.json$/;

/** What a compaction control key is: a group manifest or a lease generation. */
export type CompactionControlObject =
    | { readonly kind: "manifest"; readonly partition: HourPartition; readonly groupId: string }
    | { readonly kind: "lease"; readonly partition: HourPartition; readonly generation: number };

/** Splits a compaction control key; `undefined` for other keys. */
export function parseCompactionControlKey(key: string): CompactionControlObject | undefined {
    const match = controlKeyPattern.exec(key);
    if (!match) {
        return undefined;
    }
    const partition = { dt: match[2] as string, hour: match[3] as string };
    return match[5] !== undefined ? { kind: "manifest", partition, groupId: match[5] } : { kind: "lease", partition, generation: Number(match[6]) };
}

/** The raw-bucket key of a partition's compaction lease of one generation. */
export function leaseKey(dataset: string, partition: HourPartition, generation: number): string {
    return `${compactionControlPrefix(dataset, partition)}lease-${String(generation).padStart(10, "0")}.json`;
}
