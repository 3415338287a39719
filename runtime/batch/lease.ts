import { describeError } from "../common/errors";
import { MaintenanceObjectStore } from "../common/objectStore";
import { HourPartition } from "../ingest/time";
import { LeaseHeldError } from "./errors";
import { compactionControlPrefix, leaseKey, parseCompactionControlKey } from "./layout";

/**
 * The compaction lease of one raw hour partition, so two compactions of the same partition never
 * run at once (two jobs could otherwise put the same records into two different outputs).
 *
 * Leases are objects `lease-<generation>.json` created with `If-None-Match: *`, so exactly one
 * process creates each generation; the newest generation is the lease. A process may take the
 * next generation when the newest one
 * - belongs to the same owner: the Batch job id (`AWS_BATCH_JOB_ID`), which stays the same across
 *   the attempts of a job, so a retry after a crash takes over at once; or
 * - has expired: its time-to-live is at least the job's timeout, so its holder is dead; or
 * - the operator passed `--break-lease` after checking that no other compaction of the partition
 *   is running.
 * Taking a generation deletes the older ones; releasing deletes the holder's own.
 */

export interface LeaseOptions {
    readonly store: MaintenanceObjectStore;
    readonly bucket: string;
    readonly dataset: string;
    readonly partition: HourPartition;
    /** Who takes the lease: the Batch job id, or `local:<hostname>` outside Batch. */
    readonly owner: string;
    /** How long the lease is valid; must be at least the job's timeout. */
    readonly ttlMs: number;
    /** Take the lease even when another owner's lease has not expired. */
    readonly breakLease: boolean;
    readonly now: () => number;
}

export interface LeaseDocument {
    readonly format: typeof leaseFormat;
    readonly owner: string;
    readonly generation: number;
    readonly acquiredAt: string;
    readonly expiresAt: string;
}

export interface Lease {
    readonly key: string;
    readonly generation: number;
    /** Deletes the lease object. */
    release(): Promise<void>;
}

export const leaseFormat = "compaction-lease/1";

const maxAttempts = 5;

async function readLease(store: MaintenanceObjectStore, bucket: string, key: string): Promise<LeaseDocument | undefined> {
    const body = await store.getObject(bucket, key);
    if (body === undefined) {
        return undefined;
    }
    try {
        const document = JSON.parse(Buffer.from(body).toString("utf8")) as LeaseDocument;
        if (typeof document.owner === "string" && Number.isFinite(Date.parse(document.expiresAt))) {
            return document;
        }
    } catch {
        // An unreadable lease is treated as expired below: it cannot name a live holder.
    }
    return { format: leaseFormat, owner: "(unreadable lease)", generation: 0, acquiredAt: new Date(0).toISOString(), expiresAt: new Date(0).toISOString() };
}

async function listGenerations(options: LeaseOptions): Promise<{ readonly key: string; readonly generation: number }[]> {
    return (await options.store.listKeys(options.bucket, compactionControlPrefix(options.dataset, options.partition)))
        .map((key) => ({ key, control: parseCompactionControlKey(key) }))
        .flatMap(({ key, control }) => (control?.kind === "lease" ? [{ key, generation: control.generation }] : []))
        .sort((a, b) => a.generation - b.generation);
}

/**
 * Removes the lease objects a dead run of the same owner (or any run whose lease expired) left
 * behind, for runs that find nothing to do and so never take the lease. Returns how many it removed.
 */
export async function clearStaleLease(options: LeaseOptions): Promise<number> {
    const generations = await listGenerations(options);
    const newest = generations[generations.length - 1];
    if (!newest) {
        return 0;
    }
    const held = await readLease(options.store, options.bucket, newest.key);
    if (held !== undefined && held.owner !== options.owner && options.now() < Date.parse(held.expiresAt)) {
        return 0;
    }
    await options.store.deleteObjects(
        options.bucket,
        generations.map((generation) => generation.key),
    );
    return generations.length;
}

/** Takes the partition's lease or throws a `LeaseHeldError` naming the holder and the way out. */
export async function acquireLease(options: LeaseOptions): Promise<Lease> {
    const { store, bucket, dataset, partition, owner } = options;
    for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
        const generations = await listGenerations(options);
        const newest = generations[generations.length - 1];
        if (newest) {
            const held = await readLease(store, bucket, newest.key);
            if (held === undefined) {
                continue;
            }
            const now = options.now();
            const expired = now >= Date.parse(held.expiresAt);
            if (held.owner !== owner && !expired && !options.breakLease) {
                throw new LeaseHeldError(
                    newest.key,
                    held.owner,
                    `partition ${dataset}/dt=${partition.dt}/hour=${partition.hour} is being compacted by ${held.owner} (lease s3://${bucket}/${newest.key}, taken ${held.acquiredAt}, valid until ${held.expiresAt}); wait for that job to finish, or, if it is no longer running, rerun with --break-lease`,
                );
            }
        }
        const generation = (newest?.generation ?? 0) + 1;
        const key = leaseKey(dataset, partition, generation);
        const now = options.now();
        const document: LeaseDocument = { format: leaseFormat, owner, generation, acquiredAt: new Date(now).toISOString(), expiresAt: new Date(now + options.ttlMs).toISOString() };
        const outcome = await store.putObject({ bucket, key, body: Buffer.from(JSON.stringify(document)), contentType: "application/json", ifNoneMatch: true });
        if (outcome === "exists") {
            continue;
        }
        if (generations.length > 0) {
            await store.deleteObjects(
                bucket,
                generations.map((older) => older.key),
            );
        }
        return { key, generation, release: () => store.deleteObjects(bucket, [key]) };
    }
    throw new LeaseHeldError(
        leaseKey(dataset, partition, 0),
        "(contended)",
        `could not take the compaction lease of ${dataset}/dt=${partition.dt}/hour=${partition.hour} in ${maxAttempts} attempts: other jobs keep taking it; run one compaction per partition at a time`,
    );
}

/** Releases a lease, logging instead of throwing: an unreleased lease only delays the next run until it expires. */
export async function releaseQuietly(lease: Lease, warn: (message: string, fields: Record<string, unknown>) => void): Promise<void> {
    try {
        await lease.release();
    } catch (error) {
        warn("the compaction lease could not be released; the next run of another job waits until it expires or passes --break-lease", { lease: lease.key, error: describeError(error) });
    }
}
