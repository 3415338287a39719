import { Readable } from "stream";
import { createInterface } from "readline";
import { DatasetDefinition, FieldDefinition } from "../datasets/types";
import { parseJsonObject } from "../ingest/json";
import { UnreadableFileError } from "./errors";

/**
 * Turning a file into rows, with well-kept parsers: `csv-parse` for CSV (header row, quoting,
 * embedded newlines, CRLF, byte-order mark), Node's line reader for JSON Lines, `hyparquet` for
 * Parquet (read by row groups through ranged reads, never the whole file in memory). Each row
 * keeps where it came from (data row number and the line it starts on) for its reject reason.
 * A problem confined to one row (a bad JSON line, a CSV row with the wrong number of columns)
 * becomes that row's `problem`; a problem with the file as a whole throws `UnreadableFileError`.
 */

/** One row of a file. */
export interface ParsedRow {
    /** 1-based data row number (a CSV header is not a row). */
    readonly row: number;
    /** 1-based line the row starts on (Parquet: the row number). */
    readonly line: number;
    /** The row as a document for the dataset's validator, when it could be read. */
    readonly document?: Record<string, unknown>;
    /** Why the row could not be read (then `document` is absent). */
    readonly problem?: { readonly errorType: "malformed_row" | "not_json" | "not_object"; readonly rule: string; readonly field: string; readonly message: string };
    /** The row as text, for the reject's payload. */
    readonly text: string;
}

/** Reads a range `[start, end)` of the file's bytes (S3 ranged GET). */
export type ReadRange = (start: number, end: number) => Promise<Uint8Array>;

// ---------------------------------------------------------------------------------------------
// CSV
// ---------------------------------------------------------------------------------------------

/**
 * Checks a CSV header against the dataset: every column must be a field of the dataset (once),
 * and every required field must have a column. Throws `UnreadableFileError("header_mismatch")`
 * naming the columns. Array fields are not allowed in CSV headers: they have no flat form.
 */
export function checkCsvHeader(header: readonly string[], dataset: DatasetDefinition): string[] {
    const names = header.map((name) => name.trim());
    const fields = new Map(dataset.fields.map((f) => [f.name, f]));
    const seen = new Set<string>();
    const unknown: string[] = [];
    const duplicate: string[] = [];
    for (const name of names) {
        if (seen.has(name)) {
            duplicate.push(name);
        }
        seen.add(name);
        const field = fields.get(name);
        if (!field || field.type === "array") {
            unknown.push(name === "" ? "(empty)" : name);
        }
    }
    const missing = dataset.fields.filter((f) => f.required && !seen.has(f.name)).map((f) => f.name);
    if (unknown.length > 0 || duplicate.length > 0 || missing.length > 0) {
        const parts = [
            ...(unknown.length > 0 ? [`unknown column(s) ${unknown.map((c) => `'${c}'`).join(", ")}`] : []),
            ...(duplicate.length > 0 ? [`repeated column(s) ${duplicate.map((c) => `'${c}'`).join(", ")}`] : []),
            ...(missing.length > 0 ? [`missing required column(s) ${missing.map((c) => `'${c}'`).join(", ")}`] : []),
        ];
        throw new UnreadableFileError(
            "header_mismatch",
            `the CSV header does not match dataset '${dataset.name}': ${parts.join("; ")}; expected columns from ${dataset.fields
                .filter((f) => f.type !== "array")
                .map((f) => f.name)
                .join(", ")} (required: ${dataset.fields
                .filter((f) => f.required)
                .map((f) => f.name)
                .join(", ")}), found ${names.map((c) => `'${c}'`).join(", ")}; fix the header row and upload the file again`,
            { line: 1 },
        );
    }
    return names;
}

/**
 * A CSV cell as the validator expects the field's value: empty cells are absent, integers and
 * doubles become numbers when their text is numeric, booleans `true`/`false`; decimals stay text
 * (the validator judges their exact digits), as do dates and timestamps. Text that does not
 * convert is passed on as is, so the validator's reject names the field and the value found.
 */
export function csvValue(field: FieldDefinition | undefined, text: string): unknown {
    if (text === "") {
        return undefined;
    }
    switch (field?.type) {
        case "int":
        case "long":
            return /^\s*[+-]?[0-9]+\s*$/.test(text) && Number.isSafeInteger(Number(text)) ? Number(text) : text;
        case "double":
            return /^\s*[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?\s*$/.test(text) ? Number(text) : text;
        case "boolean": {
            const lower = text.trim().toLowerCase();
            return lower === "true" ? true : lower === "false" ? false : text;
        }
        default:
            return text;
    }
}

const newlines = /\r\n|\n|\r/g;

function countNewlines(text: string): number {
    return (text.match(newlines) ?? []).length;
}

function leadingNewlines(text: string): number {
    const match = /^(?:\r\n|\n|\r)*/.exec(text);
    return match ? countNewlines(match[0]) : 0;
}

function csvError(error: unknown): UnreadableFileError {
    const e = error as { code?: string; message?: string; lines?: number };
    const line = typeof e.lines === "number" ? e.lines : undefined;
    return new UnreadableFileError(
        "malformed_file",
        `the CSV cannot be parsed${line !== undefined ? ` (at line ${line})` : ""}: ${e.message ?? String(error)}${e.code ? ` [${e.code}]` : ""}; expected RFC 4180 CSV (fields with commas, quotes or newlines in double quotes, quotes doubled); fix the file and upload it again`,
        { cause: error, ...(line !== undefined ? { line } : {}) },
    );
}

/** The rows of a CSV stream (already decompressed). The first record is the header, checked against the dataset. */
export async function* csvRows(input: Readable, dataset: DatasetDefinition): AsyncGenerator<ParsedRow> {
    const { parse } = require("csv-parse") as typeof import("csv-parse");
    const parser = input.pipe(parse({ bom: true, relax_column_count: true, skip_empty_lines: true, raw: true }));
    input.on("error", (error) => parser.destroy(error));
    const fields = new Map(dataset.fields.map((f) => [f.name, f]));
    let header: string[] | undefined;
    let linesBefore = 0;
    let row = 0;
    try {
        for await (const item of parser as AsyncIterable<{ record: string[]; raw: string }>) {
            const line = linesBefore + leadingNewlines(item.raw) + 1;
            linesBefore += countNewlines(item.raw);
            if (header === undefined) {
                header = checkCsvHeader(item.record, dataset);
                continue;
            }
            row += 1;
            const text = item.raw.replace(/^(?:\r\n|\n|\r)+/, "").replace(/(?:\r\n|\n|\r)$/, "");
            if (item.record.length !== header.length) {
                yield {
                    row,
                    line,
                    text,
                    problem: {
                        errorType: "malformed_row",
                        rule: "column_count",
                        field: "$",
                        message: `expected ${header.length} columns (${header.join(", ")}), found ${item.record.length}; every row needs one value per header column (empty for none)`,
                    },
                };
                continue;
            }
            const document: Record<string, unknown> = {};
            header.forEach((name, i) => {
                const value = csvValue(fields.get(name), item.record[i] as string);
                if (value !== undefined) {
                    document[name] = value;
                }
            });
            yield { row, line, text, document };
        }
    } catch (error) {
        throw error instanceof UnreadableFileError ? error : csvError(error);
    }
    if (header === undefined) {
        throw new UnreadableFileError("empty_file", `the CSV has no header row; expected a header naming the columns (${dataset.fields.map((f) => f.name).join(", ")}); add it and upload the file again`);
    }
}

// ---------------------------------------------------------------------------------------------
// JSON Lines
// ---------------------------------------------------------------------------------------------

/** The rows of a JSON Lines stream (already decompressed): one JSON object per non-blank line. */
export async function* jsonLinesRows(input: Readable): AsyncGenerator<ParsedRow> {
    const lines = createInterface({ input, crlfDelay: Infinity });
    let line = 0;
    let row = 0;
    for await (const raw of lines) {
        line += 1;
        const text = line === 1 ? raw.replace(/^\uFEFF/, "") : raw;
        if (text.trim() === "") {
            continue;
        }
        row += 1;
        const parsed = parseJsonObject(text);
        if ("document" in parsed) {
            yield { row, line, text, document: parsed.document };
        } else {
            const v = parsed.violation;
            const errorType = v.errorType === "not_object" ? "not_object" : "not_json";
            yield { row, line, text, problem: { errorType, rule: v.rule, field: v.field, message: v.message } };
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Parquet
// ---------------------------------------------------------------------------------------------

/** A Parquet value as the validator expects it for the field. */
export function parquetValue(field: FieldDefinition | undefined, value: unknown): unknown {
    if (value === null || value === undefined) {
        return undefined;
    }
    if (typeof value === "bigint") {
        return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
    }
    if (value instanceof Date) {
        return field?.type === "date" ? value.toISOString().slice(0, 10) : value.toISOString();
    }
    if (value instanceof Uint8Array) {
        return Buffer.from(value).toString("utf8");
    }
    if (Array.isArray(value) && field?.type === "array") {
        return value.map((item) => {
            if (typeof item !== "object" || item === null) {
                return item;
            }
            const out: Record<string, unknown> = {};
            for (const [name, member] of Object.entries(item as Record<string, unknown>)) {
                const converted = parquetValue(field.items.find((f) => f.name === name), member);
                if (converted !== undefined) {
                    out[name] = converted;
                }
            }
            return out;
        });
    }
    return value;
}

/** Rows read from a Parquet file at a time: one slice in memory, whatever the file's size. */
export const parquetSliceRows = 10_000;

function renderRow(document: Record<string, unknown>): string {
    return JSON.stringify(document, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value));
}

/** The rows of a Parquet file of `size` bytes, read with ranged reads. */
export async function* parquetRows(size: number, readRange: ReadRange, dataset: DatasetDefinition): AsyncGenerator<ParsedRow> {
    const hyparquet = require("hyparquet") as typeof import("hyparquet");
    const file = {
        byteLength: size,
        slice: async (start: number, end?: number): Promise<ArrayBuffer> => {
            const bytes = await readRange(start, end ?? size);
            return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
        },
    };
    let metadata;
    try {
        metadata = await hyparquet.parquetMetadataAsync(file);
    } catch (error) {
        throw new UnreadableFileError("malformed_file", `the Parquet file cannot be read: ${(error as Error).message}; expected a Parquet file with a valid footer; write it again with a Parquet library`, { cause: error });
    }
    const total = Number(metadata.num_rows);
    const fields = new Map(dataset.fields.map((f) => [f.name, f]));
    for (let start = 0; start < total; start += parquetSliceRows) {
        const end = Math.min(total, start + parquetSliceRows);
        let records: Record<string, unknown>[];
        try {
            records = (await hyparquet.parquetReadObjects({ file, metadata, rowStart: start, rowEnd: end })) as Record<string, unknown>[];
        } catch (error) {
            throw new UnreadableFileError("malformed_file", `the Parquet file cannot be read at rows ${start + 1}-${end}: ${(error as Error).message}; write it again with a Parquet library`, { cause: error });
        }
        for (let i = 0; i < records.length; i += 1) {
            const source = records[i] as Record<string, unknown>;
            const document: Record<string, unknown> = {};
            for (const [name, value] of Object.entries(source)) {
                const converted = parquetValue(fields.get(name), value);
                if (converted !== undefined) {
                    document[name] = converted;
                }
            }
            const row = start + i + 1;
            yield { row, line: row, text: renderRow(document), document };
        }
    }
}
