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
import { fileDropAlarms, fileDropNames, landingBucketName, landingLifecycleRules, landingPrefixes, objectCreatedPattern } from "./decisions";
import { fileDropRolePolicy, landingStatements } from "./iam";
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
 */
export class FileDrops extends pulumi.ComponentResource {
    readonly landingBucket: aws.s3.Bucket;
    readonly functions: aws.lambda.Function[] = [];
    readonly failureQueues: aws.sqs.Queue[] = [];
    readonly alarms: RegisteredAlarm[] = [];

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
        this.registerOutputs({ landingBucket: bucket.bucket, functionNames: this.functions.map((f) => f.name), failureQueueUrls: this.failureQueues.map((q) => q.url), alarms: this.alarms });
    }
}
