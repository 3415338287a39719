import * as path from "path";
import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import { BatchConfig } from "../config";
import { Observability } from "../observability";
import { kmsUseStatement, policyDocument, s3ReadStatements, s3WriteStatements, Statement } from "../shared/iam";
import { serviceRole } from "../shared/role";
import { namePrefix } from "../shared/options";
import { scheduledStarts } from "../shared/schedule";
import { compactionJobRequest, containerProperties, retryStrategy } from "./decisions";

export interface BatchArgs {
    readonly project: string;
    readonly stack: string;
    readonly region: string;
    readonly accountId: pulumi.Input<string>;
    readonly batch: BatchConfig;
    readonly datasets: readonly string[];
    readonly vpcId: pulumi.Input<string>;
    readonly privateSubnetIds: pulumi.Input<string[]>;
    readonly rawBucket: aws.s3.Bucket;
    readonly rejectsBucket: aws.s3.Bucket;
    readonly lakeKeyArn: pulumi.Input<string>;
    readonly logsKeyArn: pulumi.Input<string>;
    readonly logRetentionDays: number;
    readonly protectData: boolean;
    readonly observability: Observability;
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

    constructor(name: string, args: BatchArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:batch:Batch", name, {}, opts);
        const prefix = namePrefix(args.project, args.stack);
        const cfg = args.batch;

        const repository = new aws.ecr.Repository(
            `${name}-repository`,
            {
                name: `${prefix}-batch`,
                imageTagMutability: "IMMUTABLE",
                imageScanningConfiguration: { scanOnPush: true },
                encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: args.lakeKeyArn }],
                forceDelete: !args.protectData,
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

        const logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, { name: `/aws/batch/${prefix}-jobs`, retentionInDays: args.logRetentionDays, kmsKeyId: args.logsKeyArn }, { parent: this });
        const { role: executionRole } = serviceRole(
            `${name}-execution`,
            {
                service: "ecs-tasks.amazonaws.com",
                description: "Pulls the batch job image and writes its logs",
                accountId: args.accountId,
                policy: pulumi.all([repository.arn, logGroup.arn, args.lakeKeyArn]).apply(([repositoryArn, logGroupArn, lakeKeyArn]) =>
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
        const prefixes = args.datasets.map((d) => `${d}/`);
        const { role: jobRole } = serviceRole(
            `${name}-job`,
            {
                service: "ecs-tasks.amazonaws.com",
                description: "Replays rejects and compacts raw objects of the platform's datasets",
                accountId: args.accountId,
                policy: pulumi
                    .all([args.rawBucket.arn, args.rejectsBucket.arn, args.lakeKeyArn])
                    .apply(([raw, rejects, key]) =>
                        policyDocument(...s3ReadStatements(raw, prefixes, { headsMissingKeys: true }), ...s3WriteStatements(raw, prefixes, true), ...s3ReadStatements(rejects, prefixes, { headsMissingKeys: true }), ...s3WriteStatements(rejects, prefixes, true), kmsUseStatement([key])),
                    ),
            },
            this,
        );

        const securityGroup = new aws.ec2.SecurityGroup(
            `${name}-sg`,
            {
                vpcId: args.vpcId,
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
                computeResources: { type: cfg.compute, maxVcpus: cfg.maxVcpus, subnets: args.privateSubnetIds, securityGroupIds: [securityGroup.id] },
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
                                region: args.region,
                                batch: cfg,
                                environment: {
                                    RAW_BUCKET: rawBucket,
                                    REJECTS_BUCKET: rejectsBucket,
                                    AWS_REGION: args.region,
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
        scheduledStarts(`${name}-compaction`, this, {
            deadLetterQueueName: `${prefix}-compaction-schedule-failed`,
            targetArn: "arn:aws:scheduler:::aws-sdk:batch:submitJob",
            permissions: jobTargets.apply(([queueArn, definitionArn]): Statement[] => [
                { Sid: "SubmitCompactionJobs", Effect: "Allow", Action: "batch:SubmitJob", Resource: [queueArn, definitionArn] },
            ]),
            roleDescription: "Submits the nightly compaction job of each dataset",
            keyArn: args.logsKeyArn,
            accountId: args.accountId,
            schedules: args.datasets.map((dataset) => ({
                resourceName: `${name}-compaction-${dataset}`,
                scheduleName: `${prefix}-compaction-${dataset}`,
                description: `Compacts the raw objects of ${dataset} for the previous UTC day`,
                expression: cfg.compactionSchedule,
                input: jobTargets.apply(([queueArn, definitionArn]) => JSON.stringify(compactionJobRequest(dataset, queueArn, definitionArn))),
            })),
            observability: args.observability,
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
        new aws.cloudwatch.EventTarget(`${name}-failed-jobs`, { rule: failedJobs.name, arn: args.observability.alarmTopic.arn }, { parent: this });
        args.observability.addAlarm(this, `${name}-failed-jobs`, {
            stage: "batch",
            description: "A replay or compaction job failed. Its log stream is in the job's log group; nothing was deleted before its outputs were verified, so rerunning it is safe.",
            namespace: "AWS/Events",
            metricName: "TriggeredRules",
            dimensions: { RuleName: failedJobs.name },
            statistic: "Sum",
            comparisonOperator: "GreaterThanThreshold",
            threshold: 0,
        });
        this.registerOutputs({});
    }
}
