import * as assert from "assert";
import * as aws from "@pulumi/aws";
import { datasets } from "../../../../runtime/datasets";
import { QueryConfig } from "../../../../infra/config";
import { Query } from "../../../../infra/query";
import { PlatformContext } from "../../../../infra/shared/context";
import { bucket, construct, named, namesOf, ofType } from "./harness";

const query: QueryConfig = { analystsScanLimitGb: 100, pipelineScanLimitGb: 10, resultsExpirationDays: 7 };
const permissions = "aws:lakeformation/permissions:Permissions";
const workgroupType = "aws:athena/workgroup:Workgroup";
const namedQueryType = "aws:athena/namedQuery:NamedQuery";

function build(context: PlatformContext) {
    const curatedTable = new aws.glue.CatalogTable("catalog-curated-orders", { databaseName: "platform_test_curated", name: "orders" });
    return new Query("query", {
        context,
        query,
        catalog: { curatedDatabaseName: "platform_test_curated", tables: [curatedTable], encryptionSettings: curatedTable },
        rawBucket: bucket("raw"),
        rejectsBucket: bucket("rejects"),
        accessLogsBucket: bucket("access-logs"),
    });
}

describe("Query, constructed alone", () => {
    it("declares an analysts and a pipeline workgroup: engine 3, enforced, scan limit, metrics, results encrypted with the lake key", async () => {
        const { resources } = await construct(build);
        assert.deepStrictEqual(namesOf(resources, workgroupType), ["query-analysts", "query-pipeline"]);
        const analysts = named(resources, workgroupType, "query-analysts").inputs;
        assert.strictEqual(analysts.name, "platform-test-analysts");
        assert.deepStrictEqual(analysts.configuration, {
            enforceWorkgroupConfiguration: true,
            publishCloudwatchMetricsEnabled: true,
            bytesScannedCutoffPerQuery: 100 * 1024 ** 3,
            requesterPaysEnabled: false,
            engineVersion: { selectedEngineVersion: "Athena engine version 3" },
            resultConfiguration: {
                outputLocation: "s3://platform-test-athena-results-123456789012/analysts/",
                expectedBucketOwner: "123456789012",
                encryptionConfiguration: { encryptionOption: "SSE_KMS", kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/lake" },
            },
        });
        assert.strictEqual(named(resources, workgroupType, "query-pipeline").inputs.configuration.bytesScannedCutoffPerQuery, 10 * 1024 ** 3);
    });

    it("keeps results in a protected bucket that expires them after the configured days and logs access to the lake's log bucket", async () => {
        const { resources } = await construct(build);
        const lifecycle = named(resources, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "query-results").inputs;
        assert.strictEqual(lifecycle.rules[0].expiration.days, 7);
        const sse = named(resources, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "query-results").inputs;
        assert.deepStrictEqual(sse.rules[0], { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: "arn:aws:kms:us-east-1:123456789012:key/lake" }, bucketKeyEnabled: true });
        assert.strictEqual(named(resources, "aws:s3/bucketLogging:BucketLogging", "query-results").inputs.targetPrefix, "athenaResults/");
        const policy = JSON.parse(named(resources, "aws:s3/bucketPolicy:BucketPolicy", "query-results").inputs.policy);
        assert.deepStrictEqual(policy.Statement.map((s: { Sid: string }) => s.Sid), ["DenyInsecureTransport", "DenyTlsBelow12"]);
    });

    it("grants analysts the curated orders without personal-data columns, the aggregate whole, and nothing on raw or rejects", async () => {
        const { resources } = await construct(build);
        const granted = namesOf(resources, permissions);
        assert.ok(["query-analysts-database", "query-analysts-orders", "query-analysts-orders_daily_sales_by_region"].every((name) => granted.includes(name)), granted.join(", "));
        // One grant per curated table and aggregate of every dataset, plus the database: nothing else.
        assert.deepStrictEqual(granted, ["query-analysts-database", ...datasets.flatMap((d) => [d.name, ...d.aggregates.map((a) => `${d.name}_${a.name}`)]).map((t) => `query-analysts-${t}`)].sort());
        const orders = named(resources, permissions, "query-analysts-orders").inputs;
        assert.deepStrictEqual([orders.permissions, orders.tableWithColumns], [["SELECT", "DESCRIBE"], { databaseName: "platform_test_curated", name: "orders", excludedColumnNames: ["customer_id", "customer_country"] }]);
        assert.deepStrictEqual(named(resources, permissions, "query-analysts-orders_daily_sales_by_region").inputs.table, { databaseName: "platform_test_curated", name: "orders_daily_sales_by_region" });
        const tagged = named(resources, "aws:lakeformation/resourceLfTags:ResourceLfTags", "query-orders-personal-data").inputs;
        assert.deepStrictEqual([tagged.tableWithColumns.columnNames, tagged.lfTags], [["customer_id", "customer_country"], [{ key: "platform_test_personal_data", value: "true" }]]);
        const databases = ofType(resources, permissions).map((p) => p.inputs.table?.databaseName ?? p.inputs.tableWithColumns?.databaseName ?? p.inputs.database?.name);
        assert.ok(databases.every((db) => db === "platform_test_curated"), `only the curated database is granted: ${databases}`);
    });

    it("lets only the analyst permission set assume the analyst role, which queries only its workgroup", async () => {
        const { resources } = await construct(build);
        const trust = JSON.parse(named(resources, "aws:iam/role:Role", "query-analyst").inputs.assumeRolePolicy);
        assert.deepStrictEqual(trust.Statement[0].Condition, { ArnLike: { "aws:PrincipalArn": "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_DataPlatformAnalyst_*" } });
        const policy = JSON.parse(named(resources, "aws:iam/rolePolicy:RolePolicy", "query-analyst").inputs.policy);
        const athena = policy.Statement.find((s: { Sid?: string }) => s.Sid === "QueriesInTheAnalystsWorkgroup");
        assert.match(athena.Resource, /workgroup\/platform-test-analysts$/);
        const glue = policy.Statement.find((s: { Sid?: string }) => s.Sid === "CuratedCatalogMetadata");
        assert.ok(glue.Resource.every((arn: string) => !/_raw|_operations/.test(arn)));
    });

    it("registers the rejects zone with Lake Formation and declares the rejects and arrivals tables with partition projection", async () => {
        const { resources } = await construct(build);
        assert.deepStrictEqual(named(resources, "aws:lakeformation/resource:Resource", "query-rejects-location").inputs.hybridAccessEnabled, false);
        const rejects = named(resources, "aws:glue/catalogTable:CatalogTable", "query-orders-rejects").inputs;
        assert.deepStrictEqual([rejects.name, rejects.databaseName, rejects.storageDescriptor.location], ["orders_rejects", "platform_test_operations", "s3://rejects-22f5633/orders/"]);
        assert.strictEqual(rejects.parameters["storage.location.template"], "s3://rejects-22f5633/orders/error_type=${error_type}/dt=${dt}/hour=${hour}/");
        const arrivals = named(resources, "aws:glue/catalogTable:CatalogTable", "query-orders-arrivals").inputs;
        assert.deepStrictEqual(arrivals.storageDescriptor.columns.map((c: { name: string }) => c.name), ["order_id", "event_time", "_ingest"]);
    });

    it("deploys the named queries in their audience's workgroup", async () => {
        const { resources } = await construct(build);
        const queries = namesOf(resources, namedQueryType);
        assert.ok(["query-orders-daily-sales-by-region", "query-orders-late-records", "query-orders-rejects-last-day"].every((name) => queries.includes(name)), queries.join(", "));
        // Every dataset gets its late-records and rejects queries.
        for (const dataset of datasets) {
            const slug = dataset.name.replace(/_/g, "-");
            assert.ok(queries.includes(`query-${slug}-late-records`) && queries.includes(`query-${slug}-rejects-last-day`), `${dataset.name}: ${queries.join(", ")}`);
        }
        const sales = named(resources, namedQueryType, "query-orders-daily-sales-by-region").inputs;
        assert.deepStrictEqual([sales.workgroup, sales.database], ["platform-test-analysts", "platform_test_curated"]);
        assert.deepStrictEqual(named(resources, namedQueryType, "query-orders-late-records").inputs.workgroup, "platform-test-pipeline");
    });

    it("protects the results bucket and the operations database when the context protects data", async () => {
        const { resources } = await construct(build, { protectData: true });
        assert.strictEqual(named(resources, "aws:s3/bucket:Bucket", "query-results").protect, true);
        assert.strictEqual(named(resources, "aws:s3/bucket:Bucket", "query-results").inputs.forceDestroy, false);
        assert.strictEqual(named(resources, "aws:glue/catalogDatabase:CatalogDatabase", "query-operations").protect, true);
    });
});
