import { UnreadableFileError } from "./errors";
import { DetectedFormat, FileFormat } from "./types";

/** Extensions of each format (after an optional `.gz`). */
export const formatExtensions: Readonly<Record<FileFormat, readonly string[]>> = {
    csv: [".csv"],
    jsonl: [".jsonl", ".ndjson"],
    parquet: [".parquet"],
};

const gzipMagic = [0x1f, 0x8b];
const parquetMagic = [0x50, 0x41, 0x52, 0x31]; // "PAR1"

/** Bytes `detectFormat` needs from the start of the file. */
export const sniffBytes = 4;

function startsWith(bytes: Uint8Array, magic: readonly number[]): boolean {
    return magic.every((byte, i) => bytes[i] === byte);
}

function formatOfName(name: string): { format?: FileFormat; gzip: boolean } {
    const lower = name.toLowerCase();
    const gzip = lower.endsWith(".gz");
    const stem = gzip ? lower.slice(0, -3) : lower;
    const format = (Object.keys(formatExtensions) as FileFormat[]).find((candidate) => formatExtensions[candidate].some((ext) => stem.endsWith(ext)));
    return format ? { format, gzip } : { gzip };
}

/**
 * The format of a file, from its name and its first bytes: the extension says what the partner
 * meant (`.csv`, `.jsonl`/`.ndjson`, `.parquet`, each but Parquet optionally `.gz`), the content
 * must agree (gzip magic for `.gz`, `PAR1` for Parquet, neither for plain text). A file without a
 * known extension is Parquet when it starts with `PAR1`; anything else is unknown, since CSV and
 * JSON Lines cannot be told apart reliably. Throws `UnreadableFileError` (the file is quarantined)
 * when the format is unknown, not allowed by the drop, or contradicts the content.
 */
export function detectFormat(key: string, head: Uint8Array, allowed: readonly FileFormat[]): DetectedFormat {
    if (head.length === 0) {
        throw new UnreadableFileError("empty_file", `the file is empty (0 bytes); expected a ${allowed.join(", ")} file with at least a header or one row; upload the file again with its content`);
    }
    const named = formatOfName(key);
    const isGzip = startsWith(head, gzipMagic);
    const isParquet = startsWith(head, parquetMagic);
    let detected: DetectedFormat;
    if (named.format === undefined) {
        if (isParquet && !named.gzip) {
            detected = { format: "parquet", gzip: false };
        } else {
            const known = Object.values(formatExtensions).flat().join(", ");
            throw new UnreadableFileError(
                "unknown_format",
                `cannot tell the format of '${key}': expected a name ending in one of ${known} (optionally .gz for CSV and JSON Lines), found neither a known extension nor Parquet content; rename the file with its format's extension`,
            );
        }
    } else {
        detected = { format: named.format, gzip: named.gzip };
        if (named.gzip !== isGzip) {
            throw new UnreadableFileError(
                "content_mismatch",
                named.gzip ? `'${key}' ends in .gz but is not gzip-compressed; expected gzip content (bytes 1f 8b); compress it with gzip or drop the .gz` : `'${key}' is gzip-compressed but its name does not end in .gz; expected plain ${named.format}; add .gz to the name`,
            );
        }
        if (named.format === "parquet" && (named.gzip || !isParquet)) {
            throw new UnreadableFileError("content_mismatch", `'${key}' is named as Parquet but does not start with the Parquet magic bytes PAR1${named.gzip ? " (Parquet files are compressed inside, never gzip as a whole)" : ""}; upload a Parquet file or rename it with its real format`);
        }
        if (named.format !== "parquet" && isParquet) {
            throw new UnreadableFileError("content_mismatch", `'${key}' is named as ${named.format} but holds Parquet content (starts with PAR1); rename it to .parquet`);
        }
    }
    if (!allowed.includes(detected.format)) {
        throw new UnreadableFileError("format_not_allowed", `'${key}' is ${detected.format}, which this drop does not accept; expected one of ${allowed.join(", ")}; convert the file or add ${detected.format} to the drop's formats`);
    }
    return detected;
}
