import { isUtf8 as nativeIsUtf8 } from "buffer";

/**
 * Byte-level helpers with deterministic output. Pulumi's closure serialization turns a module-level
 * import of a Node built-in (such as `buffer`) into a `require` of it, so built-ins may be imported
 * normally; zlib and crypto are loaded where used because only the writer needs them.
 */

/**
 * The settings of every deterministic gzip: a fixed level (6 unless the caller names another), and
 * Node writes no file name and a zero mtime. The one-shot, synchronous and streaming forms below
 * all use them, so they give the same bytes for the same input and level (deflate's output does
 * not depend on how its input is split).
 */
export const deterministicGzipLevel = 6;

/** Gzip with fixed settings (the level, no file name, zero mtime), so equal input gives equal bytes. */
export function gzipDeterministic(data: Uint8Array | string, level: number = deterministicGzipLevel): Promise<Buffer> {
    const zlib = require("zlib") as typeof import("zlib");
    return new Promise((resolve, reject) => {
        zlib.gzip(data, { level }, (error, result) => (error ? reject(error) : resolve(result)));
    });
}

/**
 * `gzipDeterministic` on the calling thread: the same bytes. For small inputs, where handing the
 * work to libuv's thread pool (a stream, its jobs and callbacks) costs more than compressing.
 */
export function gzipDeterministicSync(data: Uint8Array | string, level: number = deterministicGzipLevel): Buffer {
    const zlib = require("zlib") as typeof import("zlib");
    return zlib.gzipSync(data, { level });
}

/**
 * A gzip stream with the `gzipDeterministic` settings: the same bytes, for input that comes in
 * pieces. Its output arrives in pieces of up to 64 KB rather than zlib's default 16 KB: the
 * compressed bytes are the same, and each job on the thread pool gets through four times as
 * much input before it needs the calling thread to hand it the next piece of output space.
 */
export function createDeterministicGzip(level: number = deterministicGzipLevel): import("zlib").Gzip {
    const zlib = require("zlib") as typeof import("zlib");
    return zlib.createGzip({ level, chunkSize: 64 * 1024 });
}

/** Gunzips a whole buffer. */
export function gunzip(data: Uint8Array): Promise<Buffer> {
    const zlib = require("zlib") as typeof import("zlib");
    return new Promise((resolve, reject) => {
        zlib.gunzip(data, (error, result) => (error ? reject(error) : resolve(result)));
    });
}

/** Lower-case hex SHA-256 of the data. */
export function sha256Hex(data: Uint8Array | string): string {
    const crypto = require("crypto") as typeof import("crypto");
    return crypto.createHash("sha256").update(data).digest("hex");
}

/** True when the bytes are well-formed UTF-8 (Node's native check). */
export function isUtf8(data: Uint8Array): boolean {
    return nativeIsUtf8(data);
}

/**
 * The bytes as text when they are well-formed UTF-8, otherwise `undefined`. Decoding replaces
 * every ill-formed sequence with U+FFFD, so text without that character came from well-formed
 * bytes and needs no separate check; only text with one (rare: ill-formed input, or a U+FFFD that
 * was sent) is checked byte by byte. For ASCII text the search is free: the decoded string has
 * one-byte characters only, which cannot hold U+FFFD.
 */
export function utf8TextOf(data: Buffer): string | undefined {
    const text = data.toString("utf8");
    return text.indexOf("\ufffd") < 0 || nativeIsUtf8(data) ? text : undefined;
}

/**
 * Decodes padded base64 (what Lambda puts in event payloads); `undefined` means "not base64".
 * Node's decoder silently skips characters outside the alphabet and stops at inner padding, so
 * any such text decodes to fewer bytes than its length promises, which is what is checked here
 * (in constant time, rather than scanning the text with a pattern).
 */
export function decodeBase64Strict(text: string): Buffer | undefined {
    if (text.length % 4 !== 0) {
        return undefined;
    }
    const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
    const decoded = Buffer.from(text, "base64");
    return decoded.byteLength === (text.length / 4) * 3 - padding ? decoded : undefined;
}
