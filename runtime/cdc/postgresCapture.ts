import type { Client, ClientConfig } from "pg";
import { ObjectStore } from "../common/objectStore";
import { DatasetDefinition, ScalarType } from "../datasets";
import { changeSeq, DmsChangeRow, dmsTimestamp, lsnToBigInt, renderDmsCsv } from "./dms";
import { CdcError } from "./errors";
import { DecodedColumn, parseTestDecodingLine } from "./testDecoding";

/**
 * Change data capture from PostgreSQL with logical decoding, writing exactly the change files the
 * deployed path's DMS S3 endpoint writes (./dms.ts), so everything downstream (landing, the Spark
 * apply, the warehouse MERGE) runs on the same input here as in AWS.
 *
 * - Full load: the slot is created on a replication connection inside a REPEATABLE READ
 *   transaction with `SNAPSHOT 'use'`, and the tables are read in that same snapshot, so the full
 *   load and the first decoded change meet exactly: no gap, no duplicate. Full-load rows carry the
 *   slot's consistent point as their sequence, which every later commit exceeds. A marker object
 *   records that the full load finished; a slot without it (a crash half-way) is dropped and the
 *   full load redone.
 * - Changes: `pg_logical_slot_peek_changes` with `test_decoding` (shipped with the server), whole
 *   transactions at a time; one file per table per batch, written before the slot is advanced past
 *   the batch, so a crash between the two re-reads the same changes into the same file name.
 * - A primary-key update becomes a delete of the old key and an insert of the new row, at the same
 *   commit, in that order.
 * - Before anything is written, each captured column's source type is checked against the
 *   dataset's field type; a mismatch (a type change at the source) stops the capture with the
 *   table, column, both types and the fix, and the slot stays where it was.
 */

export interface CapturedTable {
    readonly schema: string;
    readonly table: string;
    readonly dataset: DatasetDefinition;
}

export interface PostgresCaptureConfig {
    /** `postgres://user@host:port/database`. */
    readonly connectionString: string;
    /** Replication slot name (lower case, digits, underscores). */
    readonly slot: string;
    readonly tables: readonly CapturedTable[];
    readonly store: ObjectStore;
    /** Bucket and folder the change files go to (DMS's BucketName and BucketFolder). */
    readonly bucket: string;
    readonly folder: string;
    /** Changes read per batch (whole transactions; a batch may exceed it). Defaults to 10,000. */
    readonly batchChanges?: number;
    /** Rows per full-load file. Defaults to 50,000. */
    readonly fullLoadFileRows?: number;
    readonly clock?: () => Date;
}

export interface CaptureResult {
    /** Change files written, as bucket keys. */
    readonly files: readonly string[];
    /** Change rows written (I, U and D rows). */
    readonly rows: number;
}

const slotPattern = /^[a-z0-9_]{1,63}$/;

/** Source type names mapped to the dataset types they can feed. */
const compatibleTypes: Record<ScalarType, readonly string[]> = {
    string: ["text", "character varying", "character", "varchar", "bpchar", "uuid", "citext"],
    int: ["integer", "smallint"],
    long: ["bigint", "integer", "smallint"],
    double: ["double precision", "real"],
    decimal: ["numeric"],
    boolean: ["boolean"],
    date: ["date"],
    timestamp: ["timestamp with time zone", "timestamp without time zone"],
};

function baseType(type: string): string {
    return type.replace(/\(.*\)$/, "").replace(/\[\]$/, "[]").trim();
}

function quoteIdent(name: string): string {
    return `"${name.replace(/"/g, '""')}"`;
}

function tableId(table: { schema: string; table: string }): string {
    return `${table.schema}.${table.table}`;
}

/** `<folder>/<schema>/<table>/` as DMS lays out its target. */
export function tableFolder(folder: string, table: { schema: string; table: string }): string {
    return `${folder.replace(/\/+$/, "")}/${table.schema}/${table.table}/`;
}

/** Checks one source column against the dataset: declared fields must keep a compatible type. */
export function checkColumnType(table: CapturedTable, column: string, sourceType: string): void {
    const field = table.dataset.fields.find((f) => f.name === column);
    if (!field || field.type === "array") {
        return; // Not part of the dataset (e.g. a newly added column): carried in the file, ignored on landing.
    }
    const type = baseType(sourceType);
    if (!compatibleTypes[field.type].includes(type)) {
        throw new CdcError(
            `table ${tableId(table)}, column '${column}': dataset '${table.dataset.name}' declares ${field.type} ` +
                `(source types ${compatibleTypes[field.type].join(", ")}), the source now has '${sourceType}'; ` +
                `revert the column's type at the source, or change the dataset definition (a new version) and reload the table`,
        );
    }
}

/** The text DMS would write for a source value: timestamps in its UTC format, everything else as PostgreSQL prints it. */
function dmsValue(column: DecodedColumn | { type: string; value: string | null }): string | null {
    if (column.value === null) return null;
    const type = baseType(column.type);
    if (type === "timestamp with time zone" || type === "timestamp without time zone") {
        return dmsTimestamp(column.value);
    }
    return column.value;
}

function openClient(config: PostgresCaptureConfig, extra: Partial<ClientConfig> = {}): Client {
    const pg = require("pg") as typeof import("pg");
    // Timestamps with a zone are printed in the session's zone: UTC keeps them unambiguous.
    return new pg.Client({ connectionString: config.connectionString, options: "-c TimeZone=UTC", ...extra });
}

function fullLoadMarker(config: PostgresCaptureConfig): string {
    return `${config.folder.replace(/\/+$/, "")}/_capture/${config.slot}/full-load-complete.json`;
}

/** The key columns of a table: its primary key, or the dataset's declared key when the table has none. */
async function keyColumns(client: Client, table: CapturedTable): Promise<string[]> {
    const result = await client.query(
        `SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) ` +
            `WHERE i.indrelid = (quote_ident('${table.schema.replace(/'/g, "''")}') || '.' || quote_ident('${table.table.replace(/'/g, "''")}'))::regclass AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)`,
    );
    const primary = result.rows.map((row: { attname: string }) => row.attname);
    if (primary.length > 0) {
        return primary;
    }
    if (table.dataset.key.length === 0) {
        throw new CdcError(`table ${tableId(table)} has no primary key and dataset '${table.dataset.name}' declares no key; add a primary key to the table or declare the dataset's key`);
    }
    return [...table.dataset.key];
}

/** The source's columns and types, in table order. */
async function sourceColumns(client: Client, table: CapturedTable): Promise<{ name: string; type: string }[]> {
    const result = await client.query(
        `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type FROM pg_attribute a ` +
            `WHERE a.attrelid = (quote_ident('${table.schema.replace(/'/g, "''")}') || '.' || quote_ident('${table.table.replace(/'/g, "''")}'))::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    );
    if (result.rows.length === 0) {
        throw new CdcError(`table ${tableId(table)} does not exist in the source database; fix the table name in the source's tables or create the table`);
    }
    return result.rows as { name: string; type: string }[];
}

async function slotExists(client: Client, slot: string): Promise<boolean> {
    const result = await client.query("SELECT 1 FROM pg_replication_slots WHERE slot_name = $1", [slot]);
    return result.rows.length > 0;
}

function checkConfig(config: PostgresCaptureConfig): void {
    if (!slotPattern.test(config.slot)) {
        throw new CdcError(`slot '${config.slot}' is not a valid replication slot name; use 1-63 lower-case letters, digits and underscores`);
    }
    if (config.tables.length === 0) {
        throw new CdcError("no tables to capture; map at least one source table to a dataset");
    }
}

/**
 * Creates the slot and writes the full load (`LOAD00000001.csv`, ...) of every table in the slot's
 * snapshot. Does nothing when the slot exists and its full load completed.
 */
export async function startCapture(config: PostgresCaptureConfig): Promise<CaptureResult> {
    checkConfig(config);
    const plain = openClient(config);
    await plain.connect();
    try {
        for (const table of config.tables) {
            await keyColumns(plain, table);
            const columns = await sourceColumns(plain, table);
            columns.forEach((column) => checkColumnType(table, column.name, column.type));
        }
        if (await slotExists(plain, config.slot)) {
            if (await config.store.headObject(config.bucket, fullLoadMarker(config))) {
                return { files: [], rows: 0 };
            }
            // A full load that did not finish: its snapshot is gone, so start over with a new slot.
            await plain.query("SELECT pg_drop_replication_slot($1)", [config.slot]);
        }
    } finally {
        await plain.end();
    }
    const replication = openClient(config, { replication: "database" } as Partial<ClientConfig>);
    await replication.connect();
    const files: string[] = [];
    let rows = 0;
    try {
        await replication.query("BEGIN ISOLATION LEVEL REPEATABLE READ");
        const created = await replication.query(`CREATE_REPLICATION_SLOT ${config.slot} LOGICAL test_decoding (SNAPSHOT 'use')`);
        const consistentPoint = lsnToBigInt(String(created.rows[0].consistent_point));
        const transferTime = dmsTimestamp((config.clock ?? (() => new Date()))().toISOString());
        const perFile = config.fullLoadFileRows ?? 50_000;
        for (const table of config.tables) {
            const key = await keyColumns(replication, table);
            const columns = (await sourceColumns(replication, table)).map((column) => column.name);
            const types = new Map((await sourceColumns(replication, table)).map((column) => [column.name, column.type]));
            const select =
                `SELECT ${columns.map((c) => `${quoteIdent(c)}::text AS ${quoteIdent(c)}`).join(", ")} FROM ${quoteIdent(table.schema)}.${quoteIdent(table.table)} ` +
                `ORDER BY ${key.map(quoteIdent).join(", ")}`;
            const result = await replication.query(select);
            let index = 0;
            for (let start = 0, part = 1; start < result.rows.length || (start === 0 && part === 1); start += perFile, part++) {
                const chunk = (result.rows as Record<string, string | null>[]).slice(start, start + perFile).map(
                    (row): DmsChangeRow => ({
                        op: "I",
                        commitTimestamp: transferTime,
                        changeSeq: changeSeq(consistentPoint, index++),
                        values: Object.fromEntries(columns.map((c) => [c, dmsValue({ type: types.get(c) ?? "text", value: row[c] ?? null })])),
                    }),
                );
                const fileKey = `${tableFolder(config.folder, table)}LOAD${String(part).padStart(8, "0")}.csv`;
                await config.store.putObject({ bucket: config.bucket, key: fileKey, body: Buffer.from(renderDmsCsv(columns, chunk)), contentType: "text/csv" });
                files.push(fileKey);
                rows += chunk.length;
                if (result.rows.length === 0) break;
            }
        }
        await replication.query("COMMIT");
    } finally {
        await replication.end();
    }
    await config.store.putObject({
        bucket: config.bucket,
        key: fullLoadMarker(config),
        body: Buffer.from(JSON.stringify({ slot: config.slot, files, rows })),
        contentType: "application/json",
    });
    return { files, rows };
}

interface PendingTransaction {
    readonly changes: { table: CapturedTable; action: "INSERT" | "UPDATE" | "DELETE"; old?: readonly DecodedColumn[]; new?: readonly DecodedColumn[] }[];
}

/**
 * Reads every change committed since the last call, writes one change file per table per batch
 * and advances the slot past what was written. Returns when the slot has nothing more.
 */
export async function captureChanges(config: PostgresCaptureConfig): Promise<CaptureResult> {
    checkConfig(config);
    const byId = new Map(config.tables.map((table) => [tableId(table), table]));
    const client = openClient(config);
    await client.connect();
    const files: string[] = [];
    let rows = 0;
    try {
        if (!(await slotExists(client, config.slot))) {
            throw new CdcError(`replication slot '${config.slot}' does not exist; run the full load (startCapture) first`);
        }
        await awaitFlushed(client);
        const keys = new Map<string, string[]>();
        const columnsOf = new Map<string, string[]>();
        for (const table of config.tables) {
            keys.set(tableId(table), await keyColumns(client, table));
            const columns = await sourceColumns(client, table);
            columns.forEach((column) => checkColumnType(table, column.name, column.type));
            columnsOf.set(tableId(table), columns.map((column) => column.name));
        }
        for (;;) {
            const batch = await client.query(
                "SELECT lsn::text AS lsn, data FROM pg_logical_slot_peek_changes($1, NULL, $2, 'include-xids', '1', 'include-timestamp', '1')",
                [config.slot, config.batchChanges ?? 10_000],
            );
            if (batch.rows.length === 0) break;
            const out = new Map<string, DmsChangeRow[]>();
            let current: PendingTransaction | undefined;
            let lastLsn = "";
            let firstCommit = "";
            for (const { lsn, data } of batch.rows as { lsn: string; data: string }[]) {
                const line = parseTestDecodingLine(data);
                lastLsn = lsn;
                if (line.kind === "begin") {
                    current = { changes: [] };
                } else if (line.kind === "change") {
                    const table = byId.get(`${line.schema}.${line.table}`);
                    if (table && current) {
                        current.changes.push({ table, action: line.action, old: line.old, new: line.new });
                    }
                } else if (line.kind === "commit" && current) {
                    const commitLsn = lsnToBigInt(lsn);
                    const commitTimestamp = dmsTimestamp(line.commitTime);
                    firstCommit ||= lsn;
                    let index = 0;
                    for (const change of current.changes) {
                        const id = tableId(change.table);
                        const columns = columnsOf.get(id) as string[];
                        const key = keys.get(id) as string[];
                        for (const column of [...(change.new ?? []), ...(change.old ?? [])]) {
                            if (!columns.includes(column.name)) {
                                // A column added since the capture started: learn it (in table order) and check its type.
                                columns.push(column.name);
                                checkColumnType(change.table, column.name, column.type);
                            } else {
                                checkColumnType(change.table, column.name, column.type);
                            }
                            if (column.unchangedToast) {
                                throw new CdcError(`table ${id}, column '${column.name}': the change does not carry the value (unchanged TOAST); run ALTER TABLE ${id} REPLICA IDENTITY FULL so every change carries whole rows`);
                            }
                        }
                        const values = (cols: readonly DecodedColumn[] | undefined) => Object.fromEntries((cols ?? []).map((c) => [c.name, dmsValue(c)]));
                        const rowsOf = out.get(id) ?? [];
                        out.set(id, rowsOf);
                        const emit = (op: "I" | "U" | "D", vals: Record<string, string | null>) =>
                            rowsOf.push({ op, commitTimestamp, changeSeq: changeSeq(commitLsn, ++index), values: vals });
                        if (change.action === "INSERT") {
                            emit("I", values(change.new));
                        } else if (change.action === "DELETE") {
                            emit("D", values(change.old));
                        } else {
                            const next = values(change.new);
                            const before = change.old ? values(change.old) : undefined;
                            if (before && key.some((column) => before[column] !== next[column])) {
                                emit("D", before);
                                emit("I", next);
                            } else {
                                emit("U", next);
                            }
                        }
                    }
                    current = undefined;
                }
            }
            const stamp = firstCommit ? lsnToBigInt(firstCommit).toString().padStart(20, "0") : lsnToBigInt(lastLsn).toString().padStart(20, "0");
            for (const [id, changeRows] of out) {
                if (changeRows.length === 0) continue;
                const table = byId.get(id) as CapturedTable;
                const first = changeRows[0] as DmsChangeRow;
                // DMS names CDC files by time; the log position makes the name repeat when a batch is re-read.
                const name = `${first.commitTimestamp.replace(/[-:]/g, "").replace(" ", "-").replace(".", "").slice(0, 18)}-${stamp}.csv`;
                const fileKey = `${tableFolder(config.folder, table)}${name}`;
                await config.store.putObject({ bucket: config.bucket, key: fileKey, body: Buffer.from(renderDmsCsv(columnsOf.get(id) as string[], changeRows)), contentType: "text/csv" });
                files.push(fileKey);
                rows += changeRows.length;
            }
            await client.query("SELECT pg_replication_slot_advance($1, $2::pg_lsn)", [config.slot, lastLsn]);
        }
    } finally {
        await client.end();
    }
    return { files, rows };
}

/**
 * Waits until the WAL written so far is flushed: logical decoding reads flushed WAL only, and with
 * `synchronous_commit=off` a commit returns before its flush. So every change committed before
 * `captureChanges` was called is in what it reads.
 */
async function awaitFlushed(client: Client, timeoutMs = 30_000): Promise<void> {
    const target = (await client.query("SELECT pg_current_wal_insert_lsn()::text AS lsn")).rows[0].lsn as string;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const flushed = (await client.query("SELECT pg_current_wal_flush_lsn()::text AS lsn")).rows[0].lsn as string;
        if (lsnToBigInt(flushed) >= lsnToBigInt(target)) return;
        if (Date.now() > deadline) {
            throw new CdcError(`the source's WAL was not flushed to ${target} within ${timeoutMs} ms (flushed: ${flushed}); check the server's wal_writer_delay and disk`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
}

/** Drops the slot (the source stops retaining WAL for it). */
export async function dropCapture(config: Pick<PostgresCaptureConfig, "connectionString" | "slot">): Promise<void> {
    const client = openClient(config as PostgresCaptureConfig);
    await client.connect();
    try {
        if (await slotExists(client, config.slot)) {
            await client.query("SELECT pg_drop_replication_slot($1)", [config.slot]);
        }
    } finally {
        await client.end();
    }
}
