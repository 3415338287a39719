import { mapSettledWithConcurrency } from "../common/concurrency";
import { gunzip, gzipDeterministic, sha256Hex } from "../common/encoding";
import { describeError } from "../common/errors";
import { MaintenanceObjectStore } from "../common/objectStore";
import { rawObjectKey, rejectObjectKey } from "../ingest/layout";
import { classifyRecord, readRejectLine, RejectLine, sourceRecordOfRejectLine } from "../ingest/classify";
import { RejectErrorType } from "../ingest/types";
import { RecordValidator } from "../ingest/validate";
import { ObjectWriteResult, WritableObject, writeObject } from "../ingest/write";
import { BatchJobError, InputFormatError, IntegrityError } from "./errors";
import {
    datesInRange,
    hourOfPartition,
    isDataObjectName,
    parseZoneKey,
    rejectDatePrefix,
    replayId,
    replayManifestKey,
    replayManifestPrefix,
    replayObjectName,
} from "./layout";
import { JobLogger } from "./log";
import { ndjsonLines } from "./ndjson";

/**
 * Replay of rejects: re-drives rejected records after a fix (a corrected dataset definition, a
 * raised size limit). For every reject object in the requested hours and error types:
 *
 * 1. Read it and re-validate each original payload with the CURRENT dataset definition, through the
 *    ingest function's own `classifyRecord`, so a replayed record gets exactly the raw line (with
 *    its original `_ingest` source coordinates) or reject line the ingest function would write.
 * 2. If every record fails again with an identical reject line, the object is left alone
 *    ("unchanged"): rerunning a replay without a fix writes nothing.
 * 3. Otherwise plan the new objects: records that pass go to `<dataset>/dt=/hour=/replay-<r>.ndjson.gz`
 *    in the raw zone (partitioned by event time, like ingest), records that still fail go, with their
 *    NEW reasons, to `<dataset>/error_type=<new type>/dt=/hour=/replay-<r>.ndjson.gz` (the new reject
 *    generation), where `<r>` derives from the old object's key.
 *
 * Then, so that nothing is lost or duplicated whatever moment the job dies at:
 *
 * 4. Write the plan (the full lines of every new object) as a replay manifest,
 *    `<dataset>/_replay/<r>.json.gz` in the rejects bucket, with a conditional create. If a manifest
 *    is already there, an earlier attempt died midway: its plan is used, not the new one, so a
 *    definition that changed between attempts cannot land a record twice. If this call created it,
 *    the old object is checked to still exist (another job may have just finished it).
 * 5. Write every planned object with the ingest writer (conditional create; "already there with the
 *    same SHA-256" counts as written).
 * 6. Delete the old reject object, only now that all its records are safely stored elsewhere.
 * 7. Delete the manifest.
 *
 * A manifest whose old object is gone (the job died between 6 and 7) is removed at the start of the
 * next run. Counts add up per object and overall: in = replayed + still rejected.
 */

export interface ReplayOptions {
    readonly store: MaintenanceObjectStore;
    readonly rawBucket: string;
    readonly rejectsBucket: string;
    /** Compiled from the current dataset definition. */
    readonly validator: RecordValidator;
    /** Start of the first hour to replay (epoch ms, UTC), inclusive. */
    readonly fromMs: number;
    /** End of the range (epoch ms, UTC), exclusive. */
    readonly toMs: number;
    /** Error types (the `error_type=` partitions) to replay. */
    readonly errorTypes: readonly RejectErrorType[];
    /** Also replay rejects whose stream time is unknown (`dt=unknown/hour=unknown`). */
    readonly includeUnknownTime: boolean;
    /** Plan and report only; write and delete nothing. */
    readonly dryRun: boolean;
    /** Payloads larger than this stay rejected as `oversized`. */
    readonly maxRecordBytes: number;
    /** Reject objects processed (and objects written) at the same time. */
    readonly concurrency: number;
    readonly logger: JobLogger;
}

export interface ReplayCounts {
    /** Records read from the reject objects. */
    readonly in: number;
    /** Records that now pass and were landed in the raw zone. */
    readonly replayed: number;
    /** Records that still fail (with their current reasons). */
    readonly stillRejected: number;
}

/**
 * - `replayed`: the object was split into new raw and reject objects and deleted.
 * - `resumed`: as `replayed`, finishing the plan of an earlier attempt that died midway.
 * - `unchanged`: every record fails again with the same reject line; the object was left alone.
 * - `planned`: dry run; nothing was written.
 * - `gone`: the object disappeared before it was processed (another job replayed it).
 * - `failed`: see `error`; nothing of it was deleted, and a rerun continues where this one stopped.
 */
export type ReplayObjectStatus = "replayed" | "resumed" | "unchanged" | "planned" | "gone" | "failed";

export interface ReplayObjectResult {
    readonly key: string;
    readonly status: ReplayObjectStatus;
    readonly counts: ReplayCounts;
    /** Objects written (or, in a dry run, that would be). */
    readonly outputs: readonly { readonly zone: "raw" | "rejects"; readonly key: string; readonly storedAs: string; readonly records: number }[];
    readonly stillRejectedByType: Readonly<Partial<Record<RejectErrorType, number>>>;
    readonly error?: string;
}

export interface ReplayReport {
    readonly dataset: string;
    readonly datasetVersion: number;
    readonly dryRun: boolean;
    readonly counts: ReplayCounts;
    readonly objects: Readonly<Record<ReplayObjectStatus, number>> & { readonly listed: number };
    readonly stillRejectedByType: Readonly<Partial<Record<RejectErrorType, number>>>;
    /** Raw-zone hour partitions that received records (`dt=D/hour=H`): rerun the Spark job for their dates. */
    readonly rawPartitions: readonly string[];
    /** Manifests of finished replays removed at the start (their job died before removing them). */
    readonly manifestsRemoved: number;
    /** Manifests of unfinished replays of objects outside the requested range or error types. */
    readonly pendingOutsideScope: readonly string[];
    readonly failures: readonly { readonly key: string; readonly error: string }[];
    /** One entry per reject object, in key order. */
    readonly results: readonly ReplayObjectResult[];
}

/** The replay manifest: the frozen plan of one reject object's replay. */
export interface ReplayManifest {
    readonly format: typeof replayManifestFormat;
    readonly dataset: string;
    readonly datasetVersion: number;
    readonly source: { readonly bucket: string; readonly key: string; readonly ndjsonSha256: string; readonly records: number };
    readonly counts: ReplayCounts;
    readonly stillRejectedByType: Readonly<Partial<Record<RejectErrorType, number>>>;
    readonly outputs: readonly ReplayOutput[];
}

export interface ReplayOutput extends WritableObject {
    readonly errorType?: RejectErrorType;
}

export const replayManifestFormat = "replay-manifest/1";

/** What re-validating one reject object gives, before anything is written. */
export interface ReplayPlan {
    readonly unchanged: boolean;
    readonly counts: ReplayCounts;
    readonly stillRejectedByType: Readonly<Partial<Record<RejectErrorType, number>>>;
    readonly outputs: readonly ReplayOutput[];
}

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Reads one line of a rejects-zone object with ingest's own reader (`readRejectLine`). Throws an
 * `InputFormatError` naming the object, the line and the field.
 */
export function parseRejectLine(text: string, where: { readonly bucket: string; readonly key: string; readonly line: number }): RejectLine {
    const read = readRejectLine(text);
    if ("problem" in read) {
        throw new InputFormatError(where.bucket, where.key, `line ${where.line}: ${read.problem}; the object is not a reject object written by the ingest function, so it was left as it is`);
    }
    return read.line;
}

/**
 * Re-validates the lines of one reject object (pure). `lineTexts` are the stored lines and `lines`
 * the same lines parsed, in the same order. Output objects keep the records' order.
 */
export function planReplay(rejectKey: string, lineTexts: readonly string[], lines: readonly RejectLine[], validator: RecordValidator, maxRecordBytes: number): ReplayPlan {
    const dataset = validator.dataset.name;
    const name = replayObjectName(rejectKey);
    const outputs = new Map<string, { zone: "raw" | "rejects"; key: string; errorType?: RejectErrorType; lines: string[]; firstPosition: string; lastPosition: string }>();
    const stillRejectedByType: Partial<Record<RejectErrorType, number>> = {};
    let replayed = 0;
    let stillRejected = 0;
    let unchanged = true;
    lines.forEach((line, index) => {
        const classification = classifyRecord(sourceRecordOfRejectLine(line, maxRecordBytes), validator);
        let key: string;
        if (classification.zone === "raw") {
            replayed += 1;
            unchanged = false;
            key = rawObjectKey(dataset, classification.partition, name);
        } else {
            stillRejected += 1;
            stillRejectedByType[classification.errorType] = (stillRejectedByType[classification.errorType] ?? 0) + 1;
            unchanged = unchanged && classification.line === lineTexts[index];
            key = rejectObjectKey(dataset, classification.errorType, classification.partition, name);
        }
        const output = outputs.get(key);
        if (output) {
            output.lines.push(classification.line);
            output.lastPosition = line.position;
        } else {
            outputs.set(key, {
                zone: classification.zone,
                key,
                ...(classification.zone === "rejects" ? { errorType: classification.errorType } : {}),
                lines: [classification.line],
                firstPosition: line.position,
                lastPosition: line.position,
            });
        }
    });
    return { unchanged, counts: { in: lines.length, replayed, stillRejected }, stillRejectedByType, outputs: [...outputs.values()] };
}

/** Reads and checks a replay manifest; `undefined` when there is none. */
export async function readReplayManifest(store: MaintenanceObjectStore, bucket: string, key: string): Promise<ReplayManifest | undefined> {
    const body = await store.getObject(bucket, key);
    if (body === undefined) {
        return undefined;
    }
    let manifest: unknown;
    try {
        manifest = JSON.parse((await gunzip(body)).toString("utf8"));
    } catch (error) {
        throw new IntegrityError(bucket, key, `the replay manifest is not gzip JSON (${describeError(error)}); move it aside after checking that its source reject object is intact, then rerun`, { cause: error });
    }
    const m = manifest as Partial<ReplayManifest>;
    if (!isObject(manifest) || m.format !== replayManifestFormat || !isObject(m.source) || typeof m.source.key !== "string" || !Array.isArray(m.outputs)) {
        throw new IntegrityError(bucket, key, `expected a ${replayManifestFormat} document with source and outputs; move it aside after checking its source reject object, then rerun`);
    }
    return manifest as unknown as ReplayManifest;
}

function addCounts(a: ReplayCounts, b: ReplayCounts): ReplayCounts {
    return { in: a.in + b.in, replayed: a.replayed + b.replayed, stillRejected: a.stillRejected + b.stillRejected };
}

const zeroCounts: ReplayCounts = { in: 0, replayed: 0, stillRejected: 0 };

function describeOutputs(outputs: readonly ReplayOutput[], written?: readonly ObjectWriteResult[]): ReplayObjectResult["outputs"] {
    return outputs.map((output, index) => ({ zone: output.zone, key: output.key, storedAs: written?.[index]?.finalKey ?? output.key, records: output.lines.length }));
}

/** Lists the reject objects in scope, in key order. */
export async function listRejectObjects(options: Pick<ReplayOptions, "store" | "rejectsBucket" | "validator" | "fromMs" | "toMs" | "errorTypes" | "includeUnknownTime">): Promise<string[]> {
    const dataset = options.validator.dataset.name;
    const prefixes: string[] = [];
    for (const errorType of [...options.errorTypes].sort()) {
        for (const dt of datesInRange(options.fromMs, options.toMs)) {
            prefixes.push(rejectDatePrefix(dataset, errorType, dt));
        }
        if (options.includeUnknownTime) {
            prefixes.push(rejectDatePrefix(dataset, errorType, "unknown"));
        }
    }
    const keys: string[] = [];
    for (const prefix of prefixes) {
        for (const key of await options.store.listKeys(options.rejectsBucket, prefix)) {
            const location = parseZoneKey(key);
            if (!location || location.dataset !== dataset || location.errorType === undefined || !isDataObjectName(location.fileName)) {
                continue;
            }
            const hour = hourOfPartition(location.partition);
            const inRange = hour === undefined ? options.includeUnknownTime && location.partition.dt === "unknown" : hour >= options.fromMs && hour < options.toMs;
            if (inRange) {
                keys.push(key);
            }
        }
    }
    return keys.sort();
}

/** Checks that a stored manifest is the plan for this exact reject object. */
function checkManifestSource(stored: ReplayManifest, manifestKey: string, key: string, ndjsonSha256: string, bucket: string): void {
    if (stored.source.key !== key || stored.source.ndjsonSha256 !== ndjsonSha256) {
        throw new IntegrityError(
            bucket,
            manifestKey,
            `the replay manifest belongs to ${stored.source.key} (sha256 ${stored.source.ndjsonSha256}), not to ${key} (sha256 ${ndjsonSha256}); nothing was written or deleted; check both objects`,
        );
    }
}

/** Where one reject object's replay stands before its outputs are written: finished early, or a frozen plan to apply. */
type ReplayStart = { readonly done: ReplayObjectResult } | { readonly manifest: ReplayManifest; readonly status: "replayed" | "resumed" };

/** The reject object being replayed: its key, its manifest's key and its NDJSON text with that text's hash. */
interface ReplaySource {
    readonly key: string;
    readonly manifestKey: string;
    readonly text: string;
    readonly ndjsonSha256: string;
}

const gone = (key: string): ReplayObjectResult => ({ key, status: "gone", counts: zeroCounts, outputs: [], stillRejectedByType: {} });

/** An earlier attempt froze a plan for this object: it is finished as it is, whatever the current definition says. */
function resumePending(source: ReplaySource, pending: ReplayManifest, options: ReplayOptions): ReplayStart {
    checkManifestSource(pending, source.manifestKey, source.key, source.ndjsonSha256, options.rejectsBucket);
    if (options.dryRun) {
        return { done: { key: source.key, status: "planned", counts: pending.counts, outputs: describeOutputs(pending.outputs), stillRejectedByType: pending.stillRejectedByType } };
    }
    options.logger.info("resuming the replay an earlier attempt started; its plan is kept", { rejectObject: source.key, manifest: source.manifestKey });
    return { manifest: pending, status: "resumed" };
}

/** Re-validates the object's lines and freezes the plan as its manifest (steps 1 and 2), unless nothing changes or it is a dry run. */
async function freezeNewPlan(source: ReplaySource, options: ReplayOptions): Promise<ReplayStart> {
    const { store, rejectsBucket, validator } = options;
    const { key, manifestKey, ndjsonSha256 } = source;
    const dataset = validator.dataset.name;
    const lineTexts = ndjsonLines(source.text);
    const lines = lineTexts.map((line, index) => parseRejectLine(line, { bucket: rejectsBucket, key, line: index + 1 }));
    const wrongDataset = lines.find((line) => line.dataset !== dataset);
    if (wrongDataset) {
        throw new InputFormatError(rejectsBucket, key, `holds rejects of dataset '${wrongDataset.dataset}', not '${dataset}'; it was left as it is`);
    }
    const plan = planReplay(key, lineTexts, lines, validator, options.maxRecordBytes);
    if (plan.unchanged) {
        return { done: { key, status: "unchanged", counts: plan.counts, outputs: [], stillRejectedByType: plan.stillRejectedByType } };
    }
    if (options.dryRun) {
        return { done: { key, status: "planned", counts: plan.counts, outputs: describeOutputs(plan.outputs), stillRejectedByType: plan.stillRejectedByType } };
    }
    const manifest: ReplayManifest = {
        format: replayManifestFormat,
        dataset,
        datasetVersion: validator.dataset.version,
        source: { bucket: rejectsBucket, key, ndjsonSha256, records: lines.length },
        counts: plan.counts,
        stillRejectedByType: plan.stillRejectedByType,
        outputs: plan.outputs,
    };
    const created = await store.putObject({
        bucket: rejectsBucket,
        key: manifestKey,
        body: await gzipDeterministic(JSON.stringify(manifest)),
        contentType: "application/json",
        metadata: { "replay-source": key },
        ifNoneMatch: true,
    });
    if (created === "created") {
        // Another job may have finished this object between our read and our manifest (it deletes
        // the object before its manifest); then there is nothing left to do.
        if ((await store.headObject(rejectsBucket, key)) === undefined) {
            await store.deleteObjects(rejectsBucket, [manifestKey]);
            return { done: gone(key) };
        }
        return { manifest, status: "replayed" };
    }
    // Another job started replaying this object since this run listed the manifests: finish its plan.
    const stored = await readReplayManifest(store, rejectsBucket, manifestKey);
    if (stored === undefined) {
        throw new IntegrityError(rejectsBucket, manifestKey, "the replay manifest was there a moment ago and is gone now; another job is replaying the same object; rerun when it has finished");
    }
    checkManifestSource(stored, manifestKey, key, ndjsonSha256, rejectsBucket);
    return { manifest: stored, status: "resumed" };
}

/** Writes a frozen plan's outputs, then deletes the reject object and its manifest (steps 3 to 7). */
async function applyManifest(source: ReplaySource, manifest: ReplayManifest, status: "replayed" | "resumed", options: ReplayOptions): Promise<ReplayObjectResult> {
    const { store, rejectsBucket, logger } = options;
    const targets = { store, rawBucket: options.rawBucket, rejectsBucket, concurrency: options.concurrency };
    const settled = await mapSettledWithConcurrency(manifest.outputs, options.concurrency, (output) => writeObject(output, targets));
    const failed = settled.flatMap((result, index) => (result.ok ? [] : [`${manifest.outputs[index]?.key}: ${describeError(result.error)}`]));
    if (failed.length > 0) {
        throw new BatchJobError(`${failed.length} of ${manifest.outputs.length} objects could not be written (${failed.join("; ")}); the reject object was kept and a rerun resumes this replay`);
    }
    const written = settled.map((result) => (result as { readonly value: ObjectWriteResult }).value);
    for (const result of written) {
        if (result.status === "conflict") {
            logger.warn("a replay output key held different content; the records were stored under a content-derived key", { key: result.key, storedAs: result.finalKey });
        }
    }
    await store.deleteObjects(rejectsBucket, [source.key]);
    await store.deleteObjects(rejectsBucket, [source.manifestKey]);
    return { key: source.key, status, counts: manifest.counts, outputs: describeOutputs(manifest.outputs, written), stillRejectedByType: manifest.stillRejectedByType };
}

/**
 * Replays one reject object (steps 1 to 7 of the module comment). `pending` is the manifest an
 * earlier attempt left for it, if any.
 */
async function replayObject(key: string, options: ReplayOptions, pending: ReplayManifest | undefined): Promise<ReplayObjectResult> {
    const body = await options.store.getObject(options.rejectsBucket, key);
    if (body === undefined) {
        return gone(key);
    }
    const text = (await gunzip(body)).toString("utf8");
    const source: ReplaySource = { key, manifestKey: replayManifestKey(options.validator.dataset.name, replayId(key)), text, ndjsonSha256: sha256Hex(text) };
    const start = pending ? resumePending(source, pending, options) : await freezeNewPlan(source, options);
    return "done" in start ? start.done : applyManifest(source, start.manifest, start.status, options);
}

/**
 * Reads the manifests earlier runs left: removes those whose reject object is already gone (the
 * job died after deleting it), returns the others by reject object key so their plans are
 * finished, and reports those outside the scope of this run.
 */
async function settleLeftoverManifests(
    options: ReplayOptions,
    inScope: ReadonlySet<string>,
): Promise<{
    readonly removed: number;
    readonly pending: Map<string, ReplayManifest>;
    readonly pendingOutsideScope: string[];
    readonly failures: { readonly key: string; readonly error: string }[];
}> {
    const { store, rejectsBucket, logger } = options;
    const dataset = options.validator.dataset.name;
    let removed = 0;
    const pending = new Map<string, ReplayManifest>();
    const pendingOutsideScope: string[] = [];
    const failures: { key: string; error: string }[] = [];
    for (const manifestKey of await store.listKeys(rejectsBucket, replayManifestPrefix(dataset))) {
        try {
            const manifest = await readReplayManifest(store, rejectsBucket, manifestKey);
            if (manifest === undefined) {
                continue;
            }
            const source = manifest.source.key;
            if ((await store.headObject(rejectsBucket, source)) !== undefined) {
                pending.set(source, manifest);
                if (!inScope.has(source)) {
                    pendingOutsideScope.push(source);
                    logger.warn("an unfinished replay of a reject object outside this run's range or error types is pending; rerun with a scope that includes it", {
                        rejectObject: source,
                        manifest: manifestKey,
                    });
                }
                continue;
            }
            // The source is deleted only after every output was written, so the manifest is a leftover.
            if (!options.dryRun) {
                await store.deleteObjects(rejectsBucket, [manifestKey]);
                logger.info("removed the manifest of a replay that had finished before its job stopped", { rejectObject: source, manifest: manifestKey });
            }
            removed += 1;
        } catch (error) {
            failures.push({ key: manifestKey, error: describeError(error) });
            logger.error("a leftover replay manifest could not be settled", { manifest: manifestKey, error: describeError(error) });
        }
    }
    return { removed, pending, pendingOutsideScope, failures };
}

/** Runs a replay over the requested range and error types; never throws for one object's failure. */
export async function replayRejects(options: ReplayOptions): Promise<ReplayReport> {
    const { logger } = options;
    const dataset = options.validator.dataset;
    const keys = await listRejectObjects(options);
    logger.info("reject objects to replay", { objects: keys.length, from: new Date(options.fromMs).toISOString(), to: new Date(options.toMs).toISOString(), errorTypes: options.errorTypes });
    const leftovers = await settleLeftoverManifests(options, new Set(keys));
    const settled = await mapSettledWithConcurrency(keys, options.concurrency, (key) => replayObject(key, options, leftovers.pending.get(key)));
    const results: ReplayObjectResult[] = settled.map((result, index) => {
        const key = keys[index] as string;
        if (result.ok) {
            logger.info("reject object processed", { rejectObject: key, status: result.value.status, counts: result.value.counts, outputs: result.value.outputs });
            return result.value;
        }
        const error = describeError(result.error);
        logger.error("reject object could not be replayed; it was kept and a rerun continues from here", { rejectObject: key, error });
        return { key, status: "failed", counts: zeroCounts, outputs: [], stillRejectedByType: {}, error };
    });
    const objects: Record<ReplayObjectStatus, number> = { replayed: 0, resumed: 0, unchanged: 0, planned: 0, gone: 0, failed: 0 };
    let counts = zeroCounts;
    const stillRejectedByType: Partial<Record<RejectErrorType, number>> = {};
    const rawPartitions = new Set<string>();
    for (const result of results) {
        objects[result.status] += 1;
        counts = addCounts(counts, result.counts);
        for (const [type, count] of Object.entries(result.stillRejectedByType)) {
            stillRejectedByType[type as RejectErrorType] = (stillRejectedByType[type as RejectErrorType] ?? 0) + (count ?? 0);
        }
        for (const output of result.outputs) {
            const location = output.zone === "raw" ? parseZoneKey(output.key) : undefined;
            if (location) {
                rawPartitions.add(`dt=${location.partition.dt}/hour=${location.partition.hour}`);
            }
        }
    }
    if (counts.in !== counts.replayed + counts.stillRejected) {
        throw new BatchJobError(`replay accounting: expected every record in to be replayed or still rejected (${counts.in}), found ${counts.replayed} replayed + ${counts.stillRejected} still rejected; nothing was deleted, rerun the replay and report the run if it repeats`);
    }
    return {
        dataset: dataset.name,
        datasetVersion: dataset.version,
        dryRun: options.dryRun,
        counts,
        objects: { listed: keys.length, ...objects },
        stillRejectedByType,
        rawPartitions: [...rawPartitions].sort(),
        manifestsRemoved: leftovers.removed,
        pendingOutsideScope: leftovers.pendingOutsideScope,
        failures: [...leftovers.failures, ...results.filter((result) => result.status === "failed").map((result) => ({ key: result.key, error: result.error ?? "unknown error" }))],
        results,
    };
}
