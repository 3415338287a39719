import { ObjectStore } from "../common/objectStore";
import { DatasetDefinition, ScalarField } from "../datasets";
import { rejectVerdict } from "../ingest/classify";
import { rawObjectKey, rejectObjectKey } from "../ingest/layout";
import { hourPartition } from "../ingest/time";
import { RejectErrorType, Violation } from "../ingest/types";
import { compileValidator } from "../ingest/validate";
import { ObjectWriteResult, writeObject } from "../ingest/write";
import { DmsChangeRow, dmsTimestampToIso, parseDmsCsv } from "./dms";
import { CdcError } from "./errors";

/**
 * Lands one DMS change file in the lake with the stream path's contract:
 *
 * - every row is validated against the dataset (types, rules; deletes need only a valid key);
 * - valid rows go to the raw zone as NDJSON.gz, one object per commit hour, under a key derived
 *   from the change file's name, written with a conditional create (`writeObject`): landing the
 *   same file again writes nothing new;
 * - invalid rows go to the rejects zone with every broken rule, the file and line they came from
 *   and the row's text;
 * - rows in = landed + rejected, reported per file.
 *
 * A raw CDC record is the dataset's fields (definition order, normalised by the validator) plus
 * `cdc_op` (I/U/D), `cdc_commit_ts` (ISO, microseconds), `cdc_change_seq` (35 digits; the order
 * of changes) and `cdc_source` (`<file>#<line>`). Source columns the dataset does not declare
 * (a column added at the source) are left out and reported in `undeclaredColumns`.
 */

export const cdcMetadataColumns = ["cdc_op", "cdc_commit_ts", "cdc_change_seq", "cdc_source"] as const;

export interface LandTargets {
    readonly store: ObjectStore;
    readonly rawBucket: string;
    readonly rejectsBucket: string;
}

export interface LandResult {
    readonly file: string;
    readonly rowsIn: number;
    readonly landed: number;
    readonly rejected: number;
    readonly undeclaredColumns: readonly string[];
    readonly objects: readonly ObjectWriteResult[];
}

/** The object name of a change file's records: `dms+<schema>.<table>+<file stem>`. */
export function cdcObjectName(fileKey: string): string {
    const parts = fileKey.split("/");
    const file = (parts.pop() ?? "").replace(/\.csv$/, "");
    const table = parts.pop();
    const schema = parts.pop();
    if (!file || !table || !schema) {
        throw new CdcError(`change file key '${fileKey}' is not <folder>/<schema>/<table>/<file>.csv as DMS writes it`);
    }
    return `dms+${schema}.${table}+${file}`;
}

/** A CSV text as the JSON value the validator expects for the field's type; a bad number stays text so the validator names it. */
function typedValue(field: ScalarField, text: string | null): unknown {
    if (text === null) return null;
    switch (field.type) {
        case "int":
        case "long":
        case "double": {
            const number = Number(text);
            return text.trim() !== "" && Number.isFinite(number) ? number : text;
        }
        case "boolean":
            return ["t", "true", "1"].includes(text.toLowerCase()) ? true : ["f", "false", "0"].includes(text.toLowerCase()) ? false : text;
        case "timestamp":
            return /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?$/.test(text) ? dmsTimestampToIso(text, field.name) : text;
        default:
            return text;
    }
}

interface Classified {
    readonly zone: "raw" | "rejects";
    readonly errorType?: RejectErrorType;
    readonly partitionMs: number;
    readonly line: string;
}

/** Lands the change file `fileKey` from `dmsBucket`. Throws when the file cannot be read as a DMS change file at all. */
export async function landChangeFile(dataset: DatasetDefinition, dmsBucket: string, fileKey: string, targets: LandTargets): Promise<LandResult> {
    const bytes = await targets.store.getObject(dmsBucket, fileKey);
    if (bytes === undefined) {
        throw new CdcError(`change file s3://${dmsBucket}/${fileKey} does not exist; it may have been moved, or the event names another bucket`);
    }
    const parsed = parseDmsCsv(Buffer.from(bytes).toString("utf8"), fileKey);
    const validator = compileValidator(dataset);
    const declared = new Set(dataset.fields.map((field) => field.name));
    const missingKey = dataset.key.filter((column) => !parsed.columns.includes(column));
    if (missingKey.length > 0) {
        throw new CdcError(`change file ${fileKey} has no key column(s) ${missingKey.join(", ")} of dataset '${dataset.name}' (columns: ${parsed.columns.join(", ")}); map the table to the right dataset`);
    }
    const undeclaredColumns = parsed.columns.filter((column) => !declared.has(column));
    const scalarFields = dataset.fields.filter((field): field is ScalarField => field.type !== "array");
    const classified: Classified[] = [];
    const source = (line: number) => `${fileKey}#${line}`;

    const rejectLine = (line: number, commitMs: number, violations: readonly Violation[], text: string): Classified => {
        const first = violations[0] as Violation;
        return {
            zone: "rejects",
            errorType: first.errorType,
            partitionMs: commitMs,
            line: JSON.stringify({
                ...rejectVerdict(dataset, violations),
                engine: "dms",
                source: source(line),
                payload_text: text,
            }),
        };
    };

    for (const broken of parsed.broken) {
        classified.push(
            rejectLine(broken.line, Number.NaN, [{ errorType: "type_mismatch", rule: "dms_row", field: "", message: `change file row ${broken.reason}` }], broken.text),
        );
    }
    for (const { line, row } of parsed.rows) {
        const commitTs = dmsTimestampToIso(row.commitTimestamp, `${fileKey} line ${line}`);
        const commitMs = Date.parse(commitTs);
        const document: Record<string, unknown> = {};
        for (const field of scalarFields) {
            document[field.name] = typedValue(field, row.values[field.name] ?? null);
        }
        const text = JSON.stringify({ op: row.op, commit_ts: row.commitTimestamp, change_seq: row.changeSeq, values: row.values });
        const result = validator.validate(document, { referenceTimeMs: null });
        let record: Record<string, unknown>;
        if (result.ok) {
            record = result.record;
        } else if (row.op === "D" && result.violations.every((v) => !dataset.key.includes(v.field.split(/[.[]/)[0] as string))) {
            // A delete carries the key only (the source's replica identity); the other fields are not judged.
            record = Object.fromEntries(dataset.fields.map((field) => [field.name, dataset.key.includes(field.name) ? document[field.name] : null]));
        } else {
            classified.push(rejectLine(line, commitMs, result.violations, text));
            continue;
        }
        classified.push({
            zone: "raw",
            partitionMs: commitMs,
            line: JSON.stringify({ ...record, cdc_op: row.op, cdc_commit_ts: commitTs, cdc_change_seq: row.changeSeq, cdc_source: source(line) }),
        });
    }

    // Group into objects: raw by commit hour; rejects by error type and hour (unknown hour for unreadable rows).
    const objectName = cdcObjectName(fileKey);
    const groups = new Map<string, { zone: "raw" | "rejects"; key: string; lines: string[] }>();
    for (const item of classified) {
        const partition = Number.isNaN(item.partitionMs) ? { dt: "unknown", hour: "unknown" } : hourPartition(item.partitionMs);
        const key = item.zone === "raw" ? rawObjectKey(dataset.name, partition, objectName) : rejectObjectKey(dataset.name, item.errorType as RejectErrorType, partition, objectName);
        const group = groups.get(`${item.zone}:${key}`) ?? { zone: item.zone, key, lines: [] };
        group.lines.push(item.line);
        groups.set(`${item.zone}:${key}`, group);
    }
    const objects: ObjectWriteResult[] = [];
    for (const group of groups.values()) {
        objects.push(
            await writeObject(
                { zone: group.zone, key: group.key, lines: group.lines, firstPosition: `${fileKey}#first`, lastPosition: `${fileKey}#last` },
                { store: targets.store, rawBucket: targets.rawBucket, rejectsBucket: targets.rejectsBucket, concurrency: 1 },
            ),
        );
    }
    const landed = classified.filter((item) => item.zone === "raw").length;
    const rejected = classified.length - landed;
    const rowsIn = parsed.rows.length + parsed.broken.length;
    if (landed + rejected !== rowsIn) {
        throw new CdcError(`change file ${fileKey}: ${rowsIn} rows in but ${landed} landed and ${rejected} rejected; this is a bug in the landing step`);
    }
    return { file: fileKey, rowsIn, landed, rejected, undeclaredColumns, objects };
}

/** Lands every change file under `prefix` (full-load files first, then changes, in name order). */
export async function landChangeFiles(dataset: DatasetDefinition, dmsBucket: string, prefix: string, targets: LandTargets): Promise<LandResult[]> {
    const keys = (await targets.store.listKeys(dmsBucket, prefix)).filter((key) => key.endsWith(".csv"));
    const load = keys.filter((key) => /\/LOAD\d+\.csv$/.test(key));
    const changes = keys.filter((key) => !/\/LOAD\d+\.csv$/.test(key));
    const results: LandResult[] = [];
    for (const key of [...load, ...changes]) {
        results.push(await landChangeFile(dataset, dmsBucket, key, targets));
    }
    return results;
}

export type { DmsChangeRow };
