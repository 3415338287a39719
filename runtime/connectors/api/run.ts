import { isUtf8 } from "../../common";
import { ObjectStore } from "../../common/objectStore";
import { DatasetDefinition } from "../../datasets/types";
import { ingestMetadataField, RejectLine, rejectVerdict } from "../../ingest/classify";
import { HourPartition, hourPartition } from "../../ingest/time";
import { RecordValidator } from "../../ingest/validate";
import { Violation } from "../../ingest/types";
import { ObjectWriteResult, writeObject } from "../../ingest/write";
import { Authenticator } from "./auth";
import { CheckpointState, CheckpointStore } from "./checkpoint";
import { ApiConnectorError, ApiResponseError, CheckpointConflictError } from "./errors";
import { pageObjectName, rawPageKey, rejectPageKey, windowId } from "./layout";
import { nextPageToken, PageToken, pageUrl, readPath } from "./pagination";
import { createRateLimiter, FetchFunction, requestWithRetry, RetryEnvironment } from "./retry";
import { ApiSourceSettings } from "./settings";

/**
 * One run of an API connector: claim a window, fetch it page by page, land each page, advance the
 * checkpoint. Pure apart from what it is given (fetch, object store, checkpoint store, clock), so
 * tests drive it against a local HTTP server and moto, or entirely in memory.
 *
 * The contract is the stream ingest's: every record fetched lands in raw (valid) or rejects (with
 * the rules it broke), records in = landed + rejected for each page and the window, object keys
 * are derived from the source, the window and the page, and every object is a conditional create
 * (`If-None-Match: *`), so a rerun of a window writes byte-identical objects or nothing.
 *
 * Exactly once across crashes: the window is claimed (written to the checkpoint as `pending`,
 * conditional on the ETag read) before any page is fetched, and the watermark moves to the
 * window's end only after every page's objects are durable. A run that dies in between leaves
 * the claim; the next run repeats that same window (same start, same end), so its keys and, for
 * the same API answers, its bytes are the same. Two overlapping runs read the same ETag and only
 * one conditional write can succeed; the other stops with outcome `conflict`.
 *
 * Records updated after they were first fetched: the look-back makes the next window start before
 * the checkpoint, so a record the provider revised (a later value of the incremental field) is
 * fetched again and lands in the new window's object, a new key with the new revision next to
 * the old one. Nothing is overwritten in raw; the transform keeps the latest revision per dataset
 * key by event time, as for every other source.
 */

export interface ConnectorTelemetry {
    pageFetched(page: { readonly page: number; readonly records: number; readonly latencyMs: number; readonly attempts: number }): void;
    apiError(problem: { readonly attempt: number; readonly status?: number; readonly reason: string; readonly waitMs: number }): void;
    runFinished(summary: ConnectorRunSummary): void;
}

export const silentTelemetry: ConnectorTelemetry = { pageFetched: () => undefined, apiError: () => undefined, runFinished: () => undefined };

export interface ConnectorDependencies {
    readonly source: ApiSourceSettings;
    readonly dataset: DatasetDefinition;
    readonly validator: RecordValidator;
    readonly fetch: FetchFunction;
    readonly authenticator: Authenticator;
    readonly store: ObjectStore;
    readonly rawBucket: string;
    readonly rejectsBucket: string;
    readonly checkpoints: CheckpointStore;
    /** Clock, sleep and randomness for retries and the rate limiter. Defaults to real ones. */
    readonly environment: RetryEnvironment;
    readonly telemetry?: ConnectorTelemetry;
    /** Called after page `page`'s objects are durable; tests throw here to simulate a crash. Defaults to nothing. */
    readonly afterPage?: (page: number) => void | Promise<void>;
}

export type ConnectorOutcome =
    /** The window was fetched, landed and the checkpoint advanced. */
    | "completed"
    /** Another run claimed or advanced the checkpoint first; this run stopped (its writes, if any, were idempotent). */
    | "conflict"
    /** The window is empty (the checkpoint is in the future of the clock); nothing to do. */
    | "idle";

export interface ConnectorRunSummary {
    readonly source: string;
    readonly dataset: string;
    readonly outcome: ConnectorOutcome;
    /** The window, ISO-8601 UTC, start inclusive, end exclusive. */
    readonly window: { readonly start: string; readonly end: string } | null;
    /** Whether this run repeated a window an earlier run claimed and did not finish. */
    readonly resumed: boolean;
    readonly pages: number;
    readonly recordsIn: number;
    readonly recordsLanded: number;
    readonly recordsRejected: number;
    readonly objectsWritten: number;
    readonly objectsAlreadyPresent: number;
    readonly objectKeyConflicts: number;
    readonly apiErrors: number;
    /** The checkpoint's watermark after the run. */
    readonly watermark: string | null;
}

interface PageObject {
    readonly zone: "raw" | "rejects";
    readonly key: string;
    readonly lines: string[];
    firstPosition: string;
    lastPosition: string;
}

function rejectLine(
    dataset: DatasetDefinition,
    source: string,
    window: string,
    position: number,
    fetchedAt: string,
    document: unknown,
    violations: readonly Violation[],
    partition: HourPartition,
): string {
    const text = JSON.stringify(document) ?? "null";
    const payload = Buffer.from(text, "utf8");
    const line: Omit<RejectLine, "engine"> & { readonly engine: "api" } = {
        ...rejectVerdict(dataset, violations),
        engine: "api",
        source,
        partition: window,
        position: String(position),
        ingest_time: fetchedAt,
        ingest_time_type: "API_WINDOW_END",
        key_base64: null,
        headers: [],
        payload_base64: payload.toString("base64"),
        payload_text: isUtf8(payload) ? text : null,
        dt: partition.dt,
        hour: partition.hour,
    };
    return JSON.stringify(line);
}

/** Sorts a page's objects by zone and key so their write order (and every log of it) is stable. */
function byKey(a: PageObject, b: PageObject): number {
    return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/**
 * Splits one page's records into objects: valid records by event hour into raw, invalid ones by
 * error type into rejects (partitioned by the window's end: when they were fetched). Positions
 * number the window's records from 0 in the order the API returned them.
 */
export function planPage(
    deps: Pick<ConnectorDependencies, "dataset" | "validator"> & { readonly sourceName: string },
    window: { readonly id: string; readonly endMs: number },
    page: number,
    records: readonly unknown[],
    firstPosition: number,
): { readonly objects: PageObject[]; readonly landed: number; readonly rejected: number } {
    const objects = new Map<string, PageObject>();
    const fetchedAt = new Date(window.endMs).toISOString();
    const name = pageObjectName(deps.sourceName, window.id, page);
    const rejectPartition = hourPartition(window.endMs);
    let landed = 0;
    let rejected = 0;
    const add = (zone: "raw" | "rejects", key: string, line: string, position: number) => {
        let object = objects.get(key);
        if (!object) {
            object = { zone, key, lines: [], firstPosition: String(position), lastPosition: String(position) };
            objects.set(key, object);
        }
        object.lines.push(line);
        object.lastPosition = String(position);
    };
    records.forEach((document, index) => {
        const position = firstPosition + index;
        // The window's end is the reference for future-skew checks: a rerun judges a record the same way.
        const result = deps.validator.validate(document, { referenceTimeMs: window.endMs });
        if (result.ok) {
            const partition = hourPartition(result.eventTimeMs);
            const metadata = {
                dataset_version: deps.dataset.version,
                engine: "api",
                source: deps.sourceName,
                partition: window.id,
                position: String(position),
                ingest_time: fetchedAt,
                ingest_time_type: "API_WINDOW_END",
                key: null,
                dt: partition.dt,
                hour: partition.hour,
            };
            add("raw", rawPageKey(deps.dataset.name, partition, name), JSON.stringify({ ...result.record, [ingestMetadataField]: metadata }), position);
            landed += 1;
        } else {
            const errorType = (result.violations[0] as Violation).errorType;
            add("rejects", rejectPageKey(deps.dataset.name, errorType, rejectPartition, name), rejectLine(deps.dataset, deps.sourceName, window.id, position, fetchedAt, document, result.violations, rejectPartition), position);
            rejected += 1;
        }
    });
    return { objects: [...objects.values()].sort(byKey), landed, rejected };
}

/** Reads the records array of a page, naming the configured field when it is not one. */
function recordsOf(body: unknown, recordsField: string, url: string): readonly unknown[] {
    const records = recordsField === "" ? body : readPath(body, recordsField);
    if (!Array.isArray(records)) {
        const where = recordsField === "" ? "the response body" : `response field '${recordsField}'`;
        throw new ApiResponseError(`${where} of ${url} must be a JSON array of records, found ${records === undefined ? "nothing" : typeof records}; fix recordsField in the source's config`);
    }
    return records;
}

/** The window a run covers: a pending claim is repeated as is; otherwise checkpoint − look-back .. now. */
export function nextWindow(state: CheckpointState | undefined, nowMs: number, source: Pick<ApiSourceSettings, "lookBackSeconds" | "initialWindowSeconds">): { readonly startMs: number; readonly endMs: number; readonly resumed: boolean } {
    if (state?.pending) {
        return { startMs: Date.parse(state.pending.start), endMs: Date.parse(state.pending.end), resumed: true };
    }
    // Whole seconds: the window's bounds appear in keys and query parameters.
    const endMs = Math.floor(nowMs / 1000) * 1000;
    const startMs = state?.watermark ? Date.parse(state.watermark) - source.lookBackSeconds * 1000 : endMs - source.initialWindowSeconds * 1000;
    return { startMs, endMs, resumed: false };
}

/** Runs one window of a source. Throws when the API or S3 fails for good (the claim stays; the next run repeats the window). */
export async function runApiConnector(deps: ConnectorDependencies): Promise<ConnectorRunSummary> {
    const telemetry = deps.telemetry ?? silentTelemetry;
    const source = deps.source;
    const stored = await deps.checkpoints.read();
    const window = nextWindow(stored?.state, deps.environment.now(), source);
    const watermark = stored?.state.watermark ?? null;
    let pages = 0;
    let recordsIn = 0;
    let recordsLanded = 0;
    let recordsRejected = 0;
    let apiErrors = 0;
    const writes: ObjectWriteResult[] = [];
    const summary = (outcome: ConnectorOutcome, finalWatermark: string | null): ConnectorRunSummary => {
        const result: ConnectorRunSummary = {
            source: source.name,
            dataset: deps.dataset.name,
            outcome,
            window: outcome === "idle" ? null : { start: new Date(window.startMs).toISOString(), end: new Date(window.endMs).toISOString() },
            resumed: window.resumed,
            pages,
            recordsIn,
            recordsLanded,
            recordsRejected,
            objectsWritten: writes.filter((w) => w.status === "written").length,
            objectsAlreadyPresent: writes.filter((w) => w.status === "present").length,
            objectKeyConflicts: writes.filter((w) => w.status === "conflict").length,
            apiErrors,
            watermark: finalWatermark,
        };
        telemetry.runFinished(result);
        return result;
    };
    if (window.endMs <= window.startMs) {
        return summary("idle", watermark);
    }
    let etag = stored?.etag;
    try {
        if (!window.resumed) {
            const claim: CheckpointState = { version: 1, source: source.name, watermark, pending: { start: new Date(window.startMs).toISOString(), end: new Date(window.endMs).toISOString() } };
            etag = await deps.checkpoints.write(claim, etag);
        }
    } catch (error) {
        if (error instanceof CheckpointConflictError) {
            return summary("conflict", watermark);
        }
        throw error;
    }

    const id = windowId(window.startMs, window.endMs);
    const windowParams = { ...source.params, [source.windowParams.start]: new Date(window.startMs).toISOString(), [source.windowParams.end]: new Date(window.endMs).toISOString() };
    const limit = createRateLimiter(source.rateLimitPerSecond, deps.environment);
    const policy = { maxAttempts: source.maxAttempts, baseDelayMs: 500, maxDelayMs: 30_000, timeoutMs: source.timeoutSeconds * 1000 };
    let token: PageToken | undefined = { kind: "first" };
    while (token !== undefined) {
        if (pages >= source.maxPages) {
            throw new ApiConnectorError(`source '${source.name}' returned more than maxPages=${source.maxPages} pages for window ${id}; raise maxPages or shorten the schedule's period`);
        }
        const url = pageUrl(source.baseUrl, source.pagination, token, windowParams);
        await limit();
        const headers = { accept: "application/json", ...(await deps.authenticator.headers()) };
        const outcome = await requestWithRetry(deps.fetch, { url, method: "GET", headers }, policy, deps.environment, (problem) => {
            apiErrors += 1;
            telemetry.apiError(problem);
        });
        let body: unknown;
        try {
            body = await outcome.response.json();
        } catch (error) {
            throw new ApiResponseError(`page ${pages} of source '${source.name}' (${url}) is not JSON: ${(error as Error).message}`);
        }
        const records = recordsOf(body, source.recordsField, url);
        const plan = planPage({ dataset: deps.dataset, validator: deps.validator, sourceName: source.name }, { id, endMs: window.endMs }, pages, records, recordsIn);
        for (const object of plan.objects) {
            writes.push(await writeObject(object, { store: deps.store, rawBucket: deps.rawBucket, rejectsBucket: deps.rejectsBucket, concurrency: 1 }));
        }
        if (plan.landed + plan.rejected !== records.length) {
            throw new ApiConnectorError(`page ${pages} of window ${id}: ${records.length} records in but ${plan.landed} landed + ${plan.rejected} rejected; this is a bug`);
        }
        recordsIn += records.length;
        recordsLanded += plan.landed;
        recordsRejected += plan.rejected;
        telemetry.pageFetched({ page: pages, records: records.length, latencyMs: outcome.latencyMs, attempts: outcome.attempts });
        await deps.afterPage?.(pages);
        token = nextPageToken(source.pagination, body, token, records.length, source.baseUrl);
        pages += 1;
    }

    // Every page is durable: advance. The watermark never moves back, whatever the window was.
    const previous = watermark === null ? Number.NEGATIVE_INFINITY : Date.parse(watermark);
    const advanced = new Date(Math.max(previous, window.endMs)).toISOString();
    try {
        await deps.checkpoints.write({ version: 1, source: source.name, watermark: advanced, pending: null }, etag);
    } catch (error) {
        if (error instanceof CheckpointConflictError) {
            return summary("conflict", watermark);
        }
        throw error;
    }
    return summary("completed", advanced);
}
