import * as path from "path";
import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import { BatchConfig } from "../config";
import { datasets as platformDatasets } from "../../runtime/datasets";
import { contextPrefix, PlatformContext, RegisteredAlarm } from "../shared/context";
import { kmsUseStatement, policyDocument, s3ReadStatements, s3WriteStatements, Statement } from "../shared/iam";
import { serviceRole } from "../shared/role";
import { scheduledStarts } from "../shared/schedule";
import { batchAlarms, compactionJobRequest, containerProperties, retryStrategy } from "./decisions";

export interface BatchArgs {
    /**
     * The stack's shared settings. The lake key encrypts the image repository and what jobs write,
     * the observability key the job logs and the compaction schedules; `protectData` keeps the
     * repository's images when it is deleted.
     */
    readonly context: PlatformContext;
    /** Compute (Fargate or Fargate Spot), capacity, job size and timeout, compaction schedule, from the stack config. */
    readonly batch: BatchConfig;
    /** The datasets whose prefixes the jobs may touch and that get a nightly compaction. Defaults to every dataset of `runtime/datasets`. */
    readonly datasets?: readonly string[];
    /** The VPC whose private subnets the jobs run in. */
    readonly network: { readonly vpcId: pulumi.Input<string>; readonly privateSubnetIds: pulumi.Input<string[]> };
    /** Replayed into and compacted. */
    readonly rawBucket: aws.s3.Bucket;
    /** Replayed from. */
    readonly rejectsBucket: aws.s3.Bucket;
}

/** The repository root: the Docker build context of the job image. */
const repositoryRoot = path.resolve(__dirname, "..", "..");

/**
 * AWS Batch for replays, backfills and compaction: a Fargate (Spot in dev) compute environment in
 * the private subnets, a job queue, and a job definition running the `runtime/batch` image, built
 * from its Dockerfile at deploy time by `awsx.ecr.Image` into a private, immutable, scanned ECR
 * repository. Failed jobs raise an alarm through an EventBridge rule's invocation metric.
 */
export class Batch extends pulumi.ComponentResource {
    readonly jobQueueArn: pulumi.Output<string>;
    readonly jobDefinitionArn: pulumi.Output<string>;
    readonly imageUri: pulumi.Output<string>;
    /** Name of the role the jobs run as; other areas add the access their jobs need (file drops: the landing bucket). */
    readonly jobRoleName: pulumi.Output<string>;
    readonly alarms: readonly RegisteredAlarm[];

    constructor(name: string, args: BatchArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:batch:Batch", name, {}, opts);
        const context = args.context;
        const prefix = contextPrefix(context);
        const cfg = args.batch;
        const datasets = args.datasets ?? platformDatasets.map((d) => d.name);

        const repository = new aws.ecr.Repository(
            `${name}-repository`,
            {
                name: `${prefix}-batch`,
                imageTagMutability: "IMMUTABLE",
                imageScanningConfiguration: { scanOnPush: true },
                encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: context.keys.lake }],
                forceDelete: !context.protectData,
            },
            { parent: this },
        );
        new aws.ecr.LifecyclePolicy(
            `${name}-repository`,
            { repository: repository.name, policy: JSON.stringify({ rules: [{ rulePriority: 1, description: "Keep the last 20 images", selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 20 }, action: { type: "expire" } }] }) },
            { parent: this },
        );
        const image = new awsx.ecr.Image(
            `${name}-image`,
            { repositoryUrl: repository.repositoryUrl, context: repositoryRoot, dockerfile: path.join(repositoryRoot, "runtime", "batch", "Dockerfile"), platform: "linux/amd64" },
            { parent: this },
        );
        this.imageUri = image.imageUri;

        const logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, { name: `/aws/batch/${prefix}-jobs`, retentionInDays: context.logRetentionDays, kmsKeyId: context.keys.observability }, { parent: this });
        const { role: executionRole } = serviceRole(
            `${name}-execution`,
            {
                service: "ecs-tasks.amazonaws.com",
                description: "Pulls the batch job image and writes its logs",
                accountId: context.accountId,
                policy: pulumi.all([repository.arn, logGroup.arn, context.keys.lake]).apply(([repositoryArn, logGroupArn, lakeKeyArn]) =>
                    policyDocument(
                        { Sid: "PullJobImage", Effect: "Allow", Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"], Resource: repositoryArn },
                        { Sid: "EcrAuthHasNoResourceLevelPermissions", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
                        { Sid: "DecryptImageLayers", Effect: "Allow", Action: ["kms:Decrypt"], Resource: lakeKeyArn },
                        { Sid: "WriteJobLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${logGroupArn}:*` },
                    ),
                ),
            },
            this,
        );
        const prefixes = datasets.map((d) => `${d}/`);
        const { role: jobRole } = serviceRole(
            `${name}-job`,
            {
                service: "ecs-tasks.amazonaws.com",
                description: "Replays rejects and compacts raw objects of the platform's datasets",
                accountId: context.accountId,
                policy: pulumi
                    .all([args.rawBucket.arn, args.rejectsBucket.arn, context.keys.lake])
                    .apply(([raw, rejects, key]) =>
                        policyDocument(...s3ReadStatements(raw, prefixes, { headsMissingKeys: true }), ...s3WriteStatements(raw, prefixes, true), ...s3ReadStatements(rejects, prefixes, { headsMissingKeys: true }), ...s3WriteStatements(rejects, prefixes, true), kmsUseStatement([key])),
                    ),
            },
            this,
        );

        const securityGroup = new aws.ec2.SecurityGroup(
            `${name}-sg`,
            {
                vpcId: args.network.vpcId,
                description: "Batch jobs: no inbound, HTTPS out to S3, ECR and CloudWatch Logs",
                egress: [{ description: "HTTPS to AWS APIs through endpoints or NAT", protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }],
                tags: { Name: `${prefix}-batch` },
            },
            { parent: this },
        );
        const computeEnvironment = new aws.batch.ComputeEnvironment(
            `${name}-compute`,
            {
                name: `${prefix}-${cfg.compute.toLowerCase().replace("_", "-")}`,
                type: "MANAGED",
                state: "ENABLED",
                computeResources: { type: cfg.compute, maxVcpus: cfg.maxVcpus, subnets: args.network.privateSubnetIds, securityGroupIds: [securityGroup.id] },
            },
            // A replaced environment must exist before the queue moves to it (pitfall: "found existing JobQueue relationship").
            { parent: this, deleteBeforeReplace: false },
        );
        const queue = new aws.batch.JobQueue(
            `${name}-queue`,
            { name: `${prefix}-jobs`, state: "ENABLED", priority: 1, computeEnvironmentOrders: [{ order: 1, computeEnvironment: computeEnvironment.arn }] },
            { parent: this },
        );
        this.jobQueueArn = queue.arn;
        this.jobRoleName = jobRole.name;
        const definition = new aws.batch.JobDefinition(
            `${name}-definition`,
            {
                name: `${prefix}-lake-maintenance`,
                type: "container",
                platformCapabilities: ["FARGATE"],
                propagateTags: true,
                retryStrategy,
                timeout: { attemptDurationSeconds: cfg.jobTimeoutMinutes * 60 },
                containerProperties: pulumi
                    .all([image.imageUri, jobRole.arn, executionRole.arn, logGroup.name, args.rawBucket.bucket, args.rejectsBucket.bucket])
                    .apply(([imageUri, jobRoleArn, executionRoleArn, logGroupName, rawBucket, rejectsBucket]) =>
                        JSON.stringify(
                            containerProperties({
                                image: imageUri,
                                jobRoleArn,
                                executionRoleArn,
                                logGroup: logGroupName,
                                region: context.region,
                                batch: cfg,
                                environment: {
                                    RAW_BUCKET: rawBucket,
                                    REJECTS_BUCKET: rejectsBucket,
                                    AWS_REGION: context.region,
                                    // A crashed attempt's compaction lease expires when the attempt would have timed out.
                                    LEASE_TTL_SECONDS: String(cfg.jobTimeoutMinutes * 60),
                                },
                            }),
                        ),
                    ),
            },
            { parent: this },
        );
        this.jobDefinitionArn = definition.arn;

        // Every night, each dataset's previous UTC day is compacted: the Scheduler passes its own
        // invocation time, and the job works out the day before it (so a late retry still compacts
        // the intended day). Reruns are safe (see runtime/batch/compact.ts).
        const jobTargets = pulumi.all([queue.arn, definition.arn]);
        const compaction = scheduledStarts(`${name}-compaction`, this, {
            deadLetterQueueName: `${prefix}-compaction-schedule-failed`,
            targetArn: "arn:aws:scheduler:::aws-sdk:batch:submitJob",
            permissions: jobTargets.apply(([queueArn, definitionArn]): Statement[] => [
                { Sid: "SubmitCompactionJobs", Effect: "Allow", Action: "batch:SubmitJob", Resource: [queueArn, definitionArn] },
            ]),
            roleDescription: "Submits the nightly compaction job of each dataset",
            context,
            schedules: datasets.map((dataset) => ({
                resourceName: `${name}-compaction-${dataset}`,
                scheduleName: `${prefix}-compaction-${dataset}`,
                description: `Compacts the raw objects of ${dataset} for the previous UTC day`,
                expression: cfg.compactionSchedule,
                input: jobTargets.apply(([queueArn, definitionArn]) => JSON.stringify(compactionJobRequest(dataset, queueArn, definitionArn))),
            })),
            alarm: {
                stage: "batch",
                description: "The scheduler could not submit a nightly compaction job after its retries; the attempts are in the dead-letter queue. Check the scheduler role, the job queue and the job definition.",
            },
        });

        // Batch publishes no failure metric; a rule on failed-job events gives one (its invocation count).
        const failedJobs = new aws.cloudwatch.EventRule(
            `${name}-failed-jobs`,
            {
                name: `${prefix}-batch-job-failed`,
                description: "A lake maintenance job of this stack failed",
                eventPattern: queue.arn.apply((queueArn) => JSON.stringify({ source: ["aws.batch"], "detail-type": ["Batch Job State Change"], detail: { status: ["FAILED"], jobQueue: [queueArn] } })),
            },
            { parent: this },
        );
        new aws.cloudwatch.EventTarget(`${name}-failed-jobs`, { rule: failedJobs.name, arn: context.alarms.alarmTopicArn }, { parent: this });
        this.alarms = [...compaction.alarms, ...context.alarms.registerAlarms(this, batchAlarms(name, failedJobs.name))];
        this.registerOutputs({ jobQueueArn: this.jobQueueArn, jobDefinitionArn: this.jobDefinitionArn, imageUri: this.imageUri, alarms: this.alarms });
    }
}
