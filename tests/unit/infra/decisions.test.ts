import * as assert from "assert";
import { parseCidr, planSubnets } from "../../../infra/config/network";
import { lifecycleRules, bucketPolicy } from "../../../infra/lake/decisions";
import { keyPolicy } from "../../../infra/keys/iam";
import { mskConfigurationName, mskServerProperties, topicConfigs } from "../../../infra/streaming/decisions";
import { dashboardBody } from "../../../infra/observability/alarms";
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
        assert.deepStrictEqual(observability.Statement.map((s) => s.Sid), ["AccountAdministersKeyThroughIam", "CloudWatchLogsEncryptsThisAccountsLogGroups", "AlarmPublishersUseKeyForTopic"]);
        assert.deepStrictEqual(observability.Statement[1].Condition, { ArnLike: { "kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:us-east-1:111122223333:*" } });
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
        const base = { kafkaVersion: "3.9.x", brokerCount: 3, instanceType: "kafka.m7g.large", volumeGiB: 100, maxVolumeGiB: 500, topicPartitions: 6 };
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

describe("catalog decisions", () => {
    it("projects the raw table's partitions from the dataset's event time, so Athena needs no crawler", () => {
        const table = rawTable(orders, "raw-bucket");
        assert.strictEqual(table.location, "s3://raw-bucket/orders/");
        assert.deepStrictEqual(table.partitionKeys.map((c) => c.name), ["dt", "hour"]);
        assert.strictEqual(table.parameters["storage.location.template"], "s3://raw-bucket/orders/dt=${dt}/hour=${hour}/");
        assert.strictEqual(table.columns.find((c) => c.name === "line_items")?.type, "array<struct<sku:string,quantity:int,unit_price:decimal(10,2)>>");
    });
    it("makes the curated table Parquet by date: the dataset's fields, then the columns its enrichments add", () => {
        const table = curatedTable(orders, "curated-bucket");
        assert.strictEqual(table.format, "parquet");
        assert.deepStrictEqual(table.partitionKeys.map((c) => c.name), ["dt"]);
        assert.deepStrictEqual(table.columns.slice(-3).map((c) => `${c.name}:${c.type}`), ["store_name:string", "country:string", "opened_date:date"]);
        assert.deepStrictEqual(table.columns.slice(0, orders.fields.length).map((c) => c.name), orders.fields.map((f) => f.name));
        assert.strictEqual(table.parameters["storage.location.template"], "s3://curated-bucket/orders/dt=${dt}/");
    });
    it("declares each daily aggregate as its own Parquet table next to the curated one", () => {
        const [table] = aggregateTables(orders, "curated-bucket");
        assert.deepStrictEqual([table.name, table.location], ["orders_daily_sales_by_region", "s3://curated-bucket/orders_daily_sales_by_region/"]);
        assert.deepStrictEqual(table.columns.map((c) => c.name), ["region", "currency", "orders", "customers", "revenue", "average_order_value"]);
    });
});
