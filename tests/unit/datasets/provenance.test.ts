import * as assert from "assert";
import { customers, databaseDatasets, datasets, DatasetDefinitionError, orders, provenanceColumnNames } from "../../../runtime/datasets";
import { curatedFields, curatedGlueColumns, sparkTransformSpec } from "../../../runtime/datasets/schema";
import { cdcApplySpec } from "../../../runtime/cdc/spec";
import { cdcCuratedFields, cdcSyncStatements, cdcWarehouseFields } from "../../../runtime/warehouse/cdc";
import { stagedFields, warehouseFields } from "../../../runtime/warehouse/ddl";
import { curatedTable, cdcCuratedTable } from "../../../infra/catalog/decisions";
import { personalDataColumns } from "../../../runtime/queries";

const curatedProvenance = ["_raw_object", "_source_engine", "_source_name", "_source_partition", "_source_position", "_source_object", "_source_object_version", "_source_line"];

describe("row-level provenance columns", () => {
    it("close every curated table, after the dataset's own, enriched and converted columns", () => {
        for (const dataset of datasets) {
            const names = curatedFields(dataset).map((field) => field.name);
            assert.deepStrictEqual(names.slice(-curatedProvenance.length), curatedProvenance, dataset.name);
            assert.ok(dataset.fields.every((field) => !curatedProvenance.includes(field.name)), `${dataset.name}: provenance stays out of the business fields`);
        }
        assert.deepStrictEqual(curatedFields(orders).map((field) => field.name).slice(-curatedProvenance.length - 1, -curatedProvenance.length), ["amount_usd"]);
    });

    it("enter the Glue curated tables with their types, and the warehouse tables with _load_id last", () => {
        const glue = curatedGlueColumns(orders).slice(-curatedProvenance.length);
        assert.deepStrictEqual(glue.map((column) => `${column.name}:${column.type}`), [...curatedProvenance.slice(0, -1).map((name) => `${name}:string`), "_source_line:bigint"]);
        assert.deepStrictEqual(curatedTable(orders, "lake").columns.slice(-curatedProvenance.length), glue);
        assert.deepStrictEqual(warehouseFields(orders).map((field) => field.name), [...stagedFields(orders).map((field) => field.name), "_load_id"]);
    });

    it("give CDC tables the same columns after the history columns, in the catalog and the warehouse", () => {
        const scd2 = { ...customers, history: "scd2" as const };
        assert.deepStrictEqual(cdcCuratedFields(scd2).map((field) => field.name).slice(-curatedProvenance.length - 3), ["valid_from", "valid_to", "is_current", ...curatedProvenance]);
        assert.deepStrictEqual(cdcCuratedTable(customers, "lake").columns.map((column) => column.name), cdcCuratedFields(customers).map((field) => field.name));
        assert.deepStrictEqual(cdcWarehouseFields(customers).map((field) => field.name).slice(-1), ["_load_id"]);
    });

    it("tell the Spark jobs where each column comes from, with its Spark type", () => {
        const spec = sparkTransformSpec(orders) as { curatedColumns: string[]; provenance: { column: string; from: string; type: string }[] };
        assert.deepStrictEqual(spec.provenance.map((column) => `${column.column}<-${column.from}:${column.type}`), [
            "_raw_object<-object:STRING",
            "_source_engine<-engine:STRING",
            "_source_name<-source:STRING",
            "_source_partition<-partition:STRING",
            "_source_position<-position:STRING",
            "_source_object<-file:STRING",
            "_source_object_version<-version_id:STRING",
            "_source_line<-line:BIGINT",
        ]);
        assert.deepStrictEqual(spec.curatedColumns.slice(-curatedProvenance.length), curatedProvenance);
        const cdc = cdcApplySpec(customers) as { sourceTable: string; provenance: unknown[] };
        assert.strictEqual(cdc.sourceTable, "public.customers");
        assert.deepStrictEqual(cdc.provenance, spec.provenance);
    });

    it("are never personal data", () => {
        for (const dataset of [...datasets, ...databaseDatasets]) {
            assert.ok(personalDataColumns(dataset).every((column) => !provenanceColumnNames.includes(column)), dataset.name);
        }
    });

    it("refuse a dataset column that takes a provenance name, naming the column and the fix", () => {
        const clashing = { ...orders, conversions: [{ ...(orders.conversions ?? [])[0], column: "_source_name" }] };
        assert.throws(() => curatedFields(clashing as typeof orders), (error: Error) => error instanceof DatasetDefinitionError && /dataset 'orders': a currency conversion is named '_source_name', a provenance column name; rename it/.test(error.message));
    });

    it("let a CDC sync stamp its load id only on rows it changes", () => {
        const sqls = cdcSyncStatements(customers, "analytics", { engine: "postgres", stageSourceTable: "analytics.customers_curated_files" }, "s3://m/x.json", "customers-cdc-20240503T000000Z-abc");
        assert.match(sqls[1] as string, /^CREATE TEMP TABLE "stage_customers_cdc" \("id" VARCHAR\(\d+\), .*"_source_line" BIGINT, "_load_id" VARCHAR\(128\)\)$/);
        assert.strictEqual(sqls[3], `UPDATE "stage_customers_cdc" SET "_load_id" = 'customers-cdc-20240503T000000Z-abc'`);
        assert.ok((sqls[5] as string).startsWith('DELETE FROM "stage_customers_cdc" USING "analytics"."customers" WHERE "customers"."id" = "stage_customers_cdc"."id" AND ("stage_customers_cdc"."name" = "customers"."name" OR ("stage_customers_cdc"."name" IS NULL AND "customers"."name" IS NULL))'), sqls[5]);
        assert.ok(!(sqls[5] as string).includes('"_load_id" ='), "the load id is not compared: an unchanged row keeps its old one");
        assert.ok((sqls[6] as string).includes('"_load_id" = s."_load_id"'));
    });
});
