import * as assert from "assert";
import { orders } from "../../../runtime/datasets";
import { loaderSettingsFromEnv } from "../../../runtime/warehouse/config";
import { ensureWarehouseTables, StatementRunner } from "../../../runtime/warehouse/loader";

const env = {
    WAREHOUSE_WORKGROUP_NAME: "platform-dev",
    WAREHOUSE_DATABASE: "analytics",
    WAREHOUSE_SECRET_ARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:redshift-admin",
    WAREHOUSE_COPY_ROLE_ARN: "arn:aws:iam::123456789012:role/warehouse-load",
    CURATED_URI: "s3://curated-bucket",
};

describe("the Spectrum schema the loader creates", () => {
    it("is configured only when SPECTRUM_CATALOG_DATABASE is set, with the COPY role and schema lake by default", () => {
        assert.strictEqual(loaderSettingsFromEnv(env).spectrum, undefined);
        assert.deepStrictEqual(loaderSettingsFromEnv({ ...env, SPECTRUM_CATALOG_DATABASE: "platform_dev_curated" }).spectrum, {
            schema: "lake",
            catalogDatabase: "platform_dev_curated",
            iamRoleArn: "arn:aws:iam::123456789012:role/warehouse-load",
        });
    });

    it("is created in its own statement after the tables' transaction", async () => {
        const batches: string[][] = [];
        const runner: StatementRunner = {
            executeBatch: async (sqls) => {
                batches.push([...sqls]);
                return { statementId: `s-${batches.length}`, subStatements: [] } as never;
            },
            query: async () => [],
        };
        const settings = loaderSettingsFromEnv({ ...env, SPECTRUM_CATALOG_DATABASE: "platform_dev_curated" });
        await ensureWarehouseTables(
            { s3: { send: async () => ({}) } as never, warehouse: runner },
            { dataset: orders, schema: "analytics", curatedUri: settings.curatedUri, manifestUri: settings.manifestUri, dialect: { engine: "redshift", copyRoleArn: settings.copyRoleArn }, spectrum: settings.spectrum },
        );
        assert.strictEqual(batches.length, 2);
        assert.ok(batches[0].some((sql) => /CREATE TABLE IF NOT EXISTS/i.test(sql)));
        assert.deepStrictEqual(batches[1], [
            `CREATE EXTERNAL SCHEMA IF NOT EXISTS "lake"\nFROM DATA CATALOG DATABASE 'platform_dev_curated'\nIAM_ROLE 'arn:aws:iam::123456789012:role/warehouse-load'`,
        ]);
    });
});
