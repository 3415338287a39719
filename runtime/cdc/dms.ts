import { CdcError } from "./errors";

/**
 * The change files AWS DMS writes to an S3 target, as this platform configures the endpoint
 * (`dmsS3Settings`): CSV with a header row, one file per batch of changes, under
 * `<bucketFolder>/<schema>/<table>/`. Full-load files are `LOAD00000001.csv`, ...; ongoing changes
 * are `<yyyymmdd-hhmmssnnn>.csv`. Each row is
 *
 *   Op, <commit timestamp>, <the table's columns...>, <change sequence>
 *
 * - `Op` is I, U or D (`IncludeOpForFullLoad` makes full-load rows carry I as well);
 * - the commit timestamp column (`TimestampColumnName`) is `yyyy-MM-dd HH:mm:ss.SSSSSS`, UTC: the
 *   source commit time for changes, the transfer time for the full load;
 * - the change sequence is DMS's `AR_H_CHANGE_SEQ` header, added by a table-mapping
 *   transformation; it increases with the source log position and orders changes within one
 *   transaction, where commit timestamps tie;
 * - `CdcInsertsAndUpdates` stays false: deletes must reach the lake;
 * - NULL is written as `CsvNullValue` so it differs from the empty string.
 *
 * The parser reads columns by header name, so column order is not part of the contract.
 */

export const dmsOpColumn = "Op";
export const dmsTimestampColumn = "dms_commit_ts";
export const dmsChangeSeqColumn = "dms_change_seq";
export const dmsNullValue = "\\N";

/** Digits of a change sequence: 20 for the log position, 15 for the position within the transaction (as `AR_H_CHANGE_SEQ`'s 35). */
export const changeSeqDigits = 35;

export type DmsOp = "I" | "U" | "D";

/** One row of a DMS change file. `values` maps source column names to their text, `null` for NULL. */
export interface DmsChangeRow {
    readonly op: DmsOp;
    /** `yyyy-MM-dd HH:mm:ss.SSSSSS` (UTC). */
    readonly commitTimestamp: string;
    readonly changeSeq: string;
    readonly values: Readonly<Record<string, string | null>>;
}

/** The S3 endpoint settings that produce the format above (see infra/databases). */
export const dmsS3Settings = {
    dataFormat: "csv",
    addColumnName: true,
    includeOpForFullLoad: true,
    cdcInsertsAndUpdates: false,
    cdcInsertsOnly: false,
    timestampColumnName: dmsTimestampColumn,
    csvNullValue: dmsNullValue,
    csvDelimiter: ",",
    csvRowDelimiter: "\\n",
} as const;

/** The table-mapping rule that adds the change sequence column to every captured table. */
export function changeSeqTransformationRule(ruleId: string, schema: string, table: string): Record<string, unknown> {
    return {
        "rule-type": "transformation",
        "rule-id": ruleId,
        "rule-name": `${schema}-${table}-change-seq`,
        "rule-target": "column",
        "object-locator": { "schema-name": schema, "table-name": table },
        "rule-action": "add-column",
        value: dmsChangeSeqColumn,
        expression: "$AR_H_CHANGE_SEQ",
        "data-type": { type: "string", length: changeSeqDigits },
    };
}

/** A change sequence from a log position (an unsigned 64-bit number) and the change's index in its transaction. */
export function changeSeq(logPosition: bigint, index: number): string {
    if (logPosition < 0n || index < 0 || !Number.isInteger(index)) {
        throw new CdcError(`change sequence needs a non-negative log position and index; found ${logPosition} and ${index}`);
    }
    return `${logPosition.toString().padStart(20, "0")}${String(index).padStart(15, "0")}`;
}

/** A PostgreSQL LSN (`16/B374D848`) as a number. */
export function lsnToBigInt(lsn: string): bigint {
    const match = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(lsn);
    if (!match) {
        throw new CdcError(`'${lsn}' is not a PostgreSQL LSN; expected two hexadecimal numbers separated by '/', e.g. 16/B374D848`);
    }
    return (BigInt(`0x${match[1]}`) << 32n) + BigInt(`0x${match[2]}`);
}

/** An instant as DMS writes it: `yyyy-MM-dd HH:mm:ss.SSSSSS`, UTC, from ISO text with up to microseconds. */
export function dmsTimestamp(isoOrPostgres: string): string {
    const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?(Z|[+-]\d{2}(?::?\d{2})?)?$/.exec(isoOrPostgres.trim());
    if (!match) {
        throw new CdcError(`'${isoOrPostgres}' is not a timestamp; expected yyyy-MM-dd HH:mm:ss[.ffffff][zone]`);
    }
    const [, day, time, fraction = "", zone = "Z"] = match;
    const micros = fraction.padEnd(6, "0");
    if (zone === "Z" || /^[+-]00(:?00)?$/.test(zone)) {
        return `${day} ${time}.${micros}`;
    }
    // Another offset: shift to UTC through milliseconds, keeping the microsecond digits.
    const normalizedZone = zone.length === 3 ? `${zone}:00` : zone.includes(":") ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
    const utc = new Date(`${day}T${time}.${micros.slice(0, 3)}${normalizedZone}`).toISOString();
    return `${utc.slice(0, 10)} ${utc.slice(11, 19)}.${micros}`;
}

/** `yyyy-MM-dd HH:mm:ss.SSSSSS` (UTC) as ISO-8601 with a zone, keeping the microseconds. */
export function dmsTimestampToIso(text: string, where: string): string {
    const match = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?$/.exec(text);
    if (!match) {
        throw new CdcError(`${where}: '${text}' is not a DMS timestamp; expected yyyy-MM-dd HH:mm:ss.SSSSSS (UTC)`);
    }
    return `${match[1]}T${match[2]}.${(match[3] ?? "").padEnd(6, "0")}Z`;
}

function csvField(value: string | null): string {
    if (value === null) {
        return dmsNullValue;
    }
    // Quoted when it could be misread: delimiter, quote, line breaks, or text equal to the NULL marker.
    return /[",\r\n]/.test(value) || value === dmsNullValue ? `"${value.replace(/"/g, '""')}"` : value;
}

/** A change file: the header, then one line per row; `columns` are the table's columns in source order. */
export function renderDmsCsv(columns: readonly string[], rows: readonly DmsChangeRow[]): string {
    const header = [dmsOpColumn, dmsTimestampColumn, ...columns, dmsChangeSeqColumn];
    const lines = [header.join(",")];
    for (const row of rows) {
        // Op, timestamp and sequence never need quoting.
        lines.push([row.op, row.commitTimestamp, ...columns.map((column) => csvField(row.values[column] ?? null)), row.changeSeq].join(","));
    }
    return `${lines.join("\n")}\n`;
}

/** Splits CSV text into rows of fields; a quoted `\N` is the text, an unquoted one is NULL. */
function splitCsv(text: string, file: string): (string | null)[][] {
    const rows: (string | null)[][] = [];
    let row: (string | null)[] = [];
    let field = "";
    let quoted = false;
    let wasQuoted = false;
    let index = 0;
    const endField = () => {
        row.push(!wasQuoted && field === dmsNullValue ? null : field);
        field = "";
        wasQuoted = false;
    };
    while (index < text.length) {
        const char = text[index] as string;
        if (quoted) {
            if (char === '"') {
                if (text[index + 1] === '"') {
                    field += '"';
                    index += 2;
                    continue;
                }
                quoted = false;
            } else {
                field += char;
            }
            index++;
            continue;
        }
        if (char === '"' && field === "") {
            quoted = true;
            wasQuoted = true;
        } else if (char === ",") {
            endField();
        } else if (char === "\n" || char === "\r") {
            if (char === "\r" && text[index + 1] === "\n") {
                index++;
            }
            endField();
            rows.push(row);
            row = [];
        } else {
            field += char;
        }
        index++;
    }
    if (quoted) {
        throw new CdcError(`change file ${file}: a quoted field is not closed at the end of the file; the file is truncated or not DMS CSV`);
    }
    if (field !== "" || wasQuoted || row.length > 0) {
        endField();
        rows.push(row);
    }
    return rows;
}

export interface ParsedDmsFile {
    /** The table's columns, in file order (without Op, timestamp and sequence). */
    readonly columns: readonly string[];
    /** Rows that parsed, with their 1-based line number. */
    readonly rows: readonly { readonly line: number; readonly row: DmsChangeRow }[];
    /** Rows that could not be read as a change, with the reason. */
    readonly broken: readonly { readonly line: number; readonly reason: string; readonly text: string }[];
}

/**
 * Reads a change file. A file without the header columns this platform configures is refused as a
 * whole (the endpoint is misconfigured: nothing can be trusted); a single bad row is reported in
 * `broken` and the others are read.
 */
export function parseDmsCsv(text: string, file: string): ParsedDmsFile {
    const all = splitCsv(text, file);
    const header = all[0];
    if (!header) {
        throw new CdcError(`change file ${file} is empty; expected a header row (${dmsOpColumn},${dmsTimestampColumn},...,${dmsChangeSeqColumn}): set AddColumnName=true on the DMS S3 endpoint`);
    }
    for (const required of [dmsOpColumn, dmsTimestampColumn, dmsChangeSeqColumn]) {
        if (!header.includes(required)) {
            throw new CdcError(
                `change file ${file}: header has no '${required}' column (found ${header.join(",")}); ` +
                    `configure the DMS S3 endpoint with IncludeOpForFullLoad, TimestampColumnName=${dmsTimestampColumn}, AddColumnName and the ${dmsChangeSeqColumn} transformation`,
            );
        }
    }
    const names = header.map(String);
    const columns = names.filter((name) => name !== dmsOpColumn && name !== dmsTimestampColumn && name !== dmsChangeSeqColumn);
    const rows: { line: number; row: DmsChangeRow }[] = [];
    const broken: { line: number; reason: string; text: string }[] = [];
    all.slice(1).forEach((fields, offset) => {
        const line = offset + 2;
        const text = fields.map((f) => (f === null ? dmsNullValue : f)).join(",");
        if (fields.length !== names.length) {
            broken.push({ line, reason: `has ${fields.length} fields; the header has ${names.length}`, text });
            return;
        }
        const byName: Record<string, string | null> = {};
        names.forEach((name, i) => (byName[name] = fields[i] ?? null));
        const op = byName[dmsOpColumn];
        if (op !== "I" && op !== "U" && op !== "D") {
            broken.push({ line, reason: `${dmsOpColumn} is '${String(op)}'; expected I, U or D`, text });
            return;
        }
        const seq = byName[dmsChangeSeqColumn];
        if (seq === null || seq === undefined || !/^\d{1,35}$/.test(seq)) {
            broken.push({ line, reason: `${dmsChangeSeqColumn} is '${String(seq)}'; expected up to ${changeSeqDigits} digits`, text });
            return;
        }
        const ts = byName[dmsTimestampColumn];
        if (ts === null || ts === undefined || !/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?$/.test(ts)) {
            broken.push({ line, reason: `${dmsTimestampColumn} is '${String(ts)}'; expected yyyy-MM-dd HH:mm:ss.SSSSSS`, text });
            return;
        }
        const values: Record<string, string | null> = {};
        columns.forEach((column) => (values[column] = byName[column] ?? null));
        rows.push({ line, row: { op, commitTimestamp: ts, changeSeq: seq.padStart(changeSeqDigits, "0"), values } });
    });
    return { columns, rows, broken };
}
