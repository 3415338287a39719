import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { getDataset } from "../../runtime/datasets";
import { createFileDropHandler } from "../../runtime/files/handler";
import { fileIngestEnvironmentVariables, defaultFileMetricsNamespace } from "../../runtime/files/settings";
import { FileDropsConfig, LakeConfig } from "../config";
import { bucketPolicy } from "../lake/decisions";
import { contextPrefix, PlatformContext, RegisteredAlarm } from "../shared/context";
import { policyDocument } from "../shared/iam";
import { dataStoreOptions } from "../shared/options";
import { eventFunction } from "../shared/eventFunction";
import { serviceRole } from "../shared/role";
import { glueEncryptionConfiguration } from "../transform/iam";
import { crawlerFailedPattern, draftsCrawlerAlarms, draftsCrawlerConfiguration, draftsDatabaseName, fileDropAlarms, fileDropNames, landingBucketName, landingLifecycleRules, landingPrefixes, objectCreatedPattern } from "./decisions";
import { draftsCrawlerRolePolicy, fileDropRolePolicy, landingStatements } from "./iam";
import { LineageWiring, policyWithLineage } from "../lineage";
import { sourceFunctionBundleExclusions } from "../shared/bundle";

export interface FileDropsArgs {
    /** The stack's shared settings: the lake key encrypts the landing bucket, the streaming key the failure queues and function environments, the observability key the log groups. */
    readonly context: PlatformContext;
    /** The drops and their function sizing and landing lifecycle, from the stack config. */
    readonly fileDrops: FileDropsConfig;
    /** Noncurrent-version expiry of the landing bucket, shared with the lake's buckets. */
    readonly lake: Pick<LakeConfig, "noncurrentVersionDays">;
    /** Where valid rows land. */
    readonly rawBucket: aws.s3.Bucket;
    /** Where rejected rows land, with their file, row, line and reason. */
    readonly rejectsBucket: aws.s3.Bucket;
    /** Where the functions report their runs' OpenLineage events (the Lineage component). Defaults to none: no emission. */
    readonly lineage?: LineageWiring;
    /** The lake's access-log bucket: the landing bucket's server access logs go there under `landing/`. */
    readonly accessLogsBucket: aws.s3.Bucket;
    /**
     * The Batch job that ingests files larger than a drop's `maxFileMiB`, running the same code
     * (`main.js ingest-file`). The drops' landing access is added to its job role.
     */
    readonly batch: { readonly jobQueueArn: pulumi.Input<string>; readonly jobDefinitionArn: pulumi.Input<string>; readonly jobRoleName: pulumi.Input<string> };
    /**
     * What the drafts database and its Lake Formation grants wait for: the catalog's data lake
     * settings (which make the deployer an administrator) and its encryption settings (so no
     * metadata is written unencrypted). Needed only with a drafts crawler. Defaults to none.
     */
    readonly catalogDependencies?: readonly pulumi.Resource[];
}

/** Packages the file-ingest closure never loads. */
const excludedFromBundle = [...sourceFunctionBundleExclusions];

/**
 * Partner file drops: one landing bucket (the lake key with bucket keys, versioning, all public
 * access blocked, ACLs off, TLS 1.2+ only, lifecycle for processed and quarantined files, server
 * access logs to the lake's log bucket, EventBridge notifications on) and, per drop, an EventBridge
 * rule on "Object Created" under `incoming/<drop>/` targeting a file-ingest function deployed from
 * `runtime/files` as an inline callback (explicit least-privilege role, encrypted log group,
 * reserved concurrency, X-Ray), with an encrypted dead-letter queue for events that exhaust their
 * retries (both EventBridge delivery and the function's asynchronous invocation), and alarms.
 * With `fileDrops.drafts`, a Glue crawler catalogs each partner folder under the drafts prefix as
 * a table of the drafts database (schema changes logged, never applied), with its own security
 * configuration, least-privilege role, Lake Formation grants, optional schedule and an alarm.
 */
export class FileDrops extends pulumi.ComponentResource {
    readonly landingBucket: aws.s3.Bucket;
    readonly functions: aws.lambda.Function[] = [];
    readonly failureQueues: aws.sqs.Queue[] = [];
    readonly alarms: RegisteredAlarm[] = [];
    /** The drafts crawler's name, when the stack has one. */
    readonly draftsCrawlerName?: pulumi.Output<string>;

    constructor(name: string, args: FileDropsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:filedrops:FileDrops", name, {}, opts);
        const context = args.context;
        const prefix = contextPrefix(context);
        const cfg = args.fileDrops;
        const env = fileIngestEnvironmentVariables;
        for (const drop of cfg.drops) {
            getDataset(drop.dataset);
        }

        const bucketName = pulumi.output(context.accountId).apply((accountId) => landingBucketName(prefix, accountId));
        const bucket = new aws.s3.Bucket(`${name}-landing`, { bucket: bucketName, forceDestroy: !context.protectData, tags: { "lake-zone": "landing" } }, dataStoreOptions(context.protectData, this));
        const child = { parent: bucket };
        new aws.s3.BucketOwnershipControls(`${name}-landing`, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, child);
        new aws.s3.BucketPublicAccessBlock(`${name}-landing`, { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }, child);
        new aws.s3.BucketVersioning(`${name}-landing`, { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } }, child);
        new aws.s3.BucketServerSideEncryptionConfiguration(
            `${name}-landing`,
            { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: context.keys.lake }, bucketKeyEnabled: true }] },
            child,
        );
        new aws.s3.BucketLifecycleConfiguration(`${name}-landing`, { bucket: bucket.id, rules: landingLifecycleRules(cfg, args.lake.noncurrentVersionDays) }, child);
        new aws.s3.BucketLogging(
            `${name}-landing`,
            { bucket: bucket.id, targetBucket: args.accessLogsBucket.id, targetPrefix: "landing/", targetObjectKeyFormat: { partitionedPrefix: { partitionDateSource: "EventTime" } } },
            child,
        );
        new aws.s3.BucketPolicy(
            `${name}-landing`,
            { bucket: bucket.id, policy: pulumi.all([bucket.arn, context.accountId]).apply(([arn, accountId]) => JSON.stringify(bucketPolicy("raw", arn, accountId, []))) },
            child,
        );
        // Every event of the bucket goes to EventBridge; each drop's rule picks its prefix.
        new aws.s3.BucketNotification(`${name}-landing`, { bucket: bucket.id, eventbridge: true }, child);
        this.landingBucket = bucket;

        if (cfg.drops.length > 0) {
            // The Batch job runs the same code for large files, so it needs the same landing access.
            new aws.iam.RolePolicy(
                `${name}-batch-landing`,
                {
                    role: args.batch.jobRoleName,
                    policy: bucket.arn.apply((arn) => JSON.stringify(policyDocument(...cfg.drops.flatMap((drop) => landingStatements({ drop: drop.name, keyPrefix: drop.prefix, landingBucketArn: arn }))))),
                },
                { parent: this },
            );
        }

        for (const drop of cfg.drops) {
            const names = fileDropNames(prefix, drop.name);
            const base = `${name}-${drop.name}`;
            const { fn, queue } = eventFunction(this, {
                context,
                base,
                names,
                ruleDescription: `S3 Object Created under ${drop.prefix} of the landing bucket: files of drop ${drop.name}`,
                eventPattern: bucket.bucket.apply((b) => JSON.stringify(objectCreatedPattern(b, drop.prefix))),
                roleDescription: `File-ingest function of drop ${drop.name}: least privilege, no managed policies`,
                rolePolicy: ({ logGroupArn, failureQueueArn }) =>
                    policyWithLineage(
                    pulumi
                        .all([bucket.arn, args.rawBucket.arn, args.rejectsBucket.arn, context.keys.lake, context.keys.streaming, logGroupArn, failureQueueArn, args.batch.jobQueueArn, args.batch.jobDefinitionArn])
                        .apply(([landingBucketArn, rawBucketArn, rejectsBucketArn, lakeKeyArn, streamingKeyArn, logGroup, failureQueue, jobQueueArn, jobDefinitionArn]) =>
                            fileDropRolePolicy({
                                drop: drop.name,
                                dataset: drop.dataset,
                                keyPrefix: drop.prefix,
                                landingBucketArn,
                                rawBucketArn,
                                rejectsBucketArn,
                                lakeKeyArn,
                                logGroupArn: logGroup,
                                failureQueueArn: failureQueue,
                                failureQueueKeyArn: streamingKeyArn,
                                batch: { jobQueueArn, jobDefinitionArn },
                            }),
                        ),
                    args.lineage,
                    ),
                description: `Ingests ${drop.dataset} files dropped under ${drop.prefix}: rows to raw or rejects, a manifest per file, bad files to quarantine`,
                callbackFactory: createFileDropHandler,
                memoryMb: cfg.memoryMb,
                timeoutSeconds: cfg.timeoutSeconds,
                reservedConcurrency: cfg.reservedConcurrency,
                environment: {
                    [env.rawBucket]: args.rawBucket.bucket,
                    [env.rejectsBucket]: args.rejectsBucket.bucket,
                    [env.dataset]: drop.dataset,
                    [env.drop]: drop.name,
                    [env.formats]: drop.formats.join(","),
                    [env.chunkRows]: String(cfg.chunkRows),
                    [env.maxFileBytes]: String(drop.maxFileMiB * 1024 * 1024),
                    [env.manifestPrefix]: landingPrefixes.manifests,
                    [env.quarantinePrefix]: landingPrefixes.quarantine,
                    [env.batchJobQueue]: args.batch.jobQueueArn,
                    [env.batchJobDefinition]: args.batch.jobDefinitionArn,
                    [env.metricsNamespace]: defaultFileMetricsNamespace,
                    [env.serviceName]: names.serviceName,
                    ...args.lineage?.environment,
                },
                excludedFromBundle,
            });
            this.failureQueues.push(queue);
            this.functions.push(fn);
            this.alarms.push(
                ...context.alarms.registerAlarms(this, fileDropAlarms({ base, drop: drop.name, functionName: fn.name, queue: queue.name, queueName: names.queueName, serviceName: names.serviceName })),
            );
        }
        if (cfg.drafts) {
            this.draftsCrawlerName = this.draftsCrawler(name, prefix, cfg.drafts, bucket, args);
        }
        this.registerOutputs({ draftsCrawlerName: this.draftsCrawlerName, landingBucket: bucket.bucket, functionNames: this.functions.map((f) => f.name), failureQueueUrls: this.failureQueues.map((q) => q.url), alarms: this.alarms });
    }

    /** The drafts crawler and what it needs; returns its name. */
    private draftsCrawler(name: string, prefix: string, drafts: NonNullable<FileDropsConfig["drafts"]>, bucket: aws.s3.Bucket, args: FileDropsArgs): pulumi.Output<string> {
        const context = args.context;
        const child = { parent: this };
        const databaseName = draftsDatabaseName(context.project, context.stack);
        // No default grant to IAMAllowedPrincipals: Lake Formation governs the drafts like the lake's databases.
        const database = new aws.glue.CatalogDatabase(
            `${name}-drafts`,
            { name: databaseName, description: "Tables a crawler proposes for partner files whose schema is not yet a dataset (file-drop drafts); for review, not for queries", createTableDefaultPermissions: [] },
            // Created once the catalog's settings are (its encryption among them), like the lake's databases.
            dataStoreOptions(context.protectData, this, { dependsOn: [...(args.catalogDependencies ?? [])] }),
        );
        const { role, policy } = serviceRole(
            `${name}-drafts-crawler`,
            {
                service: "glue.amazonaws.com",
                description: "The file-drop drafts crawler: reads the drafts prefix, creates draft tables",
                accountId: context.accountId,
                policy: pulumi
                    .all([context.partition, context.accountId, bucket.arn, context.keys.lake])
                    .apply(([partition, accountId, landingBucketArn, lakeKeyArn]) => draftsCrawlerRolePolicy({ partition, region: context.region, accountId, landingBucketArn, prefix: drafts.prefix, lakeKeyArn, database: databaseName })),
            },
            this,
        );
        const grants = [
            new aws.lakeformation.Permissions(`${name}-drafts-crawler-database`, { principal: role.arn, permissions: ["CREATE_TABLE", "DESCRIBE"], database: { name: database.name } }, { parent: this, dependsOn: [...(args.catalogDependencies ?? [])] }),
            new aws.lakeformation.Permissions(
                `${name}-drafts-crawler-tables`,
                { principal: role.arn, permissions: ["ALTER", "DESCRIBE"], table: { databaseName: database.name, wildcard: true } },
                { parent: this, dependsOn: [...(args.catalogDependencies ?? [])] },
            ),
        ];
        const security = new aws.glue.SecurityConfiguration(`${name}-drafts`, { name: `${prefix}-file-drop-drafts`, encryptionConfiguration: glueEncryptionConfiguration(context.keys.lake, context.keys.observability) }, child);
        const crawler = new aws.glue.Crawler(
            `${name}-drafts`,
            {
                name: `${prefix}-file-drop-drafts`,
                description: `Catalogs each partner folder under ${drafts.prefix} of the landing bucket as a draft table; logs schema changes instead of applying them`,
                role: role.arn,
                databaseName: database.name,
                s3Targets: [{ path: pulumi.interpolate`s3://${bucket.bucket}/${drafts.prefix}` }],
                // Tables are proposals for review: a changed or vanished file is logged, never rewritten into the table.
                schemaChangePolicy: { updateBehavior: "LOG", deleteBehavior: "LOG" },
                recrawlPolicy: { recrawlBehavior: "CRAWL_EVERYTHING" },
                lakeFormationConfiguration: { useLakeFormationCredentials: false },
                configuration: JSON.stringify(draftsCrawlerConfiguration(drafts.prefix)),
                securityConfiguration: security.name,
                ...(drafts.schedule ? { schedule: drafts.schedule } : {}),
            },
            { parent: this, dependsOn: [policy, ...grants] },
        );
        const rule = new aws.cloudwatch.EventRule(
            `${name}-drafts-failed-crawls`,
            { name: `${prefix}-file-drop-drafts-failed`, description: "The file-drop drafts crawler of this stack failed", eventPattern: crawler.name.apply((crawlerName) => JSON.stringify(crawlerFailedPattern(crawlerName))) },
            child,
        );
        new aws.cloudwatch.EventTarget(`${name}-drafts-failed-crawls`, { rule: rule.name, arn: context.alarms.alarmTopicArn }, child);
        this.alarms.push(...context.alarms.registerAlarms(this, draftsCrawlerAlarms(`${name}-drafts`, rule.name)));
        return crawler.name;
    }
}
