import { sha256Hex } from "../common/encoding";
import { kafkaOffsetWidth, objectSuffix } from "../ingest/layout";
import { HourPartition } from "../ingest/time";
import { FileRef } from "./types";

/**
 * Keys of everything file ingest writes. Every key is a pure function of the drop, the file's
 * identity and the chunk, so a redelivered event or a rerun targets the same keys and the
 * conditional creates (`If-None-Match: *`) make the writes idempotent.
 *
 * The file's identity (`fileId`) is the first 16 hex digits of SHA-256 over bucket, key and ETag:
 * a redelivery or a re-upload of the same bytes (a new S3 version with the same ETag) is the same
 * file; new bytes under the same key are a new file. Raw and rejects objects use the stream
 * path's naming, `<source>+<partition>+<first position>`, with `file_<drop>` as the source, the
 * file id as the partition and the chunk's first data row (zero-padded) as the position, so the
 * batch job's compaction and the zone readers parse them like any other object:
 *
 *   raw:        <dataset>/dt=YYYY-MM-DD/hour=HH/file_<drop>+<fileId>+<first row>.ndjson.gz
 *   rejects:    <dataset>/error_type=<type>/dt=…/hour=…/file_<drop>+<fileId>+<first row>.ndjson.gz
 *   manifest:   <manifestPrefix><drop>/<fileId>.json                       (landing bucket)
 *   hand-off:   <manifestPrefix><drop>/<fileId>.batch.json                 (landing bucket)
 *   quarantine: <quarantinePrefix><drop>/<fileId>/<file name> and …/reason.json (landing bucket)
 */

/** The file's identity: same bucket, key and bytes (ETag) → same id. */
export function fileIdOf(ref: FileRef, etag: string): string {
    return sha256Hex(`${ref.bucket}\n${ref.key}\n${etag}`).slice(0, 16);
}

/** `file_<drop>`: the source part of object names (no `+` or `/`, as drop names are snake case). */
export function fileSourceName(drop: string): string {
    return `file_${drop}`;
}

/** The object name (without suffix) of a chunk. */
export function chunkObjectName(drop: string, fileId: string, firstRow: number): string {
    return `${fileSourceName(drop)}+${fileId}+${String(firstRow).padStart(kafkaOffsetWidth, "0")}`;
}

export function fileRawKey(dataset: string, partition: HourPartition, name: string): string {
    return `${dataset}/dt=${partition.dt}/hour=${partition.hour}/${name}${objectSuffix}`;
}

export function fileRejectKey(dataset: string, errorType: string, partition: HourPartition, name: string): string {
    return `${dataset}/error_type=${errorType}/dt=${partition.dt}/hour=${partition.hour}/${name}${objectSuffix}`;
}

export function manifestKey(prefix: string, drop: string, fileId: string): string {
    return `${prefix}${drop}/${fileId}.json`;
}

export function handOffKey(prefix: string, drop: string, fileId: string): string {
    return `${prefix}${drop}/${fileId}.batch.json`;
}

export function quarantineKeys(prefix: string, drop: string, fileId: string, key: string): { readonly copy: string; readonly reason: string } {
    const name = key.split("/").pop() || "file";
    return { copy: `${prefix}${drop}/${fileId}/${name}`, reason: `${prefix}${drop}/${fileId}/reason.json` };
}

/** Tag keys set on processed files (lifecycle rules expire by them). */
export const fileTags = { status: "platform-status", fileId: "platform-file-id" } as const;
