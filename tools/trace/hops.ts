import { gunzipSync } from "zlib";
import { curatedProvenanceFields, DatasetDefinition, provenanceColumns } from "../../runtime/datasets";
import { ingestMetadataField } from "../../runtime/ingest/classify";
import { compileValidator } from "../../runtime/ingest/validate";

/**
 * The pure steps of a trace: reading a row's provenance, finding its record in a raw object,
 * decoding an API window, and checking that what the source holds is what landed. The I/O that
 * feeds them lives in `local.ts`.
 */

/** The provenance columns of a curated or warehouse row, as text (null when the source has none). */
export type Provenance = Readonly<Record<string, string | null>>;

/** The provenance of a row (any object with the provenance columns); numbers and bigints become text. */
export function provenanceOf(row: Readonly<Record<string, unknown>>): Provenance {
    const out: Record<string, string | null> = {};
    for (const field of curatedProvenanceFields()) {
        const value = row[field.name];
        out[field.name] = value === null || value === undefined ? null : String(value);
    }
    return out;
}

/** The provenance columns on which two rows differ (empty when they carry the same provenance). */
export function provenanceDifferences(left: Provenance, right: Provenance): string[] {
    return curatedProvenanceFields()
        .map((field) => field.name)
        .filter((name) => left[name] !== right[name]);
}

/** A record found in a raw object: its 1-based line and the parsed record. */
export interface RawHit {
    readonly line: number;
    readonly record: Record<string, unknown>;
}

/**
 * The record of a raw object (gzip NDJSON, or its text) that the provenance points at: for change data
 * capture the line whose `cdc_change_seq` is the position; otherwise the line whose `_ingest` has the
 * same partition and position. Null when no line matches.
 */
export function findRawRecord(dataset: DatasetDefinition, object: Buffer | string, provenance: Provenance): RawHit | null {
    const text = typeof object === "string" ? object : gunzipSync(object).toString("utf8");
    const lines = text.split("\n");
    for (let index = 0; index < lines.length; index += 1) {
        const line = lines[index] as string;
        if (line.trim() === "") {
            continue;
        }
        const record = JSON.parse(line) as Record<string, unknown>;
        if (dataset.source === "database") {
            if (record.cdc_change_seq === provenance[provenanceColumns.position]) {
                return { line: index + 1, record };
            }
            continue;
        }
        const ingest = record[ingestMetadataField] as Record<string, unknown> | undefined;
        if (ingest && String(ingest.partition) === provenance[provenanceColumns.partition] && String(ingest.position) === provenance[provenanceColumns.position]) {
            return { line: index + 1, record };
        }
    }
    return null;
}

/** The business fields of a raw record (its `_ingest` or `cdc_*` metadata left out), in definition order. */
export function businessFields(dataset: DatasetDefinition, record: Readonly<Record<string, unknown>>): Record<string, unknown> {
    return Object.fromEntries(dataset.fields.filter((field) => field.name in record).map((field) => [field.name, record[field.name]]));
}

/** The key of a record as `column=value` text. */
export function recordKey(dataset: DatasetDefinition, record: Readonly<Record<string, unknown>>): string {
    return dataset.key.map((column) => `${column}=${String(record[column])}`).join(",");
}

/**
 * Whether a record the source holds (what the producer sent, as the source returns it) is the raw
 * record: the dataset's validator normalises it exactly as ingest did, and every business field
 * must then be equal. Returns the fields that differ (empty: it matches).
 */
export function sourceDifferences(dataset: DatasetDefinition, sent: unknown, raw: Readonly<Record<string, unknown>>): string[] {
    const result = compileValidator(dataset).validate(sent, { referenceTimeMs: null });
    if (!result.ok) {
        return [`the source record does not validate: ${result.violations.map((v) => v.message).join("; ")}`];
    }
    const landed = businessFields(dataset, raw);
    const normalised = businessFields(dataset, result.record);
    const names = new Set([...Object.keys(landed), ...Object.keys(normalised)]);
    return [...names].filter((name) => JSON.stringify(landed[name]) !== JSON.stringify(normalised[name])).map((name) => `${name}: source ${JSON.stringify(normalised[name])}, raw ${JSON.stringify(landed[name])}`);
}

/** An API window id (`20240503T000000Z-20240504T000000Z`, see runtime/connectors/api/layout.ts) as ISO start and end. */
export function apiWindow(id: string): { readonly start: string; readonly end: string } | null {
    const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(id);
    if (!match) {
        return null;
    }
    const [, y1, m1, d1, h1, i1, s1, y2, m2, d2, h2, i2, s2] = match;
    return { start: `${y1}-${m1}-${d1}T${h1}:${i1}:${s1}Z`, end: `${y2}-${m2}-${d2}T${h2}:${i2}:${s2}Z` };
}

/** One step of a trace, as printed: where, what was found, and the details. */
export interface TraceHop {
    readonly hop: "warehouse" | "load" | "curated" | "raw" | "source";
    readonly where: string;
    readonly summary: string;
    readonly details: Readonly<Record<string, unknown>>;
}

/** The text form of a trace: one block per hop, then the deployed-stack SQL. */
export function formatTrace(dataset: string, key: string, hops: readonly TraceHop[], sql: { readonly athena: string; readonly redshift: string }, stack: string): string {
    const lines = [`trace ${dataset} ${key} (local platform)`];
    hops.forEach((hop, index) => {
        lines.push(`${index + 1}. ${hop.hop}: ${hop.where}`, `   ${hop.summary}`);
        for (const [name, value] of Object.entries(hop.details)) {
            lines.push(`   ${name}: ${typeof value === "string" ? value : JSON.stringify(value)}`);
        }
    });
    lines.push("", `on the deployed stack '${stack}', Athena:`, sql.athena, "", "Redshift:", sql.redshift, "");
    return lines.join("\n");
}
