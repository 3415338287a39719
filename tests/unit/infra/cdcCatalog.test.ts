import * as assert from "assert";
import { cdcCuratedTable, cdcRawTable } from "../../../infra/catalog/decisions";
import { customers } from "../../../runtime/datasets";
import { curatedProvenance } from "../../../runtime/datasets/provenance";
import { one, stackRun } from "../../helpers/stacks";

describe("the captured customers in the catalog and the analysts' grants", () => {
    it("the curated table has the warehouse table's columns, unpartitioned; in scd2 the history columns follow the fields", () => {
        const current = cdcCuratedTable(customers, "curated-b");
        assert.deepStrictEqual([current.location, current.partitionKeys, current.columns.map((c) => c.name)], ["s3://curated-b/customers/", [], ["id", "name", "email", "country", "segment", "created_at", "updated_at", ...curatedProvenance.map((c) => c.field.name)]]);
        // In scd2 the history columns follow the fields, and the provenance columns end the table.
        const scd2 = cdcCuratedTable({ ...customers, history: "scd2" }, "b").columns;
        const fields = customers.fields.length;
        assert.deepStrictEqual(scd2.slice(fields, fields + 3).map((c) => `${c.name}:${c.type}`), ["valid_from:timestamp", "valid_to:timestamp", "is_current:boolean"]);
        assert.deepStrictEqual(scd2.slice(fields + 3).map((c) => c.name), curatedProvenance.map((c) => c.field.name));
        assert.deepStrictEqual(cdcRawTable(customers, "raw-b").columns.slice(-4).map((c) => c.name), ["cdc_op", "cdc_commit_ts", "cdc_change_seq", "cdc_source"]);
    });

    for (const stack of ["dev", "prod"] as const) {
        it(`${stack}: declares the raw and curated customers tables with the classification LF-tag`, async () => {
            const run = await stackRun(stack);
            const raw = one(run, "aws:glue/catalogTable:CatalogTable", "catalog-raw-customers");
            const curated = one(run, "aws:glue/catalogTable:CatalogTable", "catalog-curated-customers");
            assert.deepStrictEqual((raw.inputs.partitionKeys as { name: string }[]).map((k) => k.name), ["dt", "hour"]);
            assert.deepStrictEqual(curated.inputs.partitionKeys, []);
            for (const zone of ["raw", "curated"]) {
                const tag = one(run, "aws:lakeformation/resourceLfTags:ResourceLfTags", `catalog-${zone}-customers-classification`);
                assert.deepStrictEqual((tag.inputs.lfTags as { value: string }[]).map((t) => t.value), ["confidential"]);
            }
        });

        it(`${stack}: analysts read customers without name, email and country, which carry the personal-data LF-tag`, async () => {
            const run = await stackRun(stack);
            const grant = one(run, "aws:lakeformation/permissions:Permissions", "query-analysts-customers");
            assert.deepStrictEqual((grant.inputs.tableWithColumns as { excludedColumnNames: string[] }).excludedColumnNames, ["name", "email", "country"]);
            const tagged = one(run, "aws:lakeformation/resourceLfTags:ResourceLfTags", "query-customers-personal-data");
            assert.deepStrictEqual((tagged.inputs.tableWithColumns as { columnNames: string[] }).columnNames, ["name", "email", "country"]);
            assert.deepStrictEqual((tagged.inputs.lfTags as { key: string; value: string }[]).map((t) => t.value), ["true"]);
        });
    }
});
