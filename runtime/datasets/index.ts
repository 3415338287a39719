import { DatasetDefinitionError } from "./errors";
import { customers } from "./customers";
import { orders } from "./orders";
import { fxRates } from "./fx_rates";
import { storeInventory } from "./store_inventory";
import { DatasetDefinition, DatasetSource, FieldDefinition } from "./types";

export * from "./types";
export { DatasetDefinitionError } from "./errors";
export { orders } from "./orders";
export { fxRates } from "./fx_rates";
export { storeInventory } from "./store_inventory";
export { customers } from "./customers";
export * from "./provenance";

/** Datasets the platform deploys. Adding one here is all it takes to get its topic, tables and jobs. */
export const datasets: readonly DatasetDefinition[] = [orders, fxRates, storeInventory];

/**
 * Datasets captured from operational databases (change data capture, runtime/cdc). Kept apart from
 * `datasets`, which get a topic or stream and the ingest function each.
 */
export const databaseDatasets: readonly DatasetDefinition[] = [customers];

const namePattern = /^[a-z][a-z0-9_]{0,62}$/;

/**
 * Checks that a definition is internally consistent: names are valid identifiers everywhere they
 * are used, the key and event-time fields exist with the right types, and every rule points at a
 * real field, and every enrichment that another dataset publishes (among `publishers`, by default
 * every dataset of the platform) asks for exactly the columns it publishes. Throws a
 * `DatasetDefinitionError` naming the dataset, the field and the fix.
 */
export function checkDatasetDefinition(dataset: DatasetDefinition, publishers: readonly DatasetDefinition[] = [...datasets, ...databaseDatasets]): DatasetDefinition {
    const where = `dataset '${dataset.name}'`;
    if (!namePattern.test(dataset.name)) {
        throw new DatasetDefinitionError(`${where}: name must be lower snake case (${namePattern}); rename it`);
    }
    const byName = new Map<string, FieldDefinition>();
    for (const field of dataset.fields) {
        if (!namePattern.test(field.name)) {
            throw new DatasetDefinitionError(`${where}: field '${field.name}' must be lower snake case; rename it`);
        }
        if (byName.has(field.name)) {
            throw new DatasetDefinitionError(`${where}: field '${field.name}' is declared twice; remove one`);
        }
        if (field.type === "decimal" && (field.precision === undefined || field.scale === undefined)) {
            throw new DatasetDefinitionError(`${where}: decimal field '${field.name}' needs precision and scale`);
        }
        byName.set(field.name, field);
    }
    const requireField = (name: string, role: string) => {
        const field = byName.get(name);
        if (!field) {
            throw new DatasetDefinitionError(`${where}: ${role} names field '${name}', which is not declared; declare it or fix the name`);
        }
        return field;
    };
    if (dataset.key.length === 0) {
        throw new DatasetDefinitionError(`${where}: key must name at least one field`);
    }
    for (const column of dataset.key) {
        const field = requireField(column, "key");
        if (!field.required || field.type === "array") {
            throw new DatasetDefinitionError(`${where}: key field '${column}' must be a required scalar field`);
        }
    }
    const eventTime = requireField(dataset.eventTimeField, "eventTimeField");
    if (eventTime.type !== "timestamp" || !eventTime.required) {
        throw new DatasetDefinitionError(`${where}: eventTimeField '${dataset.eventTimeField}' must be a required timestamp field`);
    }
    for (const rule of dataset.crossFieldRules) {
        switch (rule.kind) {
            case "sumOfProducts": {
                requireField(rule.field, `rule '${rule.name}'`);
                const array = requireField(rule.array, `rule '${rule.name}'`);
                if (array.type !== "array" || !rule.factors.every((f) => array.items.some((item) => item.name === f))) {
                    throw new DatasetDefinitionError(`${where}: rule '${rule.name}' needs array '${rule.array}' with items ${rule.factors.join(", ")}`);
                }
                break;
            }
            case "notAfter":
                requireField(rule.earlier, `rule '${rule.name}'`);
                requireField(rule.later, `rule '${rule.name}'`);
                break;
            case "requiredWhen":
                requireField(rule.field, `rule '${rule.name}'`);
                requireField(rule.then, `rule '${rule.name}'`);
                break;
        }
    }
    const derived = new Set((dataset.conversions ?? []).map((c) => c.column));
    for (const conversion of dataset.conversions ?? []) {
        const where2 = `conversion '${conversion.column}'`;
        if (requireField(conversion.amount, where2).type !== "decimal") {
            throw new DatasetDefinitionError(`${where}: ${where2} needs amount '${conversion.amount}' to be a decimal field`);
        }
        requireField(conversion.currency, where2);
        if (requireField(conversion.dateOf, where2).type !== "timestamp") {
            throw new DatasetDefinitionError(`${where}: ${where2} needs dateOf '${conversion.dateOf}' to be a timestamp field`);
        }
    }
    for (const check of dataset.quality) {
        const columns = check.kind === "uniqueness" ? check.columns : check.kind === "rowCount" ? [] : [check.column];
        columns.filter((column) => !derived.has(column)).forEach((column) => requireField(column, `quality check '${check.name}'`));
        if ("mostly" in check && (check.mostly < 0 || check.mostly > 1)) {
            throw new DatasetDefinitionError(`${where}: quality check '${check.name}' has mostly=${check.mostly}; use a fraction between 0 and 1`);
        }
    }
    if (dataset.warehouse.distStyle === "KEY") {
        requireField(dataset.warehouse.distKey ?? "", "warehouse.distKey");
    }
    dataset.warehouse.sortKeys.forEach((column) => requireField(column, "warehouse.sortKeys"));
    for (const aggregate of dataset.aggregates) {
        aggregate.groupBy.forEach((column) => requireField(column, `aggregate '${aggregate.name}'`));
        aggregate.measures.filter((measure) => !derived.has(measure.column)).forEach((measure) => requireField(measure.column, `aggregate '${aggregate.name}'`));
    }
    checkPublishedEnrichments(dataset, publishers);
    const referenceColumns = new Set((dataset.enrichments ?? []).flatMap((enrichment) => enrichment.columns.map((column) => column.name)));
    for (const column of dataset.personalData ?? []) {
        if (!referenceColumns.has(column)) {
            requireField(column, "personalData");
        }
    }
    if (dataset.history !== undefined && dataset.history !== "current" && dataset.history !== "scd2") {
        throw new DatasetDefinitionError(`${where}: history is '${String(dataset.history)}'; expected 'current' or 'scd2'`);
    }
    if (dataset.history === "scd2" && dataset.source !== "database") {
        throw new DatasetDefinitionError(`${where}: history 'scd2' needs a change-data-capture source; set source to "database" (with sourceTable) or history to 'current'`);
    }
    if ((dataset.source === "database") !== (dataset.sourceTable !== undefined)) {
        throw new DatasetDefinitionError(`${where}: sourceTable names the captured table of a "database" source and only there; found source ${JSON.stringify(dataset.source ?? "stream")} with${dataset.sourceTable ? "" : "out"} sourceTable; set both or neither`);
    }
    return dataset;
}

/**
 * An enrichment fed by a dataset's published reference (for example orders' `customers`, written by
 * the customers apply) must join on the published key and ask for exactly the published columns,
 * in the published order: the reference CSV is read by position under its header.
 */
function checkPublishedEnrichments(dataset: DatasetDefinition, publishers: readonly DatasetDefinition[]): void {
    for (const enrichment of dataset.enrichments ?? []) {
        const publisher = publishers.find((candidate) => candidate.publishes?.name === enrichment.name && candidate.name !== dataset.name);
        if (!publisher?.publishes) {
            continue;
        }
        const [key, ...columns] = Object.values(publisher.publishes.columns);
        const expected = `key '${key}' and columns ${columns.join(", ")}`;
        const found = `key '${enrichment.key}' and columns ${enrichment.columns.map((column) => column.name).join(", ") || "none"}`;
        if (enrichment.key !== key || enrichment.columns.length !== columns.length || enrichment.columns.some((column, index) => column.name !== columns[index])) {
            throw new DatasetDefinitionError(
                `dataset '${dataset.name}': enrichment '${enrichment.name}' is the reference dataset '${publisher.name}' publishes, which has ${expected}; found ${found}; ` +
                    `make the enrichment match the publishes block of '${publisher.name}' (or change that block)`,
            );
        }
    }
}

/** Looks a dataset up by name, with the list of known names in the error. */
export function getDataset(name: string, from: readonly DatasetDefinition[] = datasets): DatasetDefinition {
    const found = from.find((dataset) => dataset.name === name);
    if (!found) {
        throw new DatasetDefinitionError(`unknown dataset '${name}'; expected one of: ${from.map((d) => d.name).join(", ")}`);
    }
    return found;
}

/** The datasets a source of the given kind feeds (a definition without `source` is a stream dataset). */
export function datasetsFrom(source: DatasetSource, from: readonly DatasetDefinition[] = datasets): DatasetDefinition[] {
    return from.filter((dataset) => (dataset.source ?? "stream") === source);
}

/** The datasets whose records arrive on a stream (the default source): each gets a topic or stream and an ingest function. */
export const streamDatasets: readonly DatasetDefinition[] = datasetsFrom("stream");
