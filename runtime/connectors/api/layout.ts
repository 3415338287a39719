import { objectSuffix } from "../../ingest/layout";
import { HourPartition } from "../../ingest/time";

/**
 * Object keys of the API connector, in the raw and rejects layout the ingest function uses (so
 * the Spark job, replays and `parseObjectKey` read them unchanged):
 *
 *   raw:     <dataset>/dt=YYYY-MM-DD/hour=HH/<source>+<window>+<page>.ndjson.gz
 *   rejects: <dataset>/error_type=<type>/dt=YYYY-MM-DD/hour=HH/<source>+<window>+<page>.ndjson.gz
 *
 * `<window>` is `<start>-<end>` as compact UTC times (`20240501T000000Z-20240501T060000Z`) and
 * `<page>` the page's number in the window, zero-padded to 6 digits. Every part is a pure function
 * of the source, the window and the page, so a rerun of a window targets the same keys.
 */

export const pageNumberWidth = 6;

/** `2024-05-01T06:00:00.000Z` → `20240501T060000Z`. */
export function compactTime(epochMs: number): string {
    return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, "Z").replace(/[-:]/g, "");
}

/** The window's name in object keys. */
export function windowId(startMs: number, endMs: number): string {
    return `${compactTime(startMs)}-${compactTime(endMs)}`;
}

/** `<source>+<window>+<page>`: the file name of one page's object, without suffix. */
export function pageObjectName(source: string, window: string, page: number): string {
    return `${source}+${window}+${String(page).padStart(pageNumberWidth, "0")}`;
}

export function rawPageKey(dataset: string, partition: HourPartition, objectName: string): string {
    return `${dataset}/dt=${partition.dt}/hour=${partition.hour}/${objectName}${objectSuffix}`;
}

export function rejectPageKey(dataset: string, errorType: string, partition: HourPartition, objectName: string): string {
    return `${dataset}/error_type=${errorType}/dt=${partition.dt}/hour=${partition.hour}/${objectName}${objectSuffix}`;
}
