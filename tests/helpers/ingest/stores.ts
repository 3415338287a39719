import { ObjectHead, ObjectStore, PutObjectInput, PutObjectOutcome } from "../../../runtime/common/objectStore";
import { gunzip } from "../../../runtime/common/encoding";

/** Decides, per PutObject call, whether to fail it: return an Error to throw, or undefined to pass. */
export type PutFault = (input: PutObjectInput, call: number) => Error | undefined;

/**
 * Wraps a store and fails selected PutObject calls, to inject S3 errors mid-batch. A fault can
 * fail before the write (the object is not there) or after it (`afterWrite`: the object landed
 * but the caller saw an error, like a timeout on the response).
 */
export function createFaultyStore(inner: ObjectStore, fault: PutFault, options: { readonly afterWrite?: boolean } = {}): ObjectStore & { readonly calls: { put: number; failed: number } } {
    const calls = { put: 0, failed: 0 };
    const putObject = async (input: PutObjectInput): Promise<PutObjectOutcome> => {
        calls.put += 1;
        const error = fault(input, calls.put);
        if (error && !options.afterWrite) {
            calls.failed += 1;
            throw error;
        }
        const outcome = await inner.putObject(input);
        if (error) {
            calls.failed += 1;
            throw error;
        }
        return outcome;
    };
    return {
        calls,
        putObject,
        headObject: (bucket: string, key: string): Promise<ObjectHead | undefined> => inner.headObject(bucket, key),
        getObject: (bucket: string, key: string) => inner.getObject(bucket, key),
        listKeys: (bucket: string, prefix: string) => inner.listKeys(bucket, prefix),
    };
}

/** Every object under a prefix, decompressed, as key → NDJSON text. */
export async function readAll(store: ObjectStore, bucket: string, prefix = ""): Promise<Map<string, string>> {
    const result = new Map<string, string>();
    for (const key of await store.listKeys(bucket, prefix)) {
        const body = await store.getObject(bucket, key);
        result.set(key, body ? (await gunzip(body)).toString("utf8") : "");
    }
    return result;
}

/** Every object under a prefix, compressed bytes as stored, as key → bytes. */
export async function readAllRaw(store: ObjectStore, bucket: string, prefix = ""): Promise<Map<string, Buffer>> {
    const result = new Map<string, Buffer>();
    for (const key of await store.listKeys(bucket, prefix)) {
        result.set(key, Buffer.from((await store.getObject(bucket, key)) ?? new Uint8Array()));
    }
    return result;
}

/** The parsed lines of NDJSON texts, flattened. */
export function lines(objects: Map<string, string>): Record<string, unknown>[] {
    return [...objects.values()].flatMap((text) =>
        text
            .split("\n")
            .filter((line) => line !== "")
            .map((line) => JSON.parse(line) as Record<string, unknown>),
    );
}
