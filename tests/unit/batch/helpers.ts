import { gunzip } from "../../../runtime/common/encoding";
import { MaintenanceObjectStore, ObjectHead, ObjectSummary, PutObjectInput, PutObjectOutcome } from "../../../runtime/common/objectStore";
import { MemoryObjectStore } from "../../../runtime/common/memoryObjectStore";
import { JobLogger, LogFields, LogLevel } from "../../../runtime/batch/log";

/** The error a crashed store throws; once thrown, every later call throws it too. */
export class SimulatedCrash extends Error {
    constructor(message: string) {
        super(message);
        this.name = "SimulatedCrash";
    }
}

export interface CrashPlan {
    /** Crash at the n-th mutating call (putObject or deleteObjects), counting from 1. */
    readonly at: number;
    /** `before`: the call has no effect. `after`: the call takes effect, then the process dies. */
    readonly mode: "before" | "after";
}

export interface CrashingStore extends MaintenanceObjectStore {
    /** Mutating calls seen so far (including the crashing one). */
    readonly mutations: () => number;
    readonly crashed: () => boolean;
    /** Every mutating call, as `put <bucket>/<key>` or `delete <bucket>/<keys>`. */
    readonly log: string[];
}

/**
 * Wraps a store to model a process that dies at a chosen write or delete: from that call on,
 * nothing the process does reaches the store any more. Without a plan it only records mutations.
 */
export function createCrashingStore(inner: MaintenanceObjectStore, plan?: CrashPlan): CrashingStore {
    let count = 0;
    let dead = false;
    const log: string[] = [];
    const guard = () => {
        if (dead) {
            throw new SimulatedCrash("the process is gone");
        }
    };
    const mutate = async <T>(describe: string, action: () => Promise<T>): Promise<T> => {
        guard();
        count += 1;
        log.push(describe);
        if (plan && count === plan.at) {
            dead = true;
            if (plan.mode === "after") {
                await action();
            }
            throw new SimulatedCrash(`crashed ${plan.mode} mutation ${count}: ${describe}`);
        }
        return action();
    };
    return {
        mutations: () => count,
        crashed: () => dead,
        log,
        putObject: (input: PutObjectInput): Promise<PutObjectOutcome> => mutate(`put ${input.bucket}/${input.key}`, () => inner.putObject(input)),
        deleteObjects: (bucket: string, keys: readonly string[]) => mutate(`delete ${bucket}/${keys.join(",")}`, () => inner.deleteObjects(bucket, keys)),
        headObject: async (bucket: string, key: string): Promise<ObjectHead | undefined> => {
            guard();
            return inner.headObject(bucket, key);
        },
        getObject: async (bucket: string, key: string) => {
            guard();
            return inner.getObject(bucket, key);
        },
        listKeys: async (bucket: string, prefix: string) => {
            guard();
            return inner.listKeys(bucket, prefix);
        },
        listObjects: async (bucket: string, prefix: string): Promise<ObjectSummary[]> => {
            guard();
            return inner.listObjects(bucket, prefix);
        },
    };
}

/** A `JobLogger` that keeps its entries in memory (every level), for tests of code that only needs the interface. */
export function capturingLogger(): { readonly logger: JobLogger; readonly lines: Record<string, unknown>[] } {
    const lines: Record<string, unknown>[] = [];
    const make = (persistent: LogFields): JobLogger => {
        const write = (level: LogLevel) => (message: string, fields?: LogFields) => {
            lines.push({ level, message, ...persistent, ...fields });
        };
        return { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error"), child: (fields) => make({ ...persistent, ...fields }) };
    };
    return { lines, logger: make({}) };
}

/** Every object of a bucket as key → uncompressed text (gzip objects) or raw text (others). */
export async function contents(store: MemoryObjectStore, bucket: string): Promise<Map<string, string>> {
    const result = new Map<string, string>();
    for (const [key, object] of store.objects(bucket)) {
        const body = Buffer.from(object.body);
        result.set(key, body[0] === 0x1f && body[1] === 0x8b ? (await gunzip(body)).toString("utf8") : body.toString("utf8"));
    }
    return result;
}

/** Every object of a bucket as key → stored bytes in hex, for byte-exact comparisons. */
export function snapshot(store: MemoryObjectStore, bucket: string): Map<string, string> {
    return new Map([...store.objects(bucket)].map(([key, object]) => [key, Buffer.from(object.body).toString("hex")]));
}

/** The non-empty lines of every data object (`.ndjson.gz`) under a prefix, sorted: a multiset of records. */
export async function recordMultiset(store: MemoryObjectStore, bucket: string, prefix: string): Promise<string[]> {
    const lines: string[] = [];
    for (const [key, text] of await contents(store, bucket)) {
        if (key.startsWith(prefix) && key.endsWith(".ndjson.gz")) {
            lines.push(...text.split("\n").filter((line) => line !== ""));
        }
    }
    return lines.sort();
}

/** Copies every object of one memory store into another (a fresh fixture per crash case). */
export async function cloneInto(source: MemoryObjectStore, target: MemoryObjectStore, buckets: readonly string[]): Promise<void> {
    for (const bucket of buckets) {
        for (const [key, object] of source.objects(bucket)) {
            await target.putObject({ bucket, key, body: object.body, contentType: object.contentType, metadata: object.metadata });
        }
    }
}
