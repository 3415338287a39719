import * as assert from "assert";
import { Catalog, CatalogGrant } from "../../../../infra/catalog";
import { PlatformContext } from "../../../../infra/shared/context";
import { bucket, construct, named, namesOf } from "./harness";

const permissions = "aws:lakeformation/permissions:Permissions";
const governance = { manageLakeFormationSettings: false, lakeFormationAdmins: [] };

function catalog(access?: readonly CatalogGrant[]) {
    return (context: PlatformContext) => new Catalog("catalog", { context, rawBucket: bucket("raw"), curatedBucket: bucket("curated"), governance, ...(access ? { access } : {}) });
}

describe("Catalog, constructed alone", () => {
    it("grants nothing by default", async () => {
        const { resources } = await construct(catalog());
        assert.deepStrictEqual(namesOf(resources, permissions), []);
    });

    it("applies the access consumers declare: database and table grants, and the data location when asked", async () => {
        const { resources } = await construct(
            catalog([
                { name: "reader", principalArn: "arn:aws:iam::123456789012:role/reader", zone: "curated", tablePermissions: ["SELECT"], databasePermissions: ["DESCRIBE"] },
                { name: "writer", principalArn: "arn:aws:iam::123456789012:role/writer", zone: "raw", tablePermissions: ["INSERT"], dataLocation: true },
            ]),
        );
        assert.deepStrictEqual(namesOf(resources, permissions), ["catalog-curated-reader-database", "catalog-curated-reader-tables", "catalog-raw-writer-location", "catalog-raw-writer-tables"]);
        const tables = named(resources, permissions, "catalog-curated-reader-tables");
        assert.deepStrictEqual([tables.inputs.principal, tables.inputs.permissions, tables.inputs.table], ["arn:aws:iam::123456789012:role/reader", ["SELECT"], { databaseName: "platform_test_curated", wildcard: true }]);
        const location = named(resources, permissions, "catalog-raw-writer-location");
        assert.deepStrictEqual(location.inputs.permissions, ["DATA_LOCATION_ACCESS"]);
        assert.ok(tables.dependencies.some((urn) => urn.endsWith("::catalog-curated-orders")), "table grants wait for the tables");
    });
});
