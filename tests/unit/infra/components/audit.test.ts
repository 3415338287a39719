import * as assert from "assert";
import { Audit } from "../../../../infra/audit";
import { AuditConfig } from "../../../../infra/config";
import { PlatformContext } from "../../../../infra/shared/context";
import { bucket, construct, named, namesOf, ofType, promiseOf, types } from "./harness";

const trailType = "aws:cloudtrail/trail:Trail";
const filterType = "aws:cloudwatch/logMetricFilter:LogMetricFilter";
const defaults: AuditConfig = { readDataEvents: false, retentionDays: 400 };

function audit(config: AuditConfig) {
    return (context: PlatformContext) => {
        const curated = bucket("curated");
        return new Audit("audit", { context, audit: config, lakeBuckets: [bucket("raw"), curated], curatedBucket: curated, accessLogsBucket: bucket("access-logs"), catalogEncryption: curated, workgroupName: "platform-test-pipeline" });
    };
}

describe("Audit, constructed alone", () => {
    it("declares a multi-region trail with log-file validation, the observability key and CloudWatch Logs delivery", async () => {
        const { resources } = await construct(audit(defaults));
        const trail = named(resources, trailType, "audit-trail").inputs;
        assert.deepStrictEqual(
            [trail.name, trail.isMultiRegionTrail, trail.includeGlobalServiceEvents, trail.enableLogFileValidation, trail.enableLogging, trail.kmsKeyId, trail.s3BucketName],
            ["platform-test-audit", true, true, true, true, "arn:aws:kms:us-east-1:123456789012:key/observability", "platform-test-audit-trail-123456789012"],
        );
        assert.match(trail.cloudWatchLogsGroupArn, /\/aws\/cloudtrail\/platform-test-audit:\*$/);
        const logs = JSON.parse(named(resources, "aws:iam/rolePolicy:RolePolicy", "audit-trail-logs").inputs.policy);
        assert.deepStrictEqual(logs.Statement[0].Action, ["logs:CreateLogStream", "logs:PutLogEvents"]);
        assert.match(logs.Statement[0].Resource, /:log-stream:\*$/);
    });

    it("records management writes and the lake's object writes and deletes, not reads, by default", async () => {
        const { resources } = await construct(audit(defaults));
        const selectors = named(resources, trailType, "audit-trail").inputs.advancedEventSelectors;
        assert.deepStrictEqual(selectors[0].fieldSelectors, [{ field: "eventCategory", equals: ["Management"] }, { field: "readOnly", equals: ["false"] }]);
        assert.deepStrictEqual(selectors[1].fieldSelectors, [
            { field: "eventCategory", equals: ["Data"] },
            { field: "resources.type", equals: ["AWS::S3::Object"] },
            { field: "readOnly", equals: ["false"] },
            { field: "resources.ARN", startsWiths: ["arn:aws:s3:::raw-d7439be/", "arn:aws:s3:::curated-97237ed/"] },
        ]);
    });

    it("records the lake's object reads too when the config asks", async () => {
        const { resources } = await construct(audit({ ...defaults, readDataEvents: true }));
        const selectors = named(resources, trailType, "audit-trail").inputs.advancedEventSelectors;
        assert.ok(!selectors[1].fieldSelectors.some((s: { field: string }) => s.field === "readOnly"));
    });

    it("lets only this trail deliver to its bucket, which keeps the files the retention and locks them when data is protected", async () => {
        const { resources } = await construct(audit(defaults), { protectData: true });
        const policy = JSON.parse(named(resources, "aws:s3/bucketPolicy:BucketPolicy", "audit-trail").inputs.policy);
        const delivery = policy.Statement.find((s: { Sid: string }) => s.Sid === "CloudTrailDeliversLogFiles");
        assert.deepStrictEqual(delivery.Condition.StringEquals["aws:SourceArn"], "arn:aws:cloudtrail:us-east-1:123456789012:trail/platform-test-audit");
        assert.strictEqual(delivery.Resource, "arn:aws:s3:::platform-test-audit-trail-123456789012/AWSLogs/123456789012/*");
        assert.deepStrictEqual(named(resources, "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", "audit-trail").inputs.rule, { defaultRetention: { mode: "GOVERNANCE", days: 400 } });
        assert.strictEqual(named(resources, types.lifecycle, "audit-trail").inputs.rules[0].expiration.days, 400);
        assert.strictEqual(named(resources, trailType, "audit-trail").protect, true);
    });

    it("does not lock the log files of an unprotected stack (so it can be torn down)", async () => {
        const { resources } = await construct(audit(defaults));
        assert.deepStrictEqual(ofType(resources, "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration"), []);
    });

    it("counts the changes that matter with metric filters and alarms on each, to the alarm topic", async () => {
        const { component, resources } = await construct(audit(defaults));
        assert.deepStrictEqual(namesOf(resources, filterType), [
            "audit-kms-key-disabled-or-deleted",
            "audit-lake-bucket-access-change",
            "audit-lakeformation-permission-change",
            "audit-msk-configuration-change",
            "audit-trail-stopped",
        ]);
        const bucketFilter = named(resources, filterType, "audit-lake-bucket-access-change").inputs;
        assert.match(bucketFilter.pattern, /\$\.requestParameters\.bucketName = "curated-97237ed"/);
        assert.match(bucketFilter.pattern, /PutBucketPublicAccessBlock/);
        assert.deepStrictEqual(bucketFilter.metricTransformation, { name: "LakeBucketAccessChanges", namespace: "platform-test/Audit", value: "1", unit: "Count" });
        assert.match(named(resources, filterType, "audit-kms-key-disabled-or-deleted").inputs.pattern, /ScheduleKeyDeletion/);
        assert.match(named(resources, filterType, "audit-trail-stopped").inputs.pattern, /StopLogging/);
        assert.deepStrictEqual(namesOf(resources, types.alarm), ["audit-kms-key-disabled-or-deleted", "audit-lake-bucket-access-change", "audit-lakeformation-permission-change", "audit-msk-configuration-change", "audit-trail-stopped"]);
        assert.strictEqual(component.alarms.length, 5);
        assert.ok(component.alarms.every((a) => a.stage === "audit"));
    });

    it("declares the trail's Athena table with partition projection and the two named queries", async () => {
        const { resources } = await construct(audit(defaults));
        const table = named(resources, "aws:glue/catalogTable:CatalogTable", "audit-trail-table").inputs;
        assert.deepStrictEqual([table.name, table.databaseName], ["cloudtrail", "platform_test_audit"]);
        assert.strictEqual(table.parameters["storage.location.template"], "s3://platform-test-audit-trail-123456789012/AWSLogs/123456789012/CloudTrail/${region}/${event_day}/");
        assert.strictEqual(table.storageDescriptor.inputFormat, "com.amazon.emr.cloudtrail.CloudTrailInputFormat");
        const deleted = named(resources, "aws:athena/namedQuery:NamedQuery", "audit-who-deleted-curated-objects").inputs;
        assert.match(deleted.query, /json_extract_scalar\(requestparameters, '\$\.bucketName'\) = 'curated-97237ed'/);
        assert.strictEqual(deleted.workgroup, "platform-test-pipeline");
        assert.match(named(resources, "aws:athena/namedQuery:NamedQuery", "audit-who-changed-msk").inputs.query, /eventsource = 'kafka.amazonaws.com'/);
        assert.strictEqual(named(resources, "aws:lakeformation/resource:Resource", "audit-trail-location").inputs.hybridAccessEnabled, false);
    });

    it("declares nothing when an organization trail records the account, and reports that trail", async () => {
        const arn = "arn:aws:cloudtrail:us-east-1:999999999999:trail/org";
        const { component, resources } = await construct(audit({ ...defaults, organizationTrailArn: arn }));
        assert.deepStrictEqual(resources.filter((r) => r.parentUrn?.includes("platform:audit:Audit")).map((r) => r.name), []);
        assert.strictEqual(await promiseOf(component.trailArn), arn);
        assert.deepStrictEqual(component.alarms, []);
    });
});
