import * as path from "path";
import { curatedProvenance, DatasetDefinition, HistoryMode, PublishedReference } from "../datasets";
import { sparkType } from "../datasets/schema";

/** Columns the history mode adds to the curated table, after the dataset's fields. */
export const historyColumns = {
    validFrom: "valid_from",
    validTo: "valid_to",
    isCurrent: "is_current",
} as const;

/** The history mode of a dataset (`current` unless it says otherwise). */
export function historyOf(dataset: DatasetDefinition): HistoryMode {
    return dataset.history ?? "current";
}

/**
 * What runtime/spark/cdc_apply.py reads: the dataset's Spark schema, key and history mode, plus
 * the reference it publishes (columns of the current state written as the reference CSV another
 * dataset's enrichment joins, e.g. orders ⋈ customers; the dataset's `publishes` by default).
 */
export function cdcApplySpec(dataset: DatasetDefinition, reference: PublishedReference | undefined = dataset.publishes): Record<string, unknown> {
    return {
        name: dataset.name,
        version: dataset.version,
        ddl: dataset.fields.map((field) => `${field.name} ${sparkType(field)}`).join(", "),
        fields: dataset.fields.map((field) => field.name),
        key: dataset.key,
        history: historyOf(dataset),
        sourceTable: dataset.sourceTable ? `${dataset.sourceTable.schema}.${dataset.sourceTable.table}` : dataset.name,
        provenance: curatedProvenance.map((column) => ({ column: column.field.name, from: column.from, type: sparkType(column.field) })),
        ...(reference ? { reference } : {}),
    };
}

/** The PySpark job that applies a database dataset's landed changes (runtime/spark/cdc_apply.py). */
export const cdcApplyScriptPath = path.join(__dirname, "..", "spark", "cdc_apply.py");

/** The spec document the pipeline uploads for cdc_apply.py's `--spec`: `cdcApplySpec` as JSON. */
export function renderCdcApplySpec(dataset: DatasetDefinition): string {
    return `${JSON.stringify(cdcApplySpec(dataset), null, 2)}\n`;
}
