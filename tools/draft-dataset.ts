/**
 * `npm run draft-dataset -- --table <GetTable JSON> --key <column,...> [--event-time <column>] [--name <dataset>] [--out <file>]`:
 * turns a table the file-drop drafts crawler cataloged (the JSON of `aws glue get-table`, or its
 * `Table` member) into a draft dataset definition, TypeScript in the style of runtime/datasets/*.ts,
 * for review. The draft is checked with the same checks as every definition
 * (checkDatasetDefinition) before it is written; what a crawler cannot know (descriptions, rules,
 * normalisation, quality thresholds, classification, warehouse design) gets a conservative
 * default and a REVIEW note.
 */
import * as fs from "fs";
import { checkDatasetDefinition } from "../runtime/datasets";
import { DatasetDefinition, FieldDefinition, ScalarField, ScalarType } from "../runtime/datasets/types";
import { parseFlags } from "./offline/flags";

const usage = "npm run draft-dataset -- --table <get-table.json> --key <column,...> [--event-time <column>] [--name <dataset>] [--out <file.ts>]";

/** A problem with the input table or the options: what was expected, what was found, and the fix. */
export class DraftDatasetError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "DraftDatasetError";
    }
}

/** The parts of Glue's Table shape (GetTable's `Table`) the draft reads. */
export interface GlueTable {
    readonly Name: string;
    readonly DatabaseName?: string;
    readonly StorageDescriptor: { readonly Columns: readonly GlueColumnShape[]; readonly Location?: string };
    readonly PartitionKeys?: readonly GlueColumnShape[];
    readonly Parameters?: Readonly<Record<string, string>>;
}

interface GlueColumnShape {
    readonly Name: string;
    readonly Type: string;
    readonly Comment?: string;
}

export interface DraftOptions {
    /** Key columns (at least one). */
    readonly key: readonly string[];
    /** The event-time column; defaults to the table's only timestamp column. */
    readonly eventTime?: string;
    /** The dataset's name; defaults to the table's name. */
    readonly name?: string;
}

export interface Draft {
    readonly definition: DatasetDefinition;
    /** The TypeScript module text. */
    readonly source: string;
}

const namePattern = /^[a-z][a-z0-9_]*$/;

const scalarTypes: Readonly<Record<string, ScalarType>> = {
    string: "string",
    int: "int",
    integer: "int",
    smallint: "int",
    tinyint: "int",
    bigint: "long",
    double: "double",
    float: "double",
    boolean: "boolean",
    date: "date",
    timestamp: "timestamp",
};

/** The table out of a GetTable response (`{ Table: {...} }`) or a bare table, checked for the fields the draft reads. */
export function tableOf(document: unknown): GlueTable {
    const candidate = document !== null && typeof document === "object" && "Table" in document ? (document as { Table: unknown }).Table : document;
    const table = candidate as Partial<GlueTable> | null;
    if (table === null || typeof table !== "object" || typeof table.Name !== "string") {
        throw new DraftDatasetError("--table: expected the JSON of `aws glue get-table` ({ \"Table\": { \"Name\": ..., \"StorageDescriptor\": { \"Columns\": [...] } } }); found no Table.Name. Fix: aws glue get-table --database-name <drafts database> --name <table> > table.json");
    }
    const columns = table.StorageDescriptor?.Columns;
    if (!Array.isArray(columns) || columns.length === 0) {
        throw new DraftDatasetError(`--table: table ${table.Name} has no StorageDescriptor.Columns; the crawler found no schema in its files. Fix: check the files under its location, then crawl again`);
    }
    for (const [i, column] of columns.entries()) {
        if (typeof column?.Name !== "string" || typeof column?.Type !== "string") {
            throw new DraftDatasetError(`--table: StorageDescriptor.Columns[${i}] must have a Name and a Type (strings); found ${JSON.stringify(column)}`);
        }
    }
    return table as GlueTable;
}

function scalarOf(name: string, glueType: string, where: string): ScalarField {
    const type = glueType.trim().toLowerCase();
    const description = `${where} ${glueType} column ${name}. REVIEW: describe it.`;
    const decimal = /^decimal\((\d+),\s*(\d+)\)$/.exec(type);
    if (decimal) {
        return { name, type: "decimal", description, precision: Number(decimal[1]), scale: Number(decimal[2]) };
    }
    const text = /^(?:var)?char\((\d+)\)$/.exec(type);
    if (text) {
        return { name, type: "string", description, rules: { maxLength: Number(text[1]) } };
    }
    const scalar = scalarTypes[type];
    if (!scalar) {
        throw new DraftDatasetError(
            `column ${name}: expected a scalar Glue type (${Object.keys(scalarTypes).join(", ")}, decimal(p,s), varchar(n)) or array<struct<...>> of scalars; found ${glueType}. Fix: flatten it in the partner's files, or write this field by hand`,
        );
    }
    return { name, type: scalar, description };
}

/** Splits `a:int,b:struct<c:int,d:string>` at top-level commas. */
function topLevel(list: string): string[] {
    const parts: string[] = [];
    let depth = 0;
    let current = "";
    for (const ch of list) {
        depth += ch === "<" || ch === "(" ? 1 : ch === ">" || ch === ")" ? -1 : 0;
        if (ch === "," && depth === 0) {
            parts.push(current);
            current = "";
        } else {
            current += ch;
        }
    }
    return [...parts, current].map((p) => p.trim()).filter((p) => p !== "");
}

function fieldOf(column: GlueColumnShape): FieldDefinition {
    const name = column.Name;
    if (!namePattern.test(name)) {
        throw new DraftDatasetError(`column ${JSON.stringify(name)}: expected a lower snake case name (${namePattern}); found one that is not. Fix: ask the partner to rename the column, or rename it in the draft and map it on ingest`);
    }
    const array = /^array<struct<(.*)>>$/i.exec(column.Type.trim());
    if (array) {
        const items = topLevel(array[1] as string).map((member) => {
            const colon = member.indexOf(":");
            return scalarOf(member.slice(0, colon).trim(), member.slice(colon + 1), `Member of ${name}, crawled as`);
        });
        return { name, type: "array", description: `Crawled as ${column.Type}. REVIEW: describe it.`, items };
    }
    return scalarOf(name, column.Type, "Crawled as a");
}

/** The draft definition of a crawled table, checked like every definition. */
export function draftDataset(table: GlueTable, options: DraftOptions): Draft {
    const name = options.name ?? table.Name;
    if (!namePattern.test(name)) {
        throw new DraftDatasetError(`--name: expected a lower snake case dataset name (${namePattern}); found ${JSON.stringify(name)}. Fix: pass --name <dataset>`);
    }
    const crawled = table.StorageDescriptor.Columns.map(fieldOf);
    const columns = crawled.map((f) => f.name);
    if (options.key.length === 0) {
        throw new DraftDatasetError(`--key: expected the column(s) that identify a record, comma-separated, from ${columns.join(", ")}; found none. Fix: --key ${columns[0]}`);
    }
    for (const key of options.key) {
        const field = crawled.find((f) => f.name === key);
        if (!field || field.type === "array") {
            throw new DraftDatasetError(`--key: expected scalar columns of ${table.Name} (${crawled.filter((f) => f.type !== "array").map((f) => f.name).join(", ")}); found ${key}. Fix: correct the column name`);
        }
    }
    const timestamps = crawled.filter((f) => f.type === "timestamp").map((f) => f.name);
    const eventTime = options.eventTime ?? (timestamps.length === 1 ? timestamps[0] : undefined);
    if (eventTime === undefined || !timestamps.includes(eventTime)) {
        const found = options.eventTime === undefined ? `${timestamps.length} timestamp columns (${timestamps.join(", ") || "none"})` : `${options.eventTime}, which is not one of them`;
        throw new DraftDatasetError(
            `--event-time: expected the timestamp column the partitions are derived from, one of ${timestamps.join(", ") || "(none: the crawler typed no column as timestamp)"}; found ${found}. Fix: pass --event-time <column>${timestamps.length === 0 ? ", after the partner sends ISO-8601 timestamps" : ""}`,
        );
    }
    const required = new Set([...options.key, eventTime]);
    const fields = crawled.map((f) => (required.has(f.name) ? { ...f, required: true } : f));
    const definition: DatasetDefinition = {
        name,
        version: 1,
        source: "file",
        description: `DRAFT from the crawled table ${table.DatabaseName ? `${table.DatabaseName}.` : ""}${table.Name}. REVIEW: say what one record is and who delivers it.`,
        fields,
        key: [...options.key],
        eventTimeField: eventTime,
        partitioning: "hour",
        crossFieldRules: [],
        quality: [
            { kind: "rowCount", name: `${name}_present`, min: 1, level: "error" },
            { kind: "uniqueness", name: `${name}_key_unique`, columns: [...options.key], mostly: 1.0, level: "error" },
        ],
        warehouse: { distStyle: "AUTO", sortKeys: [eventTime] },
        classification: "confidential",
        aggregates: [],
    };
    try {
        checkDatasetDefinition(definition);
    } catch (error) {
        throw new DraftDatasetError(`the draft does not pass the dataset checks: ${(error as Error).message}`);
    }
    return { definition, source: render(definition, table) };
}

function camel(name: string): string {
    return name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

function render(definition: DatasetDefinition, table: GlueTable): string {
    const partitions = (table.PartitionKeys ?? []).map((p) => p.Name);
    const body = JSON.stringify(definition, null, 4).replace(/^(\s*)"([A-Za-z_][A-Za-z0-9_]*)":/gm, "$1$2:");
    const lines = [
        'import { DatasetDefinition } from "./types";',
        "",
        "/**",
        ` * DRAFT generated by \`npm run draft-dataset\` from the Glue table ${table.DatabaseName ? `${table.DatabaseName}.` : ""}${table.Name}`,
        ` * (${table.StorageDescriptor.Location ?? "location unknown"}${table.Parameters?.classification ? `, ${table.Parameters.classification} files` : ""}), which the file-drop drafts crawler cataloged.`,
        " * Review before adding it to runtime/datasets/index.ts: each field's description, required flag,",
        " * rules and normalisation; the quality checks; the classification (confidential until someone says",
        " * otherwise) and the warehouse design.",
        ...(partitions.length > 0 ? [` * The crawler's partition columns (${partitions.join(", ")}) come from folder names and are not fields.`] : []),
        " */",
        `export const ${camel(definition.name)}: DatasetDefinition = ${body};`,
        "",
    ];
    return lines.join("\n");
}

function main(argv: readonly string[]): void {
    const flags = parseFlags(argv, { table: "string", key: "string", "event-time": "string", name: "string", out: "string" }, usage);
    const file = flags.require("table");
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (error) {
        throw new DraftDatasetError(`--table: expected a readable file; ${(error as Error).message}. Fix: aws glue get-table --database-name <drafts database> --name <table> > table.json`);
    }
    let document: unknown;
    try {
        document = JSON.parse(text);
    } catch (error) {
        throw new DraftDatasetError(`--table: expected JSON in ${file}; ${(error as Error).message}`);
    }
    const key = (flags.get("key") ?? "").split(",").map((k) => k.trim()).filter((k) => k !== "");
    const eventTime = flags.get("event-time");
    const name = flags.get("name");
    const draft = draftDataset(tableOf(document), { key, ...(eventTime ? { eventTime } : {}), ...(name ? { name } : {}) });
    const out = flags.get("out");
    if (out) {
        fs.writeFileSync(out, draft.source);
        process.stderr.write(`${out}: draft dataset ${draft.definition.name} (${draft.definition.fields.length} fields); review it, then add it to runtime/datasets/index.ts\n`);
    } else {
        process.stdout.write(draft.source);
    }
}

if (require.main === module) {
    try {
        main(process.argv.slice(2));
    } catch (error) {
        process.stderr.write(`draft-dataset: ${(error as Error).message}\n`);
        process.exit(2);
    }
}
