import * as assert from "assert";
import { loaderSettingsFromEnv, warehouseSettingsFromEnv } from "../../../runtime/warehouse";

const serverless = {
    WAREHOUSE_WORKGROUP_NAME: "etl-dev",
    WAREHOUSE_DATABASE: "analytics",
    WAREHOUSE_COPY_ROLE_ARN: "arn:aws:iam::123456789012:role/etl-dev-redshift-copy",
    CURATED_URI: "s3://etl-dev-curated/curated/",
};

describe("warehouse/config", () => {
    it("reads a Serverless loader setup and applies the defaults", () => {
        assert.deepStrictEqual(loaderSettingsFromEnv(serverless), {
            target: { workgroupName: "etl-dev", database: "analytics" },
            schema: "analytics",
            timeoutMs: 900_000,
            copyRoleArn: "arn:aws:iam::123456789012:role/etl-dev-redshift-copy",
            curatedUri: "s3://etl-dev-curated/curated",
            manifestUri: "s3://etl-dev-curated/curated/_manifests",
            batchLimits: { maxFiles: 500 },
        });
    });

    it("reads a provisioned cluster with a secret and every override", () => {
        const settings = loaderSettingsFromEnv({
            ...serverless,
            WAREHOUSE_WORKGROUP_NAME: "",
            WAREHOUSE_CLUSTER_ID: "etl-prod",
            WAREHOUSE_SECRET_ARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:wh",
            WAREHOUSE_SCHEMA: "sales",
            MANIFEST_URI: "s3://etl-prod-artifacts/manifests/",
            LOAD_MAX_FILES_PER_BATCH: "100",
            STATEMENT_TIMEOUT_SECONDS: "60",
        });
        assert.deepStrictEqual(settings.target, { clusterIdentifier: "etl-prod", database: "analytics", secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:wh" });
        assert.deepStrictEqual([settings.schema, settings.manifestUri, settings.batchLimits, settings.timeoutMs], ["sales", "s3://etl-prod-artifacts/manifests", { maxFiles: 100 }, 60_000]);
    });

    const invalid: [string, Record<string, string>, string][] = [
        ["neither target", { WAREHOUSE_DATABASE: "analytics" }, "set exactly one of WAREHOUSE_WORKGROUP_NAME (Serverless) and WAREHOUSE_CLUSTER_ID (provisioned); found neither"],
        ["both targets", { WAREHOUSE_DATABASE: "a", WAREHOUSE_WORKGROUP_NAME: "w", WAREHOUSE_CLUSTER_ID: "c" }, "set exactly one of WAREHOUSE_WORKGROUP_NAME (Serverless) and WAREHOUSE_CLUSTER_ID (provisioned); found both"],
        ["a db user with a workgroup", { WAREHOUSE_DATABASE: "a", WAREHOUSE_WORKGROUP_NAME: "w", WAREHOUSE_DB_USER: "u" }, "WAREHOUSE_DB_USER applies to provisioned clusters only; unset it or use WAREHOUSE_CLUSTER_ID"],
        ["an upper-case schema", { WAREHOUSE_DATABASE: "a", WAREHOUSE_WORKGROUP_NAME: "w", WAREHOUSE_SCHEMA: "Sales" }, "'Sales' is not a valid identifier; use lower case letters, digits and underscores, starting with a letter or underscore"],
    ];
    for (const [what, env, message] of invalid) {
        it(`refuses ${what}`, () => {
            assert.throws(() => warehouseSettingsFromEnv(env), { name: "WarehouseConfigError", message });
        });
    }

    it("reads variables through the runtime's one environment helper: a ConfigurationError naming the variable, expected, found and fix", () => {
        assert.throws(() => warehouseSettingsFromEnv({ WAREHOUSE_WORKGROUP_NAME: "w" }), {
            name: "ConfigurationError",
            setting: "WAREHOUSE_DATABASE",
            message: "environment variable WAREHOUSE_DATABASE (the Redshift database name) is not set; expected a non-empty string; set WAREHOUSE_DATABASE in the function's environment",
        });
        assert.throws(() => warehouseSettingsFromEnv({ WAREHOUSE_DATABASE: "a", WAREHOUSE_WORKGROUP_NAME: "w", STATEMENT_TIMEOUT_SECONDS: "0" }), {
            name: "ConfigurationError",
            setting: "STATEMENT_TIMEOUT_SECONDS",
            message: `environment variable STATEMENT_TIMEOUT_SECONDS must be an integer between 1 and ${Number.MAX_SAFE_INTEGER}, found '0'; set it to, for example, STATEMENT_TIMEOUT_SECONDS=900`,
        });
    });

    it("refuses a loader without a copy role or with a curated URI that is not S3", () => {
        assert.throws(() => loaderSettingsFromEnv({ ...serverless, WAREHOUSE_COPY_ROLE_ARN: " " }), {
            message: "environment variable WAREHOUSE_COPY_ROLE_ARN (the IAM role ARN Redshift assumes for COPY) is not set; expected a non-empty string; set WAREHOUSE_COPY_ROLE_ARN in the function's environment",
        });
        assert.throws(() => loaderSettingsFromEnv({ ...serverless, CURATED_URI: "/data/curated" }), { message: "'/data/curated' is not an S3 URI; expected s3://<bucket>/<key>" });
    });
});
