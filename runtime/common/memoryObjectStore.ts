import { MaintenanceObjectStore, ObjectHead, ObjectSummary, PutObjectInput, PutObjectOutcome } from "./objectStore";

/** One stored object of the in-memory store. */
export interface MemoryObject {
    readonly body: Uint8Array;
    readonly contentType: string;
    readonly metadata: Readonly<Record<string, string>>;
}

/** How many calls of each operation a store has served, for request-count assertions and benchmarks. */
export interface RequestCounts {
    put: number;
    head: number;
    get: number;
    list: number;
}

/** The in-memory `ObjectStore`, plus inspection helpers for tests. */
export interface MemoryObjectStore extends MaintenanceObjectStore {
    /** The objects of a bucket by key, in key order. */
    objects(bucket: string): Map<string, MemoryObject>;
    /** Calls served so far. */
    readonly requests: RequestCounts;
    /** Removes every object and zeroes the request counts. */
    clear(): void;
}

/**
 * An `ObjectStore` in memory with S3's semantics for what the runtime relies on: conditional
 * creates report `"exists"` for a taken key and never overwrite it, unconditional writes replace
 * the object, metadata keys are lower-cased, bodies are copied on write and read, deleting a
 * missing key succeeds. Buckets come into existence on first write. For unit tests, benchmarks and local runs.
 */
export function createMemoryObjectStore(): MemoryObjectStore {
    const buckets = new Map<string, Map<string, MemoryObject>>();
    const requests: RequestCounts = { put: 0, head: 0, get: 0, list: 0 };
    const bucketOf = (name: string) => {
        let bucket = buckets.get(name);
        if (!bucket) {
            bucket = new Map();
            buckets.set(name, bucket);
        }
        return bucket;
    };

    const putObject = async (input: PutObjectInput): Promise<PutObjectOutcome> => {
        requests.put += 1;
        await Promise.resolve();
        const bucket = bucketOf(input.bucket);
        if (input.ifNoneMatch && bucket.has(input.key)) {
            return "exists";
        }
        const metadata: Record<string, string> = {};
        for (const [name, value] of Object.entries(input.metadata ?? {})) {
            metadata[name.toLowerCase()] = value;
        }
        bucket.set(input.key, { body: Uint8Array.from(input.body), contentType: input.contentType ?? "application/octet-stream", metadata });
        return "created";
    };

    const headObject = async (bucket: string, key: string): Promise<ObjectHead | undefined> => {
        requests.head += 1;
        await Promise.resolve();
        const found = buckets.get(bucket)?.get(key);
        return found ? { size: found.body.byteLength, metadata: { ...found.metadata }, contentType: found.contentType } : undefined;
    };

    const getObject = async (bucket: string, key: string): Promise<Uint8Array | undefined> => {
        requests.get += 1;
        await Promise.resolve();
        const found = buckets.get(bucket)?.get(key);
        return found ? Uint8Array.from(found.body) : undefined;
    };

    const listKeys = async (bucket: string, prefix: string): Promise<string[]> => {
        requests.list += 1;
        await Promise.resolve();
        return [...(buckets.get(bucket)?.keys() ?? [])].filter((key) => key.startsWith(prefix)).sort();
    };

    const listObjects = async (bucket: string, prefix: string): Promise<ObjectSummary[]> => {
        requests.list += 1;
        await Promise.resolve();
        return [...(buckets.get(bucket)?.entries() ?? [])]
            .filter(([key]) => key.startsWith(prefix))
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
            .map(([key, object]) => ({ key, size: object.body.byteLength }));
    };

    const deleteObjects = async (bucket: string, keys: readonly string[]): Promise<void> => {
        await Promise.resolve();
        for (const key of keys) {
            buckets.get(bucket)?.delete(key);
        }
    };

    const objects = (bucket: string) => new Map([...(buckets.get(bucket) ?? new Map<string, MemoryObject>()).entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

    const clear = () => {
        buckets.clear();
        requests.put = requests.head = requests.get = requests.list = 0;
    };

    return { putObject, headObject, getObject, listKeys, listObjects, deleteObjects, objects, requests, clear };
}
