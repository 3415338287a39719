import { describeError } from "../common/errors";
import { MaintenanceObjectStore, ObjectSummary } from "../common/objectStore";
import { HourPartition } from "../ingest/time";
import { objectContentType, objectMetadataNames } from "../ingest/write";
import { IntegrityError } from "./errors";
import {
    compactedObjectKey,
    compactionControlPrefix,
    compactionDatePrefix,
    compactionGroupId,
    compactionManifestKey,
    isCompactedFileName,
    isDataObjectName,
    parseCompactionControlKey,
    parseZoneKey,
    rawDatePrefix,
    rawPartitionPrefix,
    replayIdOfFileName,
    replayManifestKey,
} from "./layout";
import { acquireLease, clearStaleLease, releaseQuietly } from "./lease";
import { JobLogger } from "./log";
import { createNdjsonConcatenation, digestGzipNdjson, NdjsonDigest } from "./ndjson";

/**
 * Compaction of a raw-zone hour partition: many small gzip NDJSON objects become a few large ones
 * without losing or duplicating a record.
 *
 * Planning: the partition's data objects smaller than `--target-bytes` are sorted by key and packed
 * greedily into groups of at most `--target-bytes` (compressed) each; groups of one object are left
 * alone. Skipped as inputs: compaction outputs (final, so a finished compaction reruns as a no-op
 * and late objects are compacted among themselves), and objects written by a replay whose manifest
 * still exists (an unfinished replay may rewrite them). Each group's output is
 * `compacted-<g>.ndjson.gz` in the same folder, `<g>` derived from the group's sorted input keys,
 * holding the inputs' lines in key order.
 *
 * Each group, in an order that makes every crash point safe to rerun:
 *
 * 1. Read the inputs, stream their text into the output (gzip level 6, like ingest) while hashing
 *    and counting records per input and overall.
 * 2. Write the group manifest `<dataset>/_compaction/dt=/hour=/manifest-<g>.json` (inputs with
 *    size, records and SHA-256; the output with records and SHA-256) with a conditional create. An
 *    existing manifest must describe exactly the same inputs and output.
 * 3. Write the output with a conditional create, with its SHA-256 and record count as metadata. An
 *    existing output must carry the same SHA-256 and count (a rerun), or nothing else happens.
 * 4. Read the output back and check its record count and SHA-256 against the inputs'.
 * 5. Delete the inputs.
 * 6. Delete the manifest.
 *
 * A rerun first settles every manifest left in the partition: if the output is missing, every input
 * is still there (inputs go only after step 4) and the group is redone from step 1; if the output is
 * there, it is verified, the inputs still present that match their recorded SHA-256 are deleted,
 * then the manifest. Only then is the partition planned again, so an output is never mistaken for
 * an input while its inputs still exist. One compaction per partition runs at a time (see
 * `lease.ts`). Records are never parsed or changed, so the raw zone keeps every copy the ingest
 * function landed and the Spark job's de-duplication by key sees the same records as before.
 */

export interface CompactionOptions {
    readonly store: MaintenanceObjectStore;
    readonly rawBucket: string;
    /** Where replay manifests live (to skip outputs of unfinished replays). */
    readonly rejectsBucket: string;
    readonly dataset: string;
    /** `YYYY-MM-DD` */
    readonly dt: string;
    /** One hour (`HH`), or every hour of the day that has objects. */
    readonly hour?: string;
    /** Largest compressed size of a group's inputs, and the size at which objects count as compacted. */
    readonly targetBytes: number;
    /** Plan and report only; write and delete nothing (and take no lease). */
    readonly dryRun: boolean;
    /** Objects read or deleted at the same time. */
    readonly concurrency: number;
    /** Lease owner (see `lease.ts`). */
    readonly owner: string;
    readonly leaseTtlMs: number;
    readonly breakLease: boolean;
    readonly now: () => number;
    readonly logger: JobLogger;
}

export interface CompactionInput {
    readonly key: string;
    /** Compressed bytes. */
    readonly size: number;
    readonly records: number;
    readonly ndjsonSha256: string;
}

/** The intent record of one group (step 2). */
export interface CompactionManifest {
    readonly format: typeof compactionManifestFormat;
    readonly dataset: string;
    readonly partition: HourPartition;
    readonly groupId: string;
    readonly inputs: readonly CompactionInput[];
    readonly output: { readonly key: string; readonly records: number; readonly ndjsonSha256: string };
}

export const compactionManifestFormat = "compaction-manifest/1";

/** User metadata of compaction outputs, besides the ingest writer's `ndjson-sha256` and `record-count`. */
export const compactionMetadataNames = { groupId: "compaction-group", inputCount: "compaction-inputs" } as const;

export interface CompactionGroupResult {
    readonly groupId: string;
    readonly outputKey: string;
    readonly inputKeys: readonly string[];
    /** `compacted`: done in this run. `recovered`: finished for an earlier run that died. `planned`: dry run. */
    readonly status: "compacted" | "recovered" | "planned";
    readonly records: number;
    readonly bytesIn: number;
    readonly bytesOut: number;
}

export interface CompactionPartitionResult {
    readonly partition: HourPartition;
    readonly status: "ok" | "failed";
    readonly groups: readonly CompactionGroupResult[];
    /** Data objects not compacted: at least the target size, earlier outputs, unfinished replay outputs, alone in their group. */
    readonly skipped: { readonly alreadyLarge: number; readonly compacted: number; readonly replayPending: number; readonly alone: number };
    /** Manifests of unfinished groups found (dry run) or settled (otherwise). */
    readonly pendingManifests: number;
    readonly error?: string;
}

export interface CompactionReport {
    readonly dataset: string;
    readonly dt: string;
    readonly hour?: string;
    readonly targetBytes: number;
    readonly dryRun: boolean;
    readonly totals: {
        readonly partitions: number;
        readonly groups: number;
        readonly inputObjects: number;
        readonly outputObjects: number;
        readonly records: number;
        readonly bytesIn: number;
        readonly bytesOut: number;
    };
    readonly partitions: readonly CompactionPartitionResult[];
    readonly failures: readonly { readonly partition: string; readonly error: string }[];
}

/**
 * Packs objects (sorted by key) into groups of at most `targetBytes` in total, in order; an object
 * always fits into an empty group. Groups of one object are dropped: there is nothing to merge.
 */
export function packGroups(objects: readonly ObjectSummary[], targetBytes: number): ObjectSummary[][] {
    const sorted = [...objects].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const groups: ObjectSummary[][] = [];
    let current: ObjectSummary[] = [];
    let size = 0;
    for (const object of sorted) {
        if (current.length > 0 && size + object.size > targetBytes) {
            groups.push(current);
            current = [];
            size = 0;
        }
        current.push(object);
        size += object.size;
    }
    if (current.length > 0) {
        groups.push(current);
    }
    return groups.filter((group) => group.length >= 2);
}

function partitionName(dataset: string, partition: HourPartition): string {
    return `${dataset}/dt=${partition.dt}/hour=${partition.hour}`;
}

function sameDigest(a: { readonly records: number; readonly ndjsonSha256: string }, b: NdjsonDigest): boolean {
    return a.records === b.records && a.ndjsonSha256 === b.sha256;
}

async function readManifest(store: MaintenanceObjectStore, bucket: string, key: string): Promise<CompactionManifest | undefined> {
    const body = await store.getObject(bucket, key);
    if (body === undefined) {
        return undefined;
    }
    let manifest: CompactionManifest;
    try {
        manifest = JSON.parse(Buffer.from(body).toString("utf8")) as CompactionManifest;
    } catch (error) {
        throw new IntegrityError(bucket, key, `the compaction manifest is not JSON (${describeError(error)}); check its group's objects by hand, then remove it`, { cause: error });
    }
    if (manifest?.format !== compactionManifestFormat || !Array.isArray(manifest.inputs) || typeof manifest.output?.key !== "string") {
        throw new IntegrityError(bucket, key, `expected a ${compactionManifestFormat} document with inputs and output; check its group's objects by hand, then remove it`);
    }
    return manifest;
}

/** Reads objects `concurrency` at a time and hands each to `consume` in the given order. */
async function readInOrder(
    options: CompactionOptions,
    keys: readonly string[],
    consume: (key: string, body: Uint8Array) => Promise<void>,
): Promise<void> {
    for (let start = 0; start < keys.length; start += options.concurrency) {
        const window = keys.slice(start, start + options.concurrency);
        const bodies = await Promise.all(window.map((key) => options.store.getObject(options.rawBucket, key)));
        for (let index = 0; index < window.length; index += 1) {
            const key = window[index] as string;
            const body = bodies[index];
            if (body === undefined) {
                throw new IntegrityError(options.rawBucket, key, "a compaction input disappeared while its group was being built; nothing was written for the group; rerun the compaction");
            }
            await consume(key, body);
        }
    }
}

/** Steps 1 to 6 for one group. `expected` is the manifest of an earlier attempt, when settling one. */
async function compactGroup(options: CompactionOptions, partition: HourPartition, inputs: readonly ObjectSummary[], expected?: CompactionManifest): Promise<CompactionGroupResult> {
    const { store, rawBucket, dataset, logger } = options;
    const inputKeys = inputs.map((input) => input.key);
    const groupId = compactionGroupId(inputKeys);
    const outputKey = compactedObjectKey(dataset, partition, groupId);
    const manifestKey = compactionManifestKey(dataset, partition, groupId);

    const concatenation = createNdjsonConcatenation();
    const described: CompactionInput[] = [];
    const sizes = new Map(inputs.map((input) => [input.key, input.size]));
    await readInOrder(options, inputKeys, async (key, body) => {
        const digest = await concatenation.append(body);
        described.push({ key, size: sizes.get(key) ?? body.byteLength, records: digest.records, ndjsonSha256: digest.sha256 });
    });
    const output = await concatenation.finish();
    const manifest: CompactionManifest = {
        format: compactionManifestFormat,
        dataset,
        partition,
        groupId,
        inputs: described,
        output: { key: outputKey, records: output.digest.records, ndjsonSha256: output.digest.sha256 },
    };
    const inputRecords = described.reduce((sum, input) => sum + input.records, 0);
    if (inputRecords !== output.digest.records) {
        throw new IntegrityError(rawBucket, outputKey, `the inputs hold ${inputRecords} records but the output text has ${output.digest.records}; nothing was written`);
    }

    const manifestText = JSON.stringify(manifest);
    const manifestOutcome = await store.putObject({ bucket: rawBucket, key: manifestKey, body: Buffer.from(manifestText), contentType: "application/json", ifNoneMatch: true });
    if (manifestOutcome === "exists") {
        const stored = expected ?? (await readManifest(store, rawBucket, manifestKey));
        if (stored === undefined || JSON.stringify(stored.inputs) !== JSON.stringify(manifest.inputs) || JSON.stringify(stored.output) !== JSON.stringify(manifest.output)) {
            throw new IntegrityError(rawBucket, manifestKey, "the group's manifest describes other inputs or another output than the objects now stored; nothing was written or deleted; check the group by hand");
        }
    }

    const outcome = await store.putObject({
        bucket: rawBucket,
        key: outputKey,
        body: output.body,
        contentType: objectContentType,
        metadata: {
            [objectMetadataNames.contentSha256]: output.digest.sha256,
            [objectMetadataNames.recordCount]: String(output.digest.records),
            [compactionMetadataNames.groupId]: groupId,
            [compactionMetadataNames.inputCount]: String(inputs.length),
        },
        ifNoneMatch: true,
    });
    if (outcome === "exists") {
        const head = await store.headObject(rawBucket, outputKey);
        if (head?.metadata[objectMetadataNames.contentSha256] !== output.digest.sha256 || head?.metadata[objectMetadataNames.recordCount] !== String(output.digest.records)) {
            throw new IntegrityError(rawBucket, outputKey, "the output key already holds other content; the inputs were kept; check the object by hand");
        }
    }
    await verifyOutput(options, manifest);
    await store.deleteObjects(rawBucket, inputKeys);
    await store.deleteObjects(rawBucket, [manifestKey]);
    const result: CompactionGroupResult = {
        groupId,
        outputKey,
        inputKeys,
        status: expected ? "recovered" : "compacted",
        records: output.digest.records,
        bytesIn: described.reduce((sum, input) => sum + input.size, 0),
        bytesOut: output.body.byteLength,
    };
    logger.info(expected ? "finished a compaction group an earlier run started" : "compacted a group", {
        partition: partitionName(dataset, partition),
        groupId,
        outputKey,
        inputs: inputKeys.length,
        records: result.records,
        bytesIn: result.bytesIn,
        bytesOut: result.bytesOut,
    });
    return result;
}

/** Step 4: the stored output has the records and SHA-256 the manifest promises. */
async function verifyOutput(options: CompactionOptions, manifest: CompactionManifest): Promise<number> {
    const body = await options.store.getObject(options.rawBucket, manifest.output.key);
    if (body === undefined) {
        throw new IntegrityError(options.rawBucket, manifest.output.key, "the output is missing right after it was written; the inputs were kept; rerun the compaction");
    }
    const digest = await digestGzipNdjson(body);
    if (!sameDigest(manifest.output, digest)) {
        throw new IntegrityError(
            options.rawBucket,
            manifest.output.key,
            `the stored output has ${digest.records} records (sha256 ${digest.sha256}), expected ${manifest.output.records} (sha256 ${manifest.output.ndjsonSha256}); the inputs were kept; check the output by hand`,
        );
    }
    return body.byteLength;
}

/** Settles the manifest of a group an earlier run left behind (see the module comment). */
async function settleManifest(options: CompactionOptions, partition: HourPartition, manifestKey: string): Promise<CompactionGroupResult | undefined> {
    const { store, rawBucket, logger } = options;
    const manifest = await readManifest(store, rawBucket, manifestKey);
    if (manifest === undefined) {
        return undefined;
    }
    const outputHead = await store.headObject(rawBucket, manifest.output.key);
    if (outputHead === undefined) {
        const heads = await Promise.all(manifest.inputs.map((input) => store.headObject(rawBucket, input.key)));
        const missing = manifest.inputs.filter((_, index) => heads[index] === undefined).map((input) => input.key);
        if (missing.length > 0) {
            throw new IntegrityError(
                rawBucket,
                manifestKey,
                `the group's output is missing and ${missing.length} of its inputs are gone (${missing.slice(0, 3).join(", ")}); nothing was deleted; restore them from object versions or remove the manifest after checking by hand`,
            );
        }
        return compactGroup(
            options,
            partition,
            manifest.inputs.map((input, index) => ({ key: input.key, size: heads[index]?.size ?? input.size })),
            manifest,
        );
    }
    const bytesOut = await verifyOutput(options, manifest);
    const toDelete: string[] = [];
    for (const input of manifest.inputs) {
        const head = await store.headObject(rawBucket, input.key);
        if (head === undefined) {
            continue;
        }
        let same = head.metadata[objectMetadataNames.contentSha256] === input.ndjsonSha256 && head.metadata[objectMetadataNames.recordCount] === String(input.records);
        if (!same) {
            const body = await store.getObject(rawBucket, input.key);
            same = body !== undefined && sameDigest(input, await inputDigest(body));
        }
        if (same) {
            toDelete.push(input.key);
        } else {
            logger.warn("an object under a compacted input's key holds other records than the compacted one; it was kept", { key: input.key, manifest: manifestKey });
        }
    }
    if (toDelete.length > 0) {
        await store.deleteObjects(rawBucket, toDelete);
    }
    await store.deleteObjects(rawBucket, [manifestKey]);
    const result: CompactionGroupResult = {
        groupId: manifest.groupId,
        outputKey: manifest.output.key,
        inputKeys: manifest.inputs.map((input) => input.key),
        status: "recovered",
        records: manifest.output.records,
        bytesIn: manifest.inputs.reduce((sum, input) => sum + input.size, 0),
        bytesOut,
    };
    logger.info("finished a compaction group an earlier run started", { partition: partitionName(options.dataset, partition), groupId: result.groupId, outputKey: result.outputKey, inputsDeleted: toDelete.length });
    return result;
}

/** The digest of an input as compaction sees it (newline-terminated text). */
async function inputDigest(body: Uint8Array): Promise<NdjsonDigest> {
    const concatenation = createNdjsonConcatenation();
    const digest = await concatenation.append(body);
    await concatenation.finish();
    return digest;
}

/** The objects of a partition that may be compacted, and how many were skipped for which reason. */
async function eligibleObjects(
    options: CompactionOptions,
    objects: readonly ObjectSummary[],
): Promise<{ readonly eligible: ObjectSummary[]; readonly skipped: Omit<CompactionPartitionResult["skipped"], "alone"> }> {
    const eligible: ObjectSummary[] = [];
    const skipped = { alreadyLarge: 0, compacted: 0, replayPending: 0 };
    for (const object of objects) {
        const fileName = object.key.slice(object.key.lastIndexOf("/") + 1);
        if (isCompactedFileName(fileName)) {
            skipped.compacted += 1;
            continue;
        }
        if (object.size >= options.targetBytes) {
            skipped.alreadyLarge += 1;
            continue;
        }
        const id = replayIdOfFileName(fileName);
        if (id !== undefined && (await options.store.headObject(options.rejectsBucket, replayManifestKey(options.dataset, id))) !== undefined) {
            skipped.replayPending += 1;
            continue;
        }
        eligible.push(object);
    }
    return { eligible, skipped };
}

async function compactPartition(options: CompactionOptions, partition: HourPartition, manifestKeys: readonly string[], hasLease: boolean): Promise<CompactionPartitionResult> {
    const { store, rawBucket, dataset } = options;
    const listData = async () =>
        (await store.listObjects(rawBucket, rawPartitionPrefix(dataset, partition))).filter((object) => {
            const location = parseZoneKey(object.key);
            return location !== undefined && location.errorType === undefined && isDataObjectName(location.fileName);
        });
    const plan = async () => {
        const { eligible, skipped } = await eligibleObjects(options, await listData());
        const groups = packGroups(eligible, options.targetBytes);
        const grouped = groups.reduce((sum, group) => sum + group.length, 0);
        return { groups, skipped: { ...skipped, alone: eligible.length - grouped } };
    };

    if (options.dryRun) {
        const { groups, skipped } = await plan();
        return {
            partition,
            status: "ok",
            pendingManifests: manifestKeys.length,
            skipped,
            groups: groups.map((group) => {
                const groupId = compactionGroupId(group.map((object) => object.key));
                return {
                    groupId,
                    outputKey: compactedObjectKey(dataset, partition, groupId),
                    inputKeys: group.map((object) => object.key),
                    status: "planned",
                    records: 0,
                    bytesIn: group.reduce((sum, object) => sum + object.size, 0),
                    bytesOut: 0,
                };
            }),
        };
    }

    const leaseOptions = {
        store,
        bucket: rawBucket,
        dataset,
        partition,
        owner: options.owner,
        ttlMs: options.leaseTtlMs,
        breakLease: options.breakLease,
        now: options.now,
    };
    if (manifestKeys.length === 0) {
        const preview = await plan();
        if (preview.groups.length === 0) {
            // Nothing to settle or merge: finish without taking the lease, so a rerun writes nothing
            // (beyond removing a lease a dead attempt of this job left).
            if (hasLease) {
                await clearStaleLease(leaseOptions);
            }
            return { partition, status: "ok", groups: [], skipped: preview.skipped, pendingManifests: 0 };
        }
    }
    const lease = await acquireLease(leaseOptions);
    try {
        const results: CompactionGroupResult[] = [];
        // Listed again under the lease: a job that died after the first listing may have left one.
        const pending = (await store.listKeys(rawBucket, compactionControlPrefix(dataset, partition))).filter((key) => parseCompactionControlKey(key)?.kind === "manifest");
        for (const manifestKey of pending) {
            const settled = await settleManifest(options, partition, manifestKey);
            if (settled) {
                results.push(settled);
            }
        }
        const { groups, skipped } = await plan();
        for (const group of groups) {
            results.push(await compactGroup(options, partition, group));
        }
        return { partition, status: "ok", groups: results, skipped, pendingManifests: pending.length };
    } finally {
        await releaseQuietly(lease, options.logger.warn);
    }
}

/** Compacts the requested hour (or every hour of the day); one partition's failure does not stop the others. */
export async function compactPartitions(options: CompactionOptions): Promise<CompactionReport> {
    const { store, rawBucket, dataset, logger } = options;
    const onlyHour = options.hour;
    const dataPrefix = onlyHour === undefined ? rawDatePrefix(dataset, options.dt) : rawPartitionPrefix(dataset, { dt: options.dt, hour: onlyHour });
    const controlPrefix = onlyHour === undefined ? compactionDatePrefix(dataset, options.dt) : compactionControlPrefix(dataset, { dt: options.dt, hour: onlyHour });
    const hours = new Set<string>();
    for (const key of await store.listKeys(rawBucket, dataPrefix)) {
        const location = parseZoneKey(key);
        if (location && location.errorType === undefined && location.partition.dt === options.dt && isDataObjectName(location.fileName)) {
            hours.add(location.partition.hour);
        }
    }
    const manifestsByHour = new Map<string, string[]>();
    const leaseHours = new Set<string>();
    for (const key of await store.listKeys(rawBucket, controlPrefix)) {
        const control = parseCompactionControlKey(key);
        if (control?.partition.dt !== options.dt) {
            continue;
        }
        if (control.kind === "manifest") {
            hours.add(control.partition.hour);
            manifestsByHour.set(control.partition.hour, [...(manifestsByHour.get(control.partition.hour) ?? []), key]);
        } else {
            leaseHours.add(control.partition.hour);
        }
    }
    const partitions: CompactionPartitionResult[] = [];
    for (const hour of [...hours].sort()) {
        const partition = { dt: options.dt, hour };
        try {
            partitions.push(await compactPartition(options, partition, (manifestsByHour.get(hour) ?? []).sort(), leaseHours.has(hour)));
        } catch (error) {
            logger.error("partition could not be compacted; nothing was deleted before its outputs were verified, so a rerun is safe", {
                partition: partitionName(dataset, partition),
                error: describeError(error),
            });
            partitions.push({ partition, status: "failed", groups: [], skipped: { alreadyLarge: 0, compacted: 0, replayPending: 0, alone: 0 }, pendingManifests: 0, error: describeError(error) });
        }
    }
    const groups = partitions.flatMap((partition) => partition.groups);
    const report: CompactionReport = {
        dataset,
        dt: options.dt,
        ...(onlyHour !== undefined ? { hour: onlyHour } : {}),
        targetBytes: options.targetBytes,
        dryRun: options.dryRun,
        totals: {
            partitions: partitions.length,
            groups: groups.length,
            inputObjects: groups.reduce((sum, group) => sum + group.inputKeys.length, 0),
            outputObjects: options.dryRun ? 0 : groups.length,
            records: groups.reduce((sum, group) => sum + group.records, 0),
            bytesIn: groups.reduce((sum, group) => sum + group.bytesIn, 0),
            bytesOut: groups.reduce((sum, group) => sum + group.bytesOut, 0),
        },
        partitions,
        failures: partitions.filter((partition) => partition.status === "failed").map((partition) => ({ partition: partitionName(dataset, partition.partition), error: partition.error ?? "unknown error" })),
    };
    return report;
}
