import { createHash } from "crypto";
import { once } from "events";
import { createGunzip, createGzip } from "zlib";

/**
 * Streaming work on gzip NDJSON objects, for objects too large to hold as one string: compaction
 * outputs are up to `--target-bytes` compressed, which can be a gigabyte of text. Decompression,
 * hashing, line counting and recompression all run chunk by chunk.
 *
 * A digest describes NDJSON text: the SHA-256 of its bytes (what the ingest function stores in the
 * `ndjson-sha256` metadata) and its record count, where a record is a non-empty line.
 */

export interface NdjsonDigest {
    /** Non-empty lines. */
    readonly records: number;
    /** Lower-case hex SHA-256 of the uncompressed bytes. */
    readonly sha256: string;
    /** Uncompressed bytes. */
    readonly bytes: number;
}

const newline = 0x0a;

/** Incremental digest of NDJSON bytes fed in chunks of any size. */
export interface NdjsonDigester {
    update(chunk: Uint8Array): void;
    digest(): NdjsonDigest;
}

export function createNdjsonDigester(): NdjsonDigester {
    const hash = createHash("sha256");
    let records = 0;
    let bytes = 0;
    let lineHasContent = false;
    const update = (chunk: Uint8Array) => {
        hash.update(chunk);
        bytes += chunk.byteLength;
        let start = 0;
        while (start < chunk.byteLength) {
            const end = chunk.indexOf(newline, start);
            if (end === -1) {
                lineHasContent = true;
                return;
            }
            if (end > start || lineHasContent) {
                records += 1;
            }
            lineHasContent = false;
            start = end + 1;
        }
    };
    const digest = (): NdjsonDigest => ({ records: records + (lineHasContent ? 1 : 0), sha256: hash.digest("hex"), bytes });
    return { update, digest };
}

/** The decompressed chunks of a gzip body (all members, like `gunzip`). */
export async function* gunzipChunks(body: Uint8Array): AsyncGenerator<Buffer> {
    const gunzip = createGunzip();
    gunzip.end(body);
    for await (const chunk of gunzip) {
        yield chunk as Buffer;
    }
}

/** The digest of a gzip NDJSON body, decompressed in a stream. */
export async function digestGzipNdjson(body: Uint8Array): Promise<NdjsonDigest> {
    const digester = createNdjsonDigester();
    for await (const chunk of gunzipChunks(body)) {
        digester.update(chunk);
    }
    return digester.digest();
}

/**
 * Builds one gzip NDJSON object from several, in the order they are appended, without holding
 * their text in memory. A non-empty input whose last line has no newline gets one, so lines of
 * neighbouring inputs never run together. The output is compressed with the same settings as
 * `gzipDeterministic` (level 6, no name, zero mtime), so it has the same bytes as
 * `gzipDeterministic(<concatenated text>)` and equal inputs give equal outputs.
 */
export interface NdjsonConcatenation {
    /** Appends one gzip NDJSON body; returns the digest of its (newline-terminated) text. */
    append(body: Uint8Array): Promise<NdjsonDigest>;
    /** Ends the output: its gzip bytes and the digest of its text. */
    finish(): Promise<{ readonly body: Buffer; readonly digest: NdjsonDigest }>;
}

export function createNdjsonConcatenation(): NdjsonConcatenation {
    const gzip = createGzip({ level: 6 });
    const compressed: Buffer[] = [];
    gzip.on("data", (chunk: Buffer) => compressed.push(chunk));
    // `once` rejects on a stream error; the handler keeps an early error from going unhandled, and
    // `finish` rethrows it when it awaits the same promise.
    const ended = once(gzip, "end");
    ended.catch(() => undefined);
    const total = createNdjsonDigester();
    const write = async (chunk: Uint8Array) => {
        total.update(chunk);
        if (!gzip.write(chunk)) {
            await once(gzip, "drain");
        }
    };
    const append = async (body: Uint8Array): Promise<NdjsonDigest> => {
        const own = createNdjsonDigester();
        let last: number | undefined;
        for await (const chunk of gunzipChunks(body)) {
            if (chunk.byteLength === 0) {
                continue;
            }
            own.update(chunk);
            last = chunk[chunk.byteLength - 1];
            await write(chunk);
        }
        if (last !== undefined && last !== newline) {
            const terminator = Buffer.from("\n");
            own.update(terminator);
            await write(terminator);
        }
        return own.digest();
    };
    const finish = async () => {
        gzip.end();
        await ended;
        return { body: Buffer.concat(compressed), digest: total.digest() };
    };
    return { append, finish };
}

/** The non-empty lines of NDJSON text. */
export function ndjsonLines(text: string): string[] {
    return text.split("\n").filter((line) => line !== "");
}
