import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AuditConfig } from "../config";
import { protectedBucket } from "../shared/bucket";
import { PlatformContext, RegisteredAlarm } from "../shared/context";
import { kmsUseStatement, policyDocument, s3ReadStatements } from "../shared/iam";
import { dataStoreOptions } from "../shared/options";
import { serviceRole } from "../shared/role";
import {
    advancedEventSelectors,
    auditAlarms,
    auditDatabaseName,
    auditNamespace,
    auditQueries,
    trailBucketName,
    trailBucketStatements,
    trailFormats,
    trailLifecycleRules,
    trailLogsPolicy,
    trailName,
    trailTable,
    watchedChanges,
} from "./decisions";

export { trailBucketName } from "./decisions";

export interface AuditArgs {
    /** The stack's shared settings; the observability key encrypts the trail, its bucket and its log group; `protectData` locks and protects the log files. */
    readonly context: PlatformContext;
    /** The trail, or the organization trail that replaces it, and what it records. */
    readonly audit: AuditConfig;
    /** The lake's data buckets, whose object writes and deletes (and reads, per config) the trail records and whose access changes raise alarms. */
    readonly lakeBuckets: readonly aws.s3.Bucket[];
    /** The curated bucket, named by the "who deleted objects in curated" query. */
    readonly curatedBucket: aws.s3.Bucket;
    /** The lake's access-log bucket, which receives the trail bucket's server access logs. */
    readonly accessLogsBucket: aws.s3.Bucket;
    /** The Data Catalog's encryption settings (the Catalog component's), which the audit database waits for. */
    readonly catalogEncryption: pulumi.Resource;
    /** The Athena workgroup the trail's named queries run in (the pipeline's, whose results are encrypted and expire). */
    readonly workgroupName: pulumi.Input<string>;
}

/**
 * The audit trail: a multi-region CloudTrail trail with log-file validation, encrypted with the
 * observability key, delivered to a dedicated bucket (the lake's protections, retention, Object
 * Lock when the stack protects data) and to CloudWatch Logs, where metric filters count the
 * changes that matter to the platform and alarms notify the alarm topic; plus an Athena table
 * over the log files and the named queries that answer "who changed it".
 *
 * With `organizationTrailArn` set, the account is already recorded by an organization trail and
 * the component declares nothing (`trailArn` is that ARN, `alarms` is empty).
 */
export class Audit extends pulumi.ComponentResource {
    /** The trail that records the account: the platform's own, or the organization trail named in the config. */
    readonly trailArn: pulumi.Output<string>;
    readonly trail?: aws.cloudtrail.Trail;
    readonly bucket?: aws.s3.Bucket;
    readonly logGroup?: aws.cloudwatch.LogGroup;
    /** One alarm per watched change (none with an organization trail). */
    readonly alarms: readonly RegisteredAlarm[] = [];

    constructor(name: string, args: AuditArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:audit:Audit", name, {}, opts);
        const context = args.context;
        if (args.audit.organizationTrailArn !== undefined) {
            this.trailArn = pulumi.output(args.audit.organizationTrailArn);
            this.registerOutputs({ trailArn: this.trailArn });
            return;
        }
        const trail = trailName(context.project, context.stack);
        const ids = pulumi.all([context.partition, context.accountId]);
        const trailArn = ids.apply(([partition, accountId]) => `arn:${partition}:cloudtrail:${context.region}:${accountId}:trail/${trail}`);

        const { bucket, policy } = protectedBucket(
            `${name}-trail`,
            {
                context,
                bucketName: pulumi.output(context.accountId).apply((accountId) => trailBucketName(context.project, context.stack, accountId)),
                kmsKeyArn: context.keys.observability,
                lifecycleRules: trailLifecycleRules(args.audit),
                accessLogs: { bucketId: args.accessLogsBucket.id, prefix: "auditTrail/" },
                // Locked log files cannot be deleted or overwritten before their retention ends, not even by an admin without the bypass permission.
                ...(context.protectData ? { objectLockDays: args.audit.retentionDays } : {}),
                statements: (arn) => pulumi.all([trailArn, context.accountId]).apply(([tArn, accountId]) => trailBucketStatements(arn, tArn, accountId)),
            },
            this,
        );
        this.bucket = bucket;

        this.logGroup = new aws.cloudwatch.LogGroup(`${name}-trail`, { name: `/aws/cloudtrail/${trail}`, retentionInDays: context.logRetentionDays, kmsKeyId: context.keys.observability }, { parent: this });
        const { role: deliveryRole, policy: deliveryPolicy } = serviceRole(
            `${name}-trail-logs`,
            { service: "cloudtrail.amazonaws.com", description: "CloudTrail delivers the audit trail's events to its CloudWatch log group", accountId: context.accountId, policy: this.logGroup.arn.apply(trailLogsPolicy) },
            this,
        );

        this.trail = new aws.cloudtrail.Trail(
            `${name}-trail`,
            {
                name: trail,
                s3BucketName: bucket.bucket,
                isMultiRegionTrail: true,
                includeGlobalServiceEvents: true,
                enableLogFileValidation: true,
                enableLogging: true,
                kmsKeyId: context.keys.observability,
                cloudWatchLogsGroupArn: pulumi.interpolate`${this.logGroup.arn}:*`,
                cloudWatchLogsRoleArn: deliveryRole.arn,
                advancedEventSelectors: pulumi.all(args.lakeBuckets.map((b) => b.arn)).apply((arns) => advancedEventSelectors(arns, args.audit)),
            },
            dataStoreOptions(context.protectData, this, { dependsOn: [policy, deliveryPolicy] }),
        );
        this.trailArn = this.trail.arn;

        // Metric filters over the trail's events; the alarms on their metrics go to the alarm topic.
        const names = pulumi.all([...args.lakeBuckets.map((b) => b.bucket), bucket.bucket]);
        // Names and metrics do not depend on the buckets; the patterns are rendered once the names are known.
        const changes = watchedChanges([]);
        changes.forEach((change, i) => {
            new aws.cloudwatch.LogMetricFilter(
                `${name}-${change.name}`,
                {
                    name: `${trail}-${change.name}`,
                    logGroupName: this.logGroup!.name,
                    pattern: names.apply((bucketNames) => watchedChanges(bucketNames)[i].pattern),
                    metricTransformation: { name: change.metricName, namespace: auditNamespace(context.project, context.stack), value: "1", unit: "Count" },
                },
                { parent: this },
            );
        });
        this.alarms = context.alarms.registerAlarms(this, auditAlarms(name, context.project, context.stack, changes));

        // The trail's Athena table, in a database of its own; Lake Formation governs the bucket like the lake's.
        const { role: dataAccess } = serviceRole(
            `${name}-trail-access`,
            {
                service: "lakeformation.amazonaws.com",
                description: "Lake Formation reads the audit trail's log files on behalf of granted principals",
                accountId: context.accountId,
                policy: pulumi.all([bucket.arn, context.keys.observability]).apply(([arn, key]) => policyDocument(...s3ReadStatements(arn, ["AWSLogs/"]), kmsUseStatement([key]))),
            },
            this,
        );
        const registration = new aws.lakeformation.Resource(`${name}-trail-location`, { arn: bucket.arn, roleArn: dataAccess.arn, hybridAccessEnabled: false }, { parent: this, dependsOn: [bucket] });
        const database = new aws.glue.CatalogDatabase(
            `${name}-database`,
            { name: auditDatabaseName(context.project, context.stack), description: `The ${context.project} ${context.stack} audit trail, for Athena`, createTableDefaultPermissions: [] },
            dataStoreOptions(context.protectData, this, { dependsOn: [args.catalogEncryption] }),
        );
        const spec = pulumi.all([bucket.bucket, context.accountId]).apply(([b, accountId]) => trailTable(b, accountId));
        const table = new aws.glue.CatalogTable(
            `${name}-trail-table`,
            {
                name: spec.name,
                databaseName: database.name,
                description: spec.description,
                tableType: "EXTERNAL_TABLE",
                parameters: spec.parameters.apply((p) => ({ EXTERNAL: "TRUE", ...p })),
                partitionKeys: spec.partitionKeys.apply((keys) => keys.map((k) => ({ ...k }))),
                storageDescriptor: {
                    location: spec.location,
                    inputFormat: trailFormats.inputFormat,
                    outputFormat: trailFormats.outputFormat,
                    serDeInfo: { serializationLibrary: trailFormats.serializationLibrary },
                    columns: spec.columns.apply((columns) => columns.map((c) => ({ ...c }))),
                },
            },
            { parent: this, dependsOn: [registration] },
        );
        const queries = pulumi.output(args.curatedBucket.bucket).apply((curated) => auditQueries(auditDatabaseName(context.project, context.stack), curated));
        for (const [i, queryName] of ["who-changed-msk", "who-deleted-curated-objects"].entries()) {
            new aws.athena.NamedQuery(
                `${name}-${queryName}`,
                {
                    name: queryName,
                    description: queries.apply((q) => q[i].description),
                    database: database.name,
                    query: queries.apply((q) => q[i].sql),
                    workgroup: args.workgroupName,
                },
                { parent: this, dependsOn: [table] },
            );
        }
        this.registerOutputs({ trailArn: this.trailArn, bucket: bucket.bucket, logGroup: this.logGroup.name, alarms: this.alarms });
    }
}
