/**
 * Byte-level helpers with deterministic output. Node built-ins are loaded with `require()` inside
 * each function so code that uses them can be captured by Pulumi's closure serialization.
 */

/** Gzip with fixed settings (level 6, no file name, zero mtime), so equal input gives equal bytes. */
export function gzipDeterministic(data: Uint8Array | string): Promise<Buffer> {
    const zlib = require("zlib") as typeof import("zlib");
    return new Promise((resolve, reject) => {
        zlib.gzip(data, { level: 6 }, (error, result) => (error ? reject(error) : resolve(result)));
    });
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

/** True when the bytes are well-formed UTF-8 (decoding and re-encoding gives the same bytes). */
export function isUtf8(data: Uint8Array): boolean {
    const buffer = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    return Buffer.from(buffer.toString("utf8"), "utf8").equals(buffer);
}

const base64Pattern = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Decodes canonical, padded base64 (what Lambda puts in event payloads). Node's decoder silently
 * skips invalid characters, so the text is checked first; `undefined` means "not base64".
 */
export function decodeBase64Strict(text: string): Buffer | undefined {
    if (text.length % 4 !== 0 || !base64Pattern.test(text)) {
        return undefined;
    }
    return Buffer.from(text, "base64");
}
