import * as assert from "assert";
import { parseCidr, planSubnets } from "../../../infra/config/network";
import { lifecycleRules, bucketPolicy } from "../../../infra/lake/decisions";
import { keyPolicy } from "../../../infra/keys/iam";
import { mskConfigurationName, mskServerProperties, topicConfigs } from "../../../infra/streaming/decisions";
import { AlarmSpec, dashboardBody, metricAlarmArgs } from "../../../infra/observability/alarms";
import { ingestAlarms } from "../../../infra/ingest/decisions";
import { mskAlarms } from "../../../infra/streaming/decisions";
import { pipelineAlarms } from "../../../infra/orchestration/decisions";
import { warehouseAlarms, warehouseParametersFor, zeroEtlDataFilter, zeroEtlEncryptionContext, zeroEtlResourcePolicy } from "../../../infra/warehouse/decisions";
import { aggregateTables, rawTable, curatedTable } from "../../../infra/catalog/decisions";
import { orders } from "../../../runtime/datasets";

describe("network decisions", () => {
    const cases: [string, unknown][] = [
        ["10.20.0.0/16", { base: "10.20.0.0", prefix: 16 }],
        ["192.168.0.0/22", { base: "192.168.0.0", prefix: 22 }],
        ["10.20.0.0", "not of the form a.b.c.d/n"],
        ["10.300.0.0/16", "an octet is above 255"],
        ["10.0.0.0/33", "the prefix length is above 32"],
        ["10.20.0.1/16", "host bits are set; the network address is 10.20.0.0/16"],
    ];
    for (const [text, expected] of cases) {
        it(`parses ${text}`, () => assert.deepStrictEqual(parseCidr(text), expected));
    }
    const plans: [number, number, boolean, unknown][] = [
        [16, 3, true, { privateMask: 18, publicMask: 20 }],
        [16, 2, false, { privateMask: 18 }],
        [22, 3, true, { privateMask: 24, publicMask: 26 }],
        [23, 3, true, "/23 leaves private subnets of /25, smaller than /24"],
        [12, 3, true, "/12 is larger than the /16 a VPC may have"],
        [16, 4, true, "4 AZs cannot be laid out; use 1 to 3"],
    ];
    for (const [prefix, azs, withPublic, expected] of plans) {
        it(`plans a /${prefix} VPC over ${azs} AZs ${withPublic ? "with" : "without"} public subnets`, () => {
            assert.deepStrictEqual(planSubnets({ base: "10.0.0.0", prefix }, azs, withPublic), expected);
        });
    }
});

describe("lake decisions", () => {
    const lake = { infrequentAccessDays: 30, archiveDays: 180, noncurrentVersionDays: 30, rejectsExpirationDays: 400 };
    const table: [Parameters<typeof lifecycleRules>[0], string[], number | undefined][] = [
        ["raw", ["STANDARD_IA@30", "GLACIER_IR@180"], undefined],
        ["curated", ["STANDARD_IA@30"], undefined],
        ["rejects", ["STANDARD_IA@30", "GLACIER_IR@180"], 400],
        ["artifacts", [], undefined],
        ["accessLogs", ["STANDARD_IA@30"], 400],
    ];
    for (const [zone, transitions, expiration] of table) {
        it(`tiers the ${zone} zone and cleans up versions and uploads`, () => {
            const [rule] = lifecycleRules(zone, lake);
            assert.deepStrictEqual((rule.transitions ?? []).map((t) => `${t.storageClass}@${t.days}`), transitions);
            assert.strictEqual(rule.expiration?.days, expiration);
            assert.deepStrictEqual(rule.noncurrentVersionExpiration, { noncurrentDays: 30 });
            assert.deepStrictEqual(rule.abortIncompleteMultipartUpload, { daysAfterInitiation: 1 });
        });
    }
    it("denies plain HTTP and TLS below 1.2 on every bucket, and admits log delivery only to the access-log bucket", () => {
        const raw = bucketPolicy("raw", "arn:aws:s3:::raw", "111122223333", []);
        assert.deepStrictEqual(raw.Statement.map((s) => s.Sid), ["DenyInsecureTransport", "DenyTlsBelow12"]);
        const logs = bucketPolicy("accessLogs", "arn:aws:s3:::logs", "111122223333", ["arn:aws:s3:::raw"]);
        const delivery = logs.Statement.find((s) => s.Sid === "S3ServerAccessLogDelivery")!;
        assert.deepStrictEqual(delivery.Condition, { ArnLike: { "aws:SourceArn": ["arn:aws:s3:::raw"] }, StringEquals: { "aws:SourceAccount": "111122223333" } });
    });
});

describe("key policies", () => {
    const ctx = { partition: "aws", accountId: "111122223333", region: "us-east-1" };
    it("lets only the account administer each key, and only the observability key serve CloudWatch Logs and the alarm publishers", () => {
        for (const domain of ["lake", "streaming", "warehouse"] as const) {
            assert.ok(!JSON.stringify(keyPolicy(domain, ctx)).includes("logs.us-east-1.amazonaws.com"), domain);
        }
        const observability = keyPolicy("observability", ctx);
        assert.deepStrictEqual(observability.Statement.map((s) => s.Sid), [
            "AccountAdministersKeyThroughIam",
            "CloudWatchLogsEncryptsThisAccountsLogGroups",
            "AlarmPublishersUseKeyForTopic",
            "CloudTrailEncryptsThisAccountsTrails",
            "CloudTrailDescribesKey",
        ]);
        assert.deepStrictEqual(observability.Statement[1].Condition, { ArnLike: { "kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:us-east-1:111122223333:*" } });
    });

    it("lets CloudTrail encrypt with the observability key only for this account's trails", () => {
        const trail = keyPolicy("observability", ctx).Statement.find((s) => s.Sid === "CloudTrailEncryptsThisAccountsTrails")!;
        assert.deepStrictEqual([trail.Principal, trail.Action], [{ Service: "cloudtrail.amazonaws.com" }, "kms:GenerateDataKey*"]);
        assert.deepStrictEqual(trail.Condition, {
            StringLike: { "kms:EncryptionContext:aws:cloudtrail:arn": "arn:aws:cloudtrail:*:111122223333:trail/*" },
            StringEquals: { "aws:SourceAccount": "111122223333" },
        });
        for (const domain of ["lake", "streaming", "warehouse"] as const) {
            assert.ok(!JSON.stringify(keyPolicy(domain, ctx)).includes("cloudtrail.amazonaws.com"), domain);
        }
    });

    it("lets Redshift create a zero-ETL integration's grants on the warehouse key only, under the integration's encryption context", () => {
        const zeroEtl = { ...ctx, zeroEtlEncryptionContext: zeroEtlEncryptionContext("platform-prod") };
        const grant = keyPolicy("warehouse", zeroEtl).Statement.find((s) => s.Sid === "RedshiftGrantsForZeroEtlIntegration")!;
        assert.deepStrictEqual([grant.Principal, grant.Action, grant.Resource], [{ Service: "redshift.amazonaws.com" }, "kms:CreateGrant", "*"]);
        assert.deepStrictEqual(grant.Condition, {
            StringEquals: { "kms:EncryptionContext:platform:integration": "platform-prod-zero-etl" },
            "ForAllValues:StringEquals": { "kms:GrantOperations": ["Decrypt", "GenerateDataKey", "CreateGrant"] },
        });
        for (const domain of ["lake", "streaming", "observability"] as const) {
            assert.ok(!JSON.stringify(keyPolicy(domain, zeroEtl)).includes("redshift.amazonaws.com"), domain);
        }
        assert.ok(!JSON.stringify(keyPolicy("warehouse", ctx)).includes("redshift.amazonaws.com"), "no grant without an integration");
    });
});

describe("zero-ETL decisions", () => {
    const source = { clusterArn: "arn:aws:rds:us-east-1:111122223333:cluster:shop", engine: "aurora-postgresql" as const, database: "shop", tables: [{ schema: "public", table: "customers" }, { schema: "crm", table: "accounts" }] };

    it("replicates only the captured tables: database.schema.table for PostgreSQL, database.table for MySQL", () => {
        assert.strictEqual(zeroEtlDataFilter(source), "include: shop.public.customers, include: shop.crm.accounts");
        assert.strictEqual(zeroEtlDataFilter({ ...source, engine: "aurora-mysql", tables: [{ schema: "shop", table: "customers" }] }), "include: shop.customers");
    });

    it("adds enable_case_sensitive_identifier to the warehouse parameters only with an integration", () => {
        assert.deepStrictEqual(warehouseParametersFor({ zeroEtl: false }).map((p) => p.name), ["require_ssl", "enable_user_activity_logging"]);
        assert.deepStrictEqual(warehouseParametersFor({ zeroEtl: true }).slice(-1), [{ name: "enable_case_sensitive_identifier", value: "true" }]);
    });

    it("authorizes the one cluster for the Redshift service and inbound integrations for the account", () => {
        const policy = zeroEtlResourcePolicy({ namespaceArn: "arn:aws:redshift:us-east-1:111122223333:namespace:abc", sourceArn: source.clusterArn, partition: "aws", accountId: "111122223333" });
        assert.deepStrictEqual(policy.Statement.map((s) => [s.Principal, s.Action, s.Condition]), [
            [{ Service: "redshift.amazonaws.com" }, "redshift:AuthorizeInboundIntegration", { StringEquals: { "aws:SourceArn": source.clusterArn } }],
            [{ AWS: "arn:aws:iam::111122223333:root" }, "redshift:CreateInboundIntegration", undefined],
        ]);
    });
});

describe("streaming decisions", () => {
    it("configures brokers for durability: no auto-created topics, RF 3, min ISR 2, no unclean elections", () => {
        const props = mskServerProperties(3);
        assert.strictEqual(props["auto.create.topics.enable"], "false");
        assert.strictEqual(props["default.replication.factor"], "3");
        assert.strictEqual(props["min.insync.replicas"], "2");
        assert.strictEqual(props["unclean.leader.election.enable"], "false");
        assert.strictEqual(topicConfigs(6)["min.insync.replicas"], "2");
    });
    it("names the MSK configuration by its content so a change never collides with the old one", () => {
        const base = { kafkaVersion: "3.9.x", brokerCount: 3, instanceType: "kafka.m7g.large", volumeGiB: 100, maxVolumeGiB: 500, topicPartitions: 6, clientAuth: { modes: ["iam" as const], scramSecretArns: [], certificateAuthorityArns: [] }, enhancedMonitoring: "DEFAULT" as const };
        assert.strictEqual(mskConfigurationName("p", base), mskConfigurationName("p", { ...base, volumeGiB: 900 }));
        assert.notStrictEqual(mskConfigurationName("p", base), mskConfigurationName("p", { ...base, kafkaVersion: "3.8.x" }));
        assert.match(mskConfigurationName("platform-prod", base), /^platform-prod-[0-9a-f]{8}$/);
    });
});

describe("observability decisions", () => {
    it("lays the dashboard out in pipeline order with one alarm widget per stage", () => {
        const body = JSON.parse(dashboardBody("us-east-1", "t", new Map([["warehouse", ["b", "a"]], ["streaming", ["s"]]])));
        assert.deepStrictEqual(body.widgets.slice(1).map((w: any) => [w.properties.title, w.properties.alarms]), [
            ["streaming alarms", ["s"]],
            ["warehouse alarms", ["a", "b"]],
        ]);
    });
});

describe("alarms as data", () => {
    const errors: AlarmSpec = {
        name: "ingest-orders-errors",
        stage: "ingest",
        description: "why",
        namespace: "AWS/Lambda",
        metricName: "Errors",
        dimensions: { FunctionName: "f" },
        statistic: "Sum",
        comparisonOperator: "GreaterThanThreshold",
        threshold: 0,
    };

    it("registers a spec under its name, prefixed, notifying the topic on alarm and OK, tagged with its stage", () => {
        const args = metricAlarmArgs(errors, "platform-dev", "topic-arn");
        assert.deepStrictEqual([args.name, args.alarmActions, args.okActions, args.tags], ["platform-dev-ingest-orders-errors", ["topic-arn"], ["topic-arn"], { "pipeline-stage": "ingest" }]);
    });

    it("defaults to one 5-minute period, and to not breaching when there is no data (nothing ran)", () => {
        const args = metricAlarmArgs(errors, "p", "t");
        assert.deepStrictEqual([args.period, args.evaluationPeriods, args.treatMissingData], [300, 1, "notBreaching"]);
        const explicit = metricAlarmArgs({ ...errors, periodSeconds: 60, evaluationPeriods: 3, treatMissingData: "breaching" }, "p", "t");
        assert.deepStrictEqual([explicit.period, explicit.evaluationPeriods, explicit.treatMissingData], [60, 3, "breaching"]);
    });

    it("turns a ratio spec into a percentage of two sums, with no single metric", () => {
        const ref = (metricName: string) => ({ namespace: "N", metricName, dimensions: {} });
        const args = metricAlarmArgs({ name: "r", stage: "ingest", description: "d", ratio: { numerator: ref("Rejected"), denominator: ref("In") }, comparisonOperator: "GreaterThanThreshold", threshold: 5, periodSeconds: 900 }, "p", "t");
        assert.strictEqual(args.metricName, undefined);
        assert.deepStrictEqual((args.metricQueries as any[]).map((q) => [q.id, q.metric?.metricName, q.metric?.period, q.expression]), [
            ["numerator", "Rejected", 900, undefined],
            ["denominator", "In", 900, undefined],
            ["percentage", undefined, undefined, "IF(denominator > 0, 100 * numerator / denominator, 0)"],
        ]);
    });

    it("gives each ingest function seven alarms, watching iterator age on Kinesis and offset lag on MSK", () => {
        const targets = { base: "ingest-orders", dataset: "orders", functionAwsName: "p-ingest-orders", functionName: "p-ingest-orders", queueName: "q", queue: "q", serviceName: "ingest-orders" };
        const kinesis = ingestAlarms({ ...targets, engine: "kinesis" });
        const msk = ingestAlarms({ ...targets, engine: "msk" });
        assert.strictEqual(new Set(kinesis.map((a) => a.name)).size, 7);
        const lag = (specs: AlarmSpec[]) => specs.find((a) => a.name === "ingest-orders-lag") as { metricName: string; threshold: number };
        assert.deepStrictEqual([lag(kinesis).metricName, lag(msk).metricName], ["IteratorAge", "OffsetLag"]);
    });

    it("alarms on each MSK broker's disk and replication, and on the cluster", () => {
        assert.strictEqual(mskAlarms("s", "c", 3).length, 2 + 3 * 2);
        assert.deepStrictEqual(mskAlarms("s", "c", 1).map((a) => a.name), ["s-active-controller", "s-offline-partitions", "s-broker-1-disk", "s-broker-1-under-replicated"]);
    });

    it("alarms on the warehouse by mode: capacity at its maximum (serverless), health and disk (provisioned)", () => {
        const serverless = warehouseAlarms("w", "p", { mode: "serverless", baseRpu: 8, maxRpu: 32, dailyRpuHours: 8, snapshotRetentionDays: 7, adminUser: "a", database: "d" });
        assert.deepStrictEqual(serverless.map((a) => [a.name, a.threshold]), [["w-capacity-saturated", 32]]);
        const provisioned = warehouseAlarms("w", "p", { mode: "provisioned", nodeType: "ra3.xlplus", nodeCount: 1, snapshotRetentionDays: 1, adminUser: "a", database: "d" });
        assert.deepStrictEqual(provisioned.map((a) => a.name), ["w-health", "w-disk"]);
    });

    it("alarms on failed and timed-out pipeline executions and on each dataset's quality", () => {
        assert.deepStrictEqual(pipelineAlarms("o", "arn", "dev", ["a", "b"]).map((s) => `${s.stage}:${s.name}`), ["orchestration:o-failed", "orchestration:o-timed-out", "quality:o-a-quality", "quality:o-b-quality"]);
    });
});

describe("catalog decisions", () => {
    it("projects the raw table's partitions from the dataset's event time, so Athena needs no crawler", () => {
        const table = rawTable(orders, "raw-bucket");
        assert.strictEqual(table.location, "s3://raw-bucket/orders/");
        assert.deepStrictEqual(table.partitionKeys.map((c) => c.name), ["dt", "hour"]);
        assert.strictEqual(table.parameters["storage.location.template"], "s3://raw-bucket/orders/dt=${dt}/hour=${hour}/");
        assert.strictEqual(table.columns.find((c) => c.name === "line_items")?.type, "array<struct<sku:string,quantity:int,unit_price:decimal(10,2)>>");
    });
    it("makes the curated table Parquet by date: the dataset's fields, then the columns its enrichments and conversions add, then provenance", () => {
        const table = curatedTable(orders, "curated-bucket");
        assert.strictEqual(table.format, "parquet");
        assert.deepStrictEqual(table.partitionKeys.map((c) => c.name), ["dt"]);
        assert.deepStrictEqual(table.columns.slice(-14, -8).map((c) => `${c.name}:${c.type}`), ["store_name:string", "country:string", "opened_date:date", "customer_segment:string", "customer_country:string", "amount_usd:decimal(14,2)"]);
        assert.deepStrictEqual(table.columns.slice(-8).map((c) => c.name), ["_raw_object", "_source_engine", "_source_name", "_source_partition", "_source_position", "_source_object", "_source_object_version", "_source_line"]);
        assert.deepStrictEqual(table.columns.slice(0, orders.fields.length).map((c) => c.name), orders.fields.map((f) => f.name));
        assert.strictEqual(table.parameters["storage.location.template"], "s3://curated-bucket/orders/dt=${dt}/");
    });
    it("declares each daily aggregate as its own Parquet table next to the curated one", () => {
        const [table] = aggregateTables(orders, "curated-bucket");
        assert.deepStrictEqual([table.name, table.location], ["orders_daily_sales_by_region", "s3://curated-bucket/orders_daily_sales_by_region/"]);
        assert.deepStrictEqual(table.columns.map((c) => c.name), ["region", "currency", "orders", "customers", "revenue", "average_order_value", "revenue_usd"]);
    });
});
