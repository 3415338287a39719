import * as assert from "assert";
import { DatabaseSourceConfig } from "../../../../infra/config";
import { Databases } from "../../../../infra/databases";
import { changeFilePattern } from "../../../../infra/databases/decisions";
import { landingRolePolicy, replicationRolePolicy } from "../../../../infra/databases/iam";
import { PlatformContext } from "../../../../infra/shared/context";
import { customers } from "../../../../runtime/datasets";
import { bucket, construct, named, ofType, testKeys } from "./harness";

const secretArn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:shop-cdc-AbCdEf";
const source: DatabaseSourceConfig = {
    engine: "postgres",
    endpoint: "db.example.com",
    port: 5432,
    database: "shop",
    credentials: { kind: "existing", secretArn },
    tlsMode: "verify-full",
    caCertificateArn: "arn:aws:dms:us-east-1:123456789012:cert:RDSCA",
    tables: [{ schema: "public", table: "customers", dataset: customers, key: ["id"] }],
};

function databases(context: PlatformContext, config: DatabaseSourceConfig = source) {
    return new Databases("databases", { context, source: config, network: { vpcId: "vpc-1", privateSubnetIds: ["subnet-a", "subnet-b"] }, rawBucket: bucket("raw"), rejectsBucket: bucket("rejects") });
}

const T = {
    endpoint: "aws:dms/endpoint:Endpoint",
    s3Endpoint: "aws:dms/s3Endpoint:S3Endpoint",
    replication: "aws:dms/replicationConfig:ReplicationConfig",
    sg: "aws:ec2/securityGroup:SecurityGroup",
    secret: "aws:secretsmanager/secret:Secret",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    fn: "aws:lambda/function:Function",
    rule: "aws:cloudwatch/eventRule:EventRule",
    target: "aws:cloudwatch/eventTarget:EventTarget",
    queue: "aws:sqs/queue:Queue",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    notification: "aws:s3/bucketNotification:BucketNotification",
    permission: "aws:lambda/permission:Permission",
    invokeConfig: "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
};

describe("Databases, constructed alone", () => {
    it("reads credentials from the configured secret and verifies the server's certificate", async () => {
        const { resources } = await construct(databases);
        const endpoint = named(resources, T.endpoint, "databases-source").inputs;
        assert.deepStrictEqual([endpoint.secretsManagerArn, endpoint.sslMode, endpoint.certificateArn, endpoint.engineName], [secretArn, "verify-full", source.caCertificateArn, "postgres"]);
        assert.strictEqual(endpoint.password, undefined);
        assert.strictEqual(ofType(resources, T.secret).length, 0, "an existing secret is not re-created");
    });

    it("writes the documented change-file format to the raw bucket's DMS folder with the lake key", async () => {
        const { resources } = await construct(databases);
        const target = named(resources, T.s3Endpoint, "databases-target").inputs;
        assert.deepStrictEqual(
            [target.bucketFolder, target.encryptionMode, target.serverSideEncryptionKmsKeyId, target.includeOpForFullLoad, target.cdcInsertsAndUpdates, target.timestampColumnName, target.addColumnName],
            ["_dms", "SSE_KMS", testKeys.lake, true, false, "dms_commit_ts", true],
        );
    });

    it("runs a full load and ongoing changes in the private subnets, encrypted, with the change-sequence column added", async () => {
        const { resources } = await construct(databases);
        const replication = named(resources, T.replication, "databases-replication").inputs;
        assert.strictEqual(replication.replicationType, "full-load-and-cdc");
        assert.strictEqual(replication.computeConfig.kmsKeyId, testKeys.lake);
        const rules = JSON.parse(replication.tableMappings).rules as Record<string, unknown>[];
        assert.deepStrictEqual(rules.map((r) => [r["rule-type"], r["rule-action"]]), [["selection", "include"], ["transformation", "add-column"]]);
        assert.strictEqual(rules[1]?.expression, "$AR_H_CHANGE_SEQ");
    });

    it("lets the replication reach only the source's port and HTTPS, and accepts nothing inbound", async () => {
        const { resources } = await construct(databases);
        const sg = named(resources, T.sg, "databases-sg").inputs;
        assert.deepStrictEqual(sg.egress.map((e: { fromPort: number; toPort: number }) => [e.fromPort, e.toPort]), [[5432, 5432], [443, 443]]);
        assert.strictEqual(sg.ingress, undefined);
    });

    it("creates the secret with the lake key when the config gives a secret password instead", async () => {
        const { resources } = await construct((c) => databases(c, { ...source, credentials: { kind: "create", username: "cdc", password: "pw" } }));
        assert.strictEqual(named(resources, T.secret, "databases-credentials").inputs.kmsKeyId, testKeys.lake);
    });

    it("registers the failed-or-stopped and the source and target latency alarms", async () => {
        const { component } = await construct(databases);
        assert.deepStrictEqual(component.alarms.map((a) => a.name).sort(), [
            "databases-landing-errors",
            "databases-landing-failed-files",
            "databases-landing-public-customers-rejects-rate",
            "databases-replication-failed",
            "databases-source-latency",
            "databases-target-latency",
        ]);
    });

    it("grants DMS only its secret, the DMS folder of the raw bucket and the lake key", () => {
        const document = replicationRolePolicy({ rawBucketArn: "arn:aws:s3:::raw", lakeKeyArn: testKeys.lake, secretArn, region: "us-east-1", accountId: "123456789012", partition: "aws" });
        const resources = document.Statement.flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]));
        assert.ok(!resources.includes("*"));
        assert.ok(resources.every((r) => r === secretArn || r === testKeys.lake || r === "arn:aws:s3:::raw" || r.startsWith("arn:aws:s3:::raw/_dms/") || r === "arn:aws:kms:us-east-1:123456789012:key/*"), resources.join(", "));
        const viaSecrets = document.Statement.find((s) => s.Sid === "DecryptSourceCredentialsViaSecretsManager");
        assert.deepStrictEqual(viaSecrets?.Condition, { StringEquals: { "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com" } });
    });

    it("lands change files with a Node 22 function of its own role, reserved concurrency, X-Ray, encrypted logs and environment", async () => {
        const { resources } = await construct(databases);
        const fn = named(resources, T.fn, "databases-landing").inputs;
        assert.deepStrictEqual([fn.runtime, fn.reservedConcurrentExecutions, fn.tracingConfig.mode, fn.kmsKeyArn], ["nodejs22.x", 2, "Active", testKeys.streaming]);
        assert.deepStrictEqual(fn.environment.variables.CDC_TABLES, "public.customers=customers:id");
        assert.strictEqual(fn.environment.variables.CDC_DMS_FOLDER, "_dms");
        // the source's lineage name, so the landing runs start at the captured tables
        assert.strictEqual(fn.environment.variables.CDC_SOURCE, `postgres://db.example.com:5432/${source.database}`);
        assert.strictEqual(named(resources, T.logGroup, "databases-landing-logs").inputs.kmsKeyId, testKeys.observability);
        assert.ok(String(fn.role).includes("databases-landing-role"), `role ${fn.role}`);
    });

    it("triggers the function from the raw bucket's EventBridge events for CSV files under _dms/, with retries and a dead-letter queue", async () => {
        const { resources } = await construct(databases);
        assert.strictEqual(named(resources, T.notification, "databases-raw-events").inputs.eventbridge, true);
        const pattern = JSON.parse(named(resources, T.rule, "databases-landing-created").inputs.eventPattern);
        assert.deepStrictEqual(pattern.detail.object.key, [{ wildcard: "_dms/*.csv" }]);
        const target = named(resources, T.target, "databases-landing-target").inputs;
        assert.ok(target.deadLetterConfig.arn, "the rule's target has a dead-letter queue");
        assert.strictEqual(named(resources, T.queue, "databases-landing-failed").inputs.kmsMasterKeyId, testKeys.streaming);
        assert.strictEqual(named(resources, T.permission, "databases-landing-invoke").inputs.principal, "events.amazonaws.com");
        assert.strictEqual(named(resources, T.invokeConfig, "databases-landing-async").inputs.maximumRetryAttempts, 2);
        assert.ok(named(resources, T.fn, "databases-landing").inputs.deadLetterConfig.targetArn);
    });

    it("the change-file pattern matches only its own bucket and the DMS folder", () => {
        assert.deepStrictEqual(changeFilePattern("raw-b").detail, { bucket: { name: ["raw-b"] }, object: { key: [{ wildcard: "_dms/*.csv" }] } });
    });

    it("grants the landing only the change files, its datasets' prefixes, the lake key, its logs and its queue", () => {
        const document = landingRolePolicy({
            datasets: ["customers"],
            rawBucketArn: "arn:aws:s3:::raw",
            rejectsBucketArn: "arn:aws:s3:::rejects",
            lakeKeyArn: testKeys.lake,
            logGroupArn: "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/x",
            failureQueueArn: "arn:aws:sqs:us-east-1:123456789012:q",
            failureQueueKeyArn: testKeys.streaming,
        });
        const actions = document.Statement.flatMap((s) => ([] as string[]).concat(s.Action as string | string[]));
        assert.ok(!actions.some((a) => a.includes("*") || a === "s3:DeleteObject" || a === "s3:ListBucket"), actions.join(", "));
        const s3Resources = document.Statement.filter((s) => String(s.Sid).match(/ChangeFiles|LandRows/)).flatMap((s) => ([] as string[]).concat(s.Resource as string | string[]));
        assert.deepStrictEqual(s3Resources, ["arn:aws:s3:::raw/_dms/*", "arn:aws:s3:::raw/customers/*", "arn:aws:s3:::rejects/customers/*"]);
        const wildcard = document.Statement.filter((s) => s.Resource === "*").flatMap((s) => ([] as string[]).concat(s.Action as string | string[]));
        assert.deepStrictEqual(wildcard, ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]);
    });
});
