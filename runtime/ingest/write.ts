import { createDeterministicGzip, describeError, deterministicGzipLevel, gzipDeterministic, gzipDeterministicSync, mapSettledWithConcurrency, ObjectStore, sha256Hex } from "../common";
import { RawLineMetadata, rawLineMetadataText } from "./classify";
import { conflictObjectKey } from "./layout";
import { BatchPlan, PlannedObject, Zone } from "./plan";

/**
 * Landing planned objects: gzip NDJSON, written with a conditional create so that a redelivered
 * batch never overwrites anything. The S3 user metadata carries the SHA-256 of the uncompressed
 * NDJSON; when a key is already taken, that hash tells "this exact object already landed" (a
 * retry: success) from "other content under the same key" (the batch came back with different
 * boundaries). In the second case the object is written under `conflictObjectKey`, which is
 * derived from the content, so records are never lost and never overwritten.
 */

/** User-metadata names set on every object (S3 returns them lower-cased). */
export const objectMetadataNames = {
    contentSha256: "ndjson-sha256",
    recordCount: "record-count",
    firstPosition: "first-position",
    lastPosition: "last-position",
} as const;

/** The content type of raw and rejects objects (gzip-compressed NDJSON). */
export const objectContentType = "application/gzip";

/**
 * The gzip level of each zone's objects. Raw objects hold nearly every record and are what the
 * transform and Athena read, so they get zlib's default balance (6). Reject objects are small
 * (one per error type, hour and source partition of a batch, a few KB each), read only to replay
 * or inspect, and they are what a producer's bad release floods a batch with: level 1 compresses
 * them about twice as fast for about 10 % more bytes (measured on the shipped orders dataset's
 * rejects: 84 KB instead of 77 KB for 396 KB of NDJSON per 5,000-record batch).
 */
export const zoneGzipLevel: { readonly [zone in Zone]: number } = { raw: deterministicGzipLevel, rejects: 1 };

export interface WriteTargets {
    readonly store: ObjectStore;
    readonly rawBucket: string;
    readonly rejectsBucket: string;
    /** Objects written at the same time. */
    readonly concurrency: number;
}

/**
 * - `written`: this call created the object under its key.
 * - `present`: the identical object was already there (a retry after a partial write).
 * - `conflict`: different content was under the key; this content is now under `finalKey`.
 * - `failed`: the object may not be there; the batch must be retried.
 */
export type ObjectWriteStatus = "written" | "present" | "conflict" | "failed";

export interface ObjectWriteResult {
    readonly key: string;
    readonly bucket: string;
    readonly status: ObjectWriteStatus;
    /** The key the content is stored under (differs from `key` only for conflicts). */
    readonly finalKey: string;
    /** Compressed size in bytes. */
    readonly bytes: number;
    readonly error?: string;
}

/** The uncompressed NDJSON body of a planned object: one line per record, each ending in `\n`. */
export function renderNdjson(object: Pick<PlannedObject, "lines">): string {
    return object.lines.length === 0 ? "" : `${object.lines.join("\n")}\n`;
}

/** An object's body as stored (gzip), the SHA-256 of its uncompressed NDJSON and its number of lines (records). */
export interface EncodedObject {
    readonly body: Buffer;
    readonly sha256: string;
    readonly lineCount: number;
}

/** Streams an object's lines into gzip (on libuv's thread pool) while they are produced, and hashes them at the end. */
export interface ObjectEncoder {
    /** Adds one line. */
    add(line: string): void;
    /**
     * Adds one raw line given in parts (`body` then its `_ingest` metadata): the same bytes as
     * `add(body + rawLineMetadataText(metadata))`, without joining the text first, and with the
     * metadata's shared fragments copied as the bytes they were encoded to once.
     */
    addRaw(body: string, metadata: RawLineMetadata): void;
    /**
     * No more lines: hands the last chunk to gzip, so the thread pool can finish compressing while
     * this thread does other work. Called by `finish` if not called before; calling it again does nothing.
     */
    end(): void;
    /** Ends the object if needed, hashes it, compresses it if it is small, and waits for gzip. */
    finish(): Promise<EncodedObject>;
}

/** A chunk of lines goes to gzip once it holds at least this many bytes (an object's last chunk may hold fewer). */
const encoderChunkBytes = 128 * 1024;

/** Room for one chunk and the line that completes it; a line that cannot fit even in an empty chunk is a chunk of its own. */
const encoderBufferBytes = 192 * 1024;

/** UTF-8 takes at most 3 bytes per UTF-16 code unit (a surrogate pair, 2 units, takes 4). */
const maxUtf8BytesPerUnit = 3;

/**
 * Creates a streaming encoder. Its output is byte-identical to `encodeObject` of the same lines at
 * the same level: zlib's deflate output does not depend on how the input is split when nothing is
 * flushed.
 *
 * Each line is written as UTF-8 straight into the chunk being filled, so the text is encoded once
 * and never joined into an intermediate string first; a full chunk goes to gzip as it is, and the
 * next line starts a new buffer (gzip reads the chunk later, on its thread).
 *
 * The gzip stream is only created when the first chunk is full. Most objects of a batch (the
 * rejects of one error type, the raw records of an hour that just began) never fill one, and for
 * those a stream on the thread pool costs far more than the compression: they are compressed in
 * one go on this thread in `finish` (a few KB, tens of microseconds).
 *
 * The hash is also computed in `finish`, over the chunks kept until then (the object's NDJSON, a
 * few MB for a full batch), rather than as each chunk is filled. The handler ends every object
 * before finishing any (see `ingestRecords`), so hashing and the small objects' compression run on
 * this thread while the thread pool compresses the large objects' last chunks, instead of
 * slowing down classification, which is what the thread pool waits for.
 */
export function createObjectEncoder(level: number = deterministicGzipLevel): ObjectEncoder {
    const crypto = require("crypto") as typeof import("crypto");
    let stream: { readonly gzip: import("zlib").Gzip; readonly compressed: Promise<Buffer> } | undefined;
    /** Every chunk handed to gzip so far, kept for the hash. */
    const handed: Buffer[] = [];
    let chunk: Buffer | undefined;
    let used = 0;
    let lineCount = 0;
    let ended = false;
    const startStream = () => {
        const gzip = createDeterministicGzip(level);
        const output: Buffer[] = [];
        const compressed = new Promise<Buffer>((resolve, reject) => {
            gzip.on("data", (piece: Buffer) => output.push(piece));
            gzip.on("end", () => resolve(Buffer.concat(output)));
            gzip.on("error", reject);
        });
        return { gzip, compressed };
    };
    const hand = (bytes: Buffer) => {
        handed.push(bytes);
        (stream ??= startStream()).gzip.write(bytes);
    };
    /** Hands the chunk being filled to gzip; the first time, the object outgrows one chunk and gets its stream. */
    const flush = () => {
        if (chunk !== undefined && used > 0) {
            hand(chunk.subarray(0, used));
        }
        chunk = undefined;
        used = 0;
    };
    const end = () => {
        if (!ended && stream !== undefined) {
            flush();
            stream.gzip.end();
        }
        ended = true;
    };
    /**
     * Counts a new line of at most `worstCase` bytes and makes room for it: the chunk being filled,
     * or a fresh one; false when the line needs a chunk of its own.
     */
    const startLine = (worstCase: number): boolean => {
        lineCount += 1;
        if (chunk !== undefined && used + worstCase > chunk.byteLength) {
            flush();
        }
        if (worstCase > encoderBufferBytes) {
            return false;
        }
        chunk ??= Buffer.allocUnsafe(encoderBufferBytes);
        return true;
    };
    const endLine = (target: Buffer) => {
        target[used] = 0x0a;
        used += 1;
        if (used >= encoderChunkBytes) {
            flush();
        }
    };
    return {
        add: (line) => {
            if (!startLine(line.length * maxUtf8BytesPerUnit + 1)) {
                hand(Buffer.from(`${line}\n`, "utf8"));
                return;
            }
            const target = chunk as Buffer;
            used += target.write(line, used, "utf8");
            endLine(target);
        },
        addRaw: (body, metadata) => {
            const fragments = metadata.source.bytes.byteLength + metadata.partition.bytes.byteLength;
            if (!startLine((body.length + metadata.position.length + metadata.time.length + metadata.key.length) * maxUtf8BytesPerUnit + fragments + 1)) {
                hand(Buffer.from(`${body}${rawLineMetadataText(metadata)}\n`, "utf8"));
                return;
            }
            const target = chunk as Buffer;
            used += target.write(body, used, "utf8");
            target.set(metadata.source.bytes, used);
            used += metadata.source.bytes.byteLength;
            used += target.write(metadata.position, used, "utf8");
            used += target.write(metadata.time, used, "utf8");
            used += target.write(metadata.key, used, "utf8");
            target.set(metadata.partition.bytes, used);
            used += metadata.partition.bytes.byteLength;
            endLine(target);
        },
        end,
        finish: async () => {
            end();
            const hash = crypto.createHash("sha256");
            if (stream === undefined) {
                const bytes = chunk === undefined ? Buffer.alloc(0) : chunk.subarray(0, used);
                return { body: gzipDeterministicSync(bytes, level), sha256: hash.update(bytes).digest("hex"), lineCount };
            }
            for (const bytes of handed) {
                hash.update(bytes);
            }
            return { body: await stream.compressed, sha256: hash.digest("hex"), lineCount };
        },
    };
}

/** Encodes an object's lines in one go: gzip of `renderNdjson` (at its zone's level) and its SHA-256. */
export async function encodeObject(object: Pick<PlannedObject, "lines" | "zone">): Promise<EncodedObject> {
    const ndjson = renderNdjson(object);
    return { body: await gzipDeterministic(ndjson, zoneGzipLevel[object.zone]), sha256: sha256Hex(ndjson), lineCount: object.lines.length };
}

/** What the writer needs of an object: the parts of a `PlannedObject` that decide its key, bytes and metadata. */
export type WritableObject = Pick<PlannedObject, "zone" | "key" | "lines" | "firstPosition" | "lastPosition">;

/**
 * Writes one object with the conditional-create and conflict rules described above. Used for each
 * object of a batch plan, and by the batch job's replay of rejects, which lands objects built the
 * same way. Throws when the store fails.
 */
export async function writeObject(object: WritableObject, targets: WriteTargets, encoded?: EncodedObject): Promise<ObjectWriteResult> {
    const bucket = object.zone === "raw" ? targets.rawBucket : targets.rejectsBucket;
    const { body, sha256: sha, lineCount } = encoded ?? (await encodeObject(object));
    const metadata = {
        [objectMetadataNames.contentSha256]: sha,
        [objectMetadataNames.recordCount]: String(lineCount),
        [objectMetadataNames.firstPosition]: object.firstPosition,
        [objectMetadataNames.lastPosition]: object.lastPosition,
    };
    const put = (key: string) => targets.store.putObject({ bucket, key, body, contentType: objectContentType, metadata, ifNoneMatch: true });
    if ((await put(object.key)) === "created") {
        return { key: object.key, bucket, status: "written", finalKey: object.key, bytes: body.byteLength };
    }
    const head = await targets.store.headObject(bucket, object.key);
    if (head?.metadata[objectMetadataNames.contentSha256] === sha) {
        return { key: object.key, bucket, status: "present", finalKey: object.key, bytes: body.byteLength };
    }
    if (head === undefined && (await put(object.key)) === "created") {
        return { key: object.key, bucket, status: "written", finalKey: object.key, bytes: body.byteLength };
    }
    const alternative = conflictObjectKey(object.key, sha);
    await put(alternative);
    return { key: object.key, bucket, status: "conflict", finalKey: alternative, bytes: body.byteLength };
}

/**
 * Writes every object of a plan, at most `concurrency` at a time, and reports each outcome in
 * plan order. `encoded` may carry each object's body already encoded (by index); otherwise it is
 * encoded here. Never throws for a failed write; the failure is in the result.
 */
export async function writePlannedObjects(plan: BatchPlan, targets: WriteTargets, encoded?: readonly Promise<EncodedObject>[]): Promise<ObjectWriteResult[]> {
    const settled = await mapSettledWithConcurrency(plan.objects, targets.concurrency, async (object, index) =>
        writeObject(object, targets, encoded?.[index] ? await encoded[index] : undefined),
    );
    return settled.map((result, index) => {
        if (result.ok) {
            return result.value;
        }
        const object = plan.objects[index] as PlannedObject;
        const bucket = object.zone === "raw" ? targets.rawBucket : targets.rejectsBucket;
        return { key: object.key, bucket, status: "failed", finalKey: object.key, bytes: 0, error: describeError(result.error) };
    });
}
