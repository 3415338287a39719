import { databaseDatasets, DatasetDefinition, datasets, FieldDefinition, ScalarField } from "../../runtime/datasets";

/**
 * What `npm run trace` is asked for: one dataset (any the platform defines, stream or not) and the
 * value of each of its key columns.
 */

/** A bad `--dataset` or `--key`: the message names the flag, what was expected, what was found and the fix. */
export class TraceInputError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "TraceInputError";
    }
}

/** Every dataset a trace can follow. */
export const traceableDatasets: readonly DatasetDefinition[] = [...datasets, ...databaseDatasets];

/** The dataset named by `--dataset`. */
export function traceDataset(name: string | undefined): DatasetDefinition {
    const known = traceableDatasets.map((dataset) => dataset.name).join(", ");
    if (!name) {
        throw new TraceInputError(`--dataset is missing: expected one of ${known}; for example --dataset orders`);
    }
    const found = traceableDatasets.find((dataset) => dataset.name === name);
    if (!found) {
        throw new TraceInputError(`--dataset: unknown dataset '${name}'; expected one of ${known}`);
    }
    return found;
}

/** One key column of the traced row, with its declared field (for typed SQL literals). */
export interface KeyValue {
    readonly column: string;
    readonly field: ScalarField;
    readonly value: string;
}

function keyField(dataset: DatasetDefinition, column: string): ScalarField {
    const field = dataset.fields.find((candidate) => candidate.name === column) as FieldDefinition;
    return field as ScalarField;
}

/**
 * Parses `--key`: a single-column key takes the bare value (`--key ORD-1`) or `column=value`;
 * a composite key takes every key column as comma-separated `column=value` pairs
 * (`--key base_currency=USD,quote_currency=EUR,rate_date=2024-05-03`).
 */
export function parseTraceKey(dataset: DatasetDefinition, text: string | undefined): KeyValue[] {
    const example = dataset.key.length === 1 ? `--key <${dataset.key[0]}>` : `--key ${dataset.key.map((column) => `${column}=<value>`).join(",")}`;
    if (text === undefined || text.trim() === "") {
        throw new TraceInputError(`--key is missing: expected the key of a ${dataset.name} row (${dataset.key.join(", ")}); for example ${example}`);
    }
    if (dataset.key.length === 1 && !text.includes("=")) {
        const column = dataset.key[0] as string;
        return [{ column, field: keyField(dataset, column), value: text }];
    }
    const values = new Map<string, string>();
    for (const part of text.split(",")) {
        const at = part.indexOf("=");
        const column = part.slice(0, at).trim();
        if (at < 1 || !dataset.key.includes(column)) {
            throw new TraceInputError(`--key: '${part}' is not <key column>=<value> with a key column of ${dataset.name} (${dataset.key.join(", ")}); use ${example}`);
        }
        if (values.has(column)) {
            throw new TraceInputError(`--key: column '${column}' is given twice; give each key column once: ${example}`);
        }
        values.set(column, part.slice(at + 1));
    }
    const missing = dataset.key.filter((column) => !values.has(column));
    if (missing.length > 0) {
        throw new TraceInputError(`--key: ${dataset.name}'s key is ${dataset.key.join(", ")}; found no value for ${missing.join(", ")}; use ${example}`);
    }
    return dataset.key.map((column) => ({ column, field: keyField(dataset, column), value: values.get(column) as string }));
}

/** The key as text, `column=value` joined by commas (for messages). */
export function describeKey(key: readonly KeyValue[]): string {
    return key.map((part) => `${part.column}=${part.value}`).join(",");
}
