import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { FileDropsConfig } from "../../../../infra/config";
import { FileDrops } from "../../../../infra/filedrops";
import { fileDropRolePolicy } from "../../../../infra/filedrops/iam";
import { draftsCrawlerConfiguration, landingLifecycleRules, objectCreatedPattern } from "../../../../infra/filedrops/decisions";
import { draftsCrawlerRolePolicy } from "../../../../infra/filedrops/iam";
import { PlatformContext } from "../../../../infra/shared/context";
import { bucket, construct, named, namesOf, types } from "./harness";

const settings: FileDropsConfig = {
    drops: [{ name: "store_inventory", dataset: "store_inventory", prefix: "incoming/store_inventory/", formats: ["csv", "parquet"], maxFileMiB: 64 }],
    chunkRows: 100000,
    memoryMb: 1024,
    timeoutSeconds: 900,
    reservedConcurrency: 5,
    processedExpirationDays: 30,
    quarantineExpirationDays: 90,
};
const batch = {
    jobQueueArn: pulumi.output("arn:aws:batch:us-east-1:123456789012:job-queue/platform-test-batch"),
    jobDefinitionArn: pulumi.output("arn:aws:batch:us-east-1:123456789012:job-definition/platform-test-batch:1"),
    jobRoleName: pulumi.output("batch-job-role"),
};

function fileDrops(config: FileDropsConfig = settings) {
    return (context: PlatformContext) =>
        new FileDrops("files", { context, fileDrops: config, lake: { noncurrentVersionDays: 7 }, rawBucket: bucket("raw"), rejectsBucket: bucket("rejects"), accessLogsBucket: bucket("access-logs"), batch });
}

describe("FileDrops, constructed alone", () => {
    it("declares a landing bucket with the lake key, versioning, blocked public access, TLS-only policy, access logs and EventBridge notifications", async () => {
        const { resources } = await construct(fileDrops());
        const landing = named(resources, types.bucket, "files-landing");
        assert.strictEqual(landing.inputs.bucket, "platform-test-landing-123456789012");
        assert.deepStrictEqual(named(resources, types.sse, "files-landing").inputs.rules, [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: "arn:aws:kms:us-east-1:123456789012:key/lake" }, bucketKeyEnabled: true }]);
        assert.strictEqual(named(resources, "aws:s3/bucketVersioning:BucketVersioning", "files-landing").inputs.versioningConfiguration.status, "Enabled");
        const block = named(resources, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "files-landing").inputs;
        assert.deepStrictEqual([block.blockPublicAcls, block.blockPublicPolicy, block.ignorePublicAcls, block.restrictPublicBuckets], [true, true, true, true]);
        const policy = JSON.parse(named(resources, "aws:s3/bucketPolicy:BucketPolicy", "files-landing").inputs.policy);
        assert.deepStrictEqual(policy.Statement.map((s: { Sid: string }) => s.Sid), ["DenyInsecureTransport", "DenyTlsBelow12"]);
        assert.strictEqual(named(resources, "aws:s3/bucketLogging:BucketLogging", "files-landing").inputs.targetPrefix, "landing/");
        assert.strictEqual(named(resources, "aws:s3/bucketNotification:BucketNotification", "files-landing").inputs.eventbridge, true);
    });

    it("routes Object Created events under the drop's prefix to its function, with retries and a dead-letter queue", async () => {
        const { resources } = await construct(fileDrops());
        const rule = named(resources, "aws:cloudwatch/eventRule:EventRule", "files-store_inventory-created");
        assert.deepStrictEqual(JSON.parse(rule.inputs.eventPattern), objectCreatedPattern("platform-test-landing-123456789012", "incoming/store_inventory/"));
        const target = named(resources, "aws:cloudwatch/eventTarget:EventTarget", "files-store_inventory-target");
        assert.ok(target.inputs.deadLetterConfig.arn);
        const fn = named(resources, types.function, "files-store_inventory");
        assert.deepStrictEqual([fn.inputs.name, fn.inputs.reservedConcurrentExecutions, fn.inputs.kmsKeyArn, fn.inputs.tracingConfig.mode], ["platform-test-files-store_inventory", 5, "arn:aws:kms:us-east-1:123456789012:key/streaming", "Active"]);
        assert.ok(fn.inputs.role, "an explicit role, never CallbackFunction's default");
        assert.ok(fn.inputs.deadLetterConfig.targetArn);
        const vars = fn.inputs.environment.variables;
        assert.deepStrictEqual([vars.FILE_DROP, vars.DATASET, vars.FILE_FORMATS, vars.FILE_MAX_BYTES], ["store_inventory", "store_inventory", "csv,parquet", String(64 * 1024 * 1024)]);
        assert.strictEqual(named(resources, "aws:lambda/permission:Permission", "files-store_inventory-invoke").inputs.principal, "events.amazonaws.com");
        assert.strictEqual(named(resources, types.queue, "files-store_inventory-failed").inputs.kmsMasterKeyId, "arn:aws:kms:us-east-1:123456789012:key/streaming");
    });

    it("registers its alarms: errors, failed files, quarantined files and the rejects rate", async () => {
        const { component, resources } = await construct(fileDrops());
        const expected = ["errors", "failed-files", "quarantined", "rejects-rate"].map((s) => `files-store_inventory-${s}`);
        assert.deepStrictEqual(namesOf(resources, types.alarm), expected);
        assert.deepStrictEqual(component.alarms.map((a) => a.name).sort(), expected);
    });

    it("gives the Batch job role the drops' landing access, and declares only the bucket when there are no drops", async () => {
        const some = await construct(fileDrops());
        const grant = named(some.resources, "aws:iam/rolePolicy:RolePolicy", "files-batch-landing");
        assert.strictEqual(grant.inputs.role, "batch-job-role");
        const none = await construct(fileDrops({ ...settings, drops: [] }));
        assert.deepStrictEqual(namesOf(none.resources, types.function), []);
        assert.deepStrictEqual(namesOf(none.resources, "aws:iam/rolePolicy:RolePolicy"), []);
        assert.deepStrictEqual(namesOf(none.resources, types.bucket).filter((n) => n.startsWith("files")), ["files-landing"]);
    });
});

describe("FileDrops with a drafts crawler", () => {
    const drafts = fileDrops({ ...settings, drafts: { prefix: "drafts/", schedule: "cron(0 3 * * ? *)" } });

    it("crawls the drafts prefix of the landing bucket into the drafts database on its schedule, logging schema changes", async () => {
        const { resources } = await construct(drafts);
        const crawler = named(resources, "aws:glue/crawler:Crawler", "files-drafts");
        const landing = named(resources, types.bucket, "files-landing");
        assert.deepStrictEqual(
            [crawler.inputs.name, crawler.inputs.databaseName, crawler.inputs.s3Targets, crawler.inputs.schedule, crawler.inputs.schemaChangePolicy],
            ["platform-test-file-drop-drafts", "platform_test_drafts", [{ path: `s3://${landing.inputs.bucket}/drafts/` }], "cron(0 3 * * ? *)", { updateBehavior: "LOG", deleteBehavior: "LOG" }],
        );
        assert.deepStrictEqual(JSON.parse(crawler.inputs.configuration), { Version: 1, Grouping: { TableLevelConfiguration: 3, TableGroupingPolicy: "CombineCompatibleSchemas" } });
        assert.strictEqual(named(resources, "aws:glue/catalogDatabase:CatalogDatabase", "files-drafts").inputs.createTableDefaultPermissions.length, 0);
    });

    it("encrypts what the crawler writes with the platform keys and runs it under a Glue role limited to its prefix and database", async () => {
        const { resources } = await construct(drafts);
        const security = named(resources, "aws:glue/securityConfiguration:SecurityConfiguration", "files-drafts");
        assert.strictEqual(named(resources, "aws:glue/crawler:Crawler", "files-drafts").inputs.securityConfiguration, security.inputs.name);
        assert.deepStrictEqual(security.inputs.encryptionConfiguration.jobBookmarksEncryption, { jobBookmarksEncryptionMode: "CSE-KMS", kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/lake" });
        const grants = ["files-drafts-crawler-database", "files-drafts-crawler-tables"].map((n) => named(resources, "aws:lakeformation/permissions:Permissions", n).inputs.permissions);
        assert.deepStrictEqual(grants, [["CREATE_TABLE", "DESCRIBE"], ["ALTER", "DESCRIBE"]]);
    });

    it("sends failed crawls to the alarm topic and alarms on them", async () => {
        const { resources } = await construct(drafts);
        const rule = named(resources, "aws:cloudwatch/eventRule:EventRule", "files-drafts-failed-crawls");
        assert.deepStrictEqual(JSON.parse(rule.inputs.eventPattern), { source: ["aws.glue"], "detail-type": ["Glue Crawler State Change"], detail: { crawlerName: ["platform-test-file-drop-drafts"], state: ["Failed"] } });
        const alarm = named(resources, types.alarm, "files-drafts-failed-crawls");
        assert.deepStrictEqual(alarm.inputs.dimensions, { RuleName: rule.inputs.name });
    });

    it("declares nothing of it without a drafts prefix", async () => {
        const { resources } = await construct(fileDrops());
        assert.deepStrictEqual([...namesOf(resources, "aws:glue/crawler:Crawler"), ...namesOf(resources, "aws:glue/catalogDatabase:CatalogDatabase")], []);
    });

    it("makes each partner folder a table, however deep the drafts prefix", () => {
        assert.strictEqual((draftsCrawlerConfiguration("partners/drafts/").Grouping as { TableLevelConfiguration: number }).TableLevelConfiguration, 4);
    });

    it("lets the crawler read only the drafts prefix and create, never update or delete, tables in the drafts database", () => {
        const doc = draftsCrawlerRolePolicy({ partition: "aws", region: "us-east-1", accountId: "123456789012", landingBucketArn: "arn:aws:s3:::landing", prefix: "drafts/", lakeKeyArn: "arn:aws:kms:us-east-1:123456789012:key/lake", database: "platform_test_drafts" });
        const actions = doc.Statement.flatMap((s) => [s.Action].flat());
        assert.deepStrictEqual(actions.filter((a) => /^glue:(Update|Delete|BatchDelete)/.test(a) || a === "s3:PutObject" || a === "s3:DeleteObject"), []);
        assert.deepStrictEqual(doc.Statement.find((s) => s.Sid === "ReadDraftFiles")?.Resource, "arn:aws:s3:::landing/drafts/*");
    });
});

describe("file drop decisions", () => {
    it("expires processed files by tag and quarantined copies by prefix, keeping manifests", () => {
        const rules = landingLifecycleRules({ processedExpirationDays: 30, quarantineExpirationDays: 90 }, 7);
        assert.deepStrictEqual(
            rules.map((r) => [r.id, r.filter, r.expiration?.days]),
            [
                ["processed-landed", { tag: { key: "platform-status", value: "landed" } }, 30],
                ["processed-duplicate", { tag: { key: "platform-status", value: "duplicate" } }, 30],
                ["processed-quarantined", { tag: { key: "platform-status", value: "quarantined" } }, 30],
                ["quarantine", { prefix: "_quarantine/" }, 90],
                ["old-versions", { prefix: "" }, undefined],
            ],
        );
    });

    it("grants the function its drop's files, its dataset's prefixes and SubmitJob on the platform's queue and definition only", () => {
        const doc = fileDropRolePolicy({
            drop: "store_inventory",
            dataset: "store_inventory",
            keyPrefix: "incoming/store_inventory/",
            landingBucketArn: "arn:aws:s3:::landing",
            rawBucketArn: "arn:aws:s3:::raw",
            rejectsBucketArn: "arn:aws:s3:::rejects",
            lakeKeyArn: "arn:aws:kms:us-east-1:1:key/lake",
            logGroupArn: "arn:aws:logs:us-east-1:1:log-group:/aws/lambda/f",
            failureQueueArn: "arn:aws:sqs:us-east-1:1:q",
            failureQueueKeyArn: "arn:aws:kms:us-east-1:1:key/streaming",
            batch: { jobQueueArn: "arn:aws:batch:us-east-1:1:job-queue/q", jobDefinitionArn: "arn:aws:batch:us-east-1:1:job-definition/d:1" },
        });
        const bySid = new Map(doc.Statement.map((s) => [s.Sid, s]));
        assert.deepStrictEqual(bySid.get("HandLargeFilesToBatch")?.Resource, ["arn:aws:batch:us-east-1:1:job-queue/q", "arn:aws:batch:us-east-1:1:job-definition/d:1"]);
        assert.strictEqual(bySid.get("ReadAndTagFilesOfStoreInventory")?.Resource, "arn:aws:s3:::landing/incoming/store_inventory/*");
        assert.deepStrictEqual(bySid.get("LandRowsOfThisDataset")?.Resource, ["arn:aws:s3:::raw/store_inventory/*", "arn:aws:s3:::rejects/store_inventory/*"]);
        const wildcards = doc.Statement.filter((s) => s.Resource === "*" || (Array.isArray(s.Resource) && s.Resource.includes("*")));
        assert.deepStrictEqual(wildcards.map((s) => s.Sid), ["XRayHasNoResourceLevelPermissions"]);
        assert.ok(doc.Statement.every((s) => ![s.Action].flat().some((a) => String(a).includes("Delete"))), "never deletes");
    });
});
