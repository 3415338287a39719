import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { DatasetDefinition, datasets as platformDatasets } from "../../runtime/datasets";
import { renderSparkTransformSpec, transformJobScriptPath } from "../../runtime/spark/spec";
import { catalogDatabaseNames, CatalogGrant } from "../catalog/decisions";
import { SparkConfig } from "../config";
import { contextPrefix, PlatformContext, RegisteredAlarm } from "../shared/context";
import { policyDocument, serviceTrustPolicy, trustPolicyJson } from "../shared/iam";
import { serviceRole } from "../shared/role";
import { GlueJobRef, glueDefaultArguments, glueFailedRunsPattern, SparkCompute, sparkAlarms } from "./decisions";
import { emrSecurityConfiguration, glueEncryptionConfiguration, glueJobRolePolicy, serverlessCapacity, SparkRoleContext, sparkRolePolicy } from "./iam";
import { LineageWiring, policyWithLineage } from "../lineage";

export interface TransformArgs {
    /** The stack's shared settings; the lake key encrypts what the job writes (and the cluster's disks and logs). */
    readonly context: PlatformContext;
    /** EMR Serverless (`serverless`), an EMR cluster (`cluster`) or Glue jobs (`glue`) and their sizing, from the stack config. */
    readonly spark: SparkConfig;
    /** The datasets the job transforms (one spec each). Defaults to every dataset of `runtime/datasets`. */
    readonly datasets?: readonly DatasetDefinition[];
    /** The VPC whose private subnets the EMR workers run in (glue mode declares no Glue network connection: the jobs run in Glue's network). */
    readonly network: { readonly vpcId: pulumi.Input<string>; readonly privateSubnetIds: pulumi.Input<string[]> };
    /** Read by the job. */
    readonly rawBucket: aws.s3.Bucket;
    /** Written by the job (partitions replaced). */
    readonly curatedBucket: aws.s3.Bucket;
    /** Holds the job script, the specs, logs and (cluster) the TLS certificates. */
    readonly artifactsBucket: aws.s3.Bucket;
    /** The Glue database whose partitions the job updates. Defaults to the stack's curated database (`<project>_<stack>_curated`). */
    readonly curatedDatabase?: string;
    /** Where the job writes its OpenLineage events: its role may create objects under the lineage prefix. Defaults to none. */
    readonly lineage?: LineageWiring;
    /**
     * Glue mode with a captured database: the key of the CDC apply script (runtime/spark/cdc_apply.py)
     * in the artifacts bucket, which the orchestration uploads; a second Glue job runs it. Defaults
     * to none (no CDC apply job). The EMR modes run any script on their compute and ignore it.
     */
    readonly cdcApply?: { readonly scriptKey: string };
}

/** Glue's temporary directory in the artifacts bucket (glue mode). */
export const glueTempPrefix = "glue-temp/";

/** Where the job's artifacts live in the artifacts bucket. */
export const sparkScriptKey = "spark/transform_job.py";
export type { SparkCompute } from "./decisions";

export const sparkSpecKey = (dataset: string) => `spark/specs/${dataset}.json`;

/**
 * Spark for the transform step, per stack config: an EMR Serverless application (ARM64, auto start
 * and stop, capped capacity, private subnets), an EMR cluster (instance fleets with Spot task
 * capacity, managed scaling, auto-termination, a security configuration encrypting S3, local
 * disks, EBS and traffic between nodes, private subnets, logs to S3) or Glue 5 jobs (one per
 * script, a security configuration encrypting S3 output, logs and bookmarks with the platform's
 * keys, continuous logging, metrics, a timeout, queued runs, an alarm on failed runs). The job
 * script and one spec per dataset are uploaded to the artifacts bucket as assets.
 */
export class Transform extends pulumi.ComponentResource {
    /** Where the job runs: the EMR Serverless application, or the EMR cluster. */
    readonly compute: SparkCompute;
    /** The role the job runs as (EMR Serverless execution role, or the cluster's instance role). */
    readonly jobRole: aws.iam.Role;
    readonly scriptUri: pulumi.Output<string>;
    /** The spec of each dataset, by dataset name. */
    readonly specUris: Readonly<Record<string, pulumi.Output<string>>>;
    /** What the job needs from the catalog: read raw, write curated (and create data in its location). */
    readonly catalogAccess: readonly CatalogGrant[];
    readonly alarms: readonly RegisteredAlarm[];

    constructor(name: string, args: TransformArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:transform:Transform", name, {}, opts);
        const context = args.context;
        const prefix = contextPrefix(context);
        const spark = args.spark;
        const datasets = args.datasets ?? platformDatasets;
        const curatedDatabase = args.curatedDatabase ?? catalogDatabaseNames(context.project, context.stack).curated;

        const script = new aws.s3.BucketObjectv2(`${name}-script`, { bucket: args.artifactsBucket.id, key: sparkScriptKey, source: new pulumi.asset.FileAsset(transformJobScriptPath), contentType: "text/x-python" }, { parent: this });
        this.scriptUri = pulumi.interpolate`s3://${script.bucket}/${script.key}`;
        const specUris: Record<string, pulumi.Output<string>> = {};
        for (const dataset of datasets) {
            const spec = new aws.s3.BucketObjectv2(
                `${name}-spec-${dataset.name}`,
                { bucket: args.artifactsBucket.id, key: sparkSpecKey(dataset.name), content: renderSparkTransformSpec(dataset), contentType: "application/json" },
                { parent: this },
            );
            specUris[dataset.name] = pulumi.interpolate`s3://${spec.bucket}/${spec.key}`;
        }
        this.specUris = specUris;

        const roleContext = pulumi
            .all([context.partition, context.accountId, args.rawBucket.arn, args.curatedBucket.arn, args.artifactsBucket.arn, context.keys.lake])
            .apply(([partition, accountId, rawBucketArn, curatedBucketArn, artifactsBucketArn, lakeKeyArn]): SparkRoleContext => ({
                partition,
                accountId,
                region: context.region,
                rawBucketArn,
                curatedBucketArn,
                artifactsBucketArn,
                lakeKeyArn,
                curatedDatabase,
                datasets: datasets.map((d) => d.name),
            }));

        if (spark.mode === "glue") {
            const jobs = this.glue(name, prefix, spark, roleContext, args);
            this.jobRole = jobs.role;
            this.compute = { mode: "glue", transformJob: jobs.transformJob, ...(jobs.cdcApplyJob ? { cdcApplyJob: jobs.cdcApplyJob } : {}), failedRunsRuleName: jobs.failedRunsRuleName };
        } else {
            const securityGroup = new aws.ec2.SecurityGroup(
                `${name}-sg`,
                {
                    vpcId: args.network.vpcId,
                    description: "Spark workers: no inbound, HTTPS out to S3, Glue and KMS",
                    egress: [{ description: "HTTPS to AWS APIs through endpoints or NAT", protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }],
                    tags: { Name: `${prefix}-spark` },
                },
                { parent: this },
            );

            // EMR Serverless assumes the role for this account's jobs; on a cluster, EC2 instances assume it (no source account).
            this.jobRole = serviceRole(
                `${name}-job`,
                {
                    service: spark.mode === "serverless" ? "emr-serverless.amazonaws.com" : "ec2.amazonaws.com",
                    description: "The Spark transform job: reads raw, replaces curated partitions",
                    ...(spark.mode === "serverless" ? { accountId: context.accountId } : {}),
                    policy: policyWithLineage(roleContext.apply(sparkRolePolicy), args.lineage, "spark"),
                },
                this,
            ).role;

            if (spark.mode === "serverless") {
                const application = new aws.emrserverless.Application(
                    `${name}-app`,
                    {
                        name: `${prefix}-transform`,
                        releaseLabel: spark.releaseLabel,
                        type: "spark",
                        architecture: "ARM64",
                        autoStartConfiguration: { enabled: true },
                        autoStopConfiguration: { enabled: true, idleTimeoutMinutes: spark.idleTimeoutMinutes },
                        maximumCapacity: serverlessCapacity(spark.maxVcpu, spark.maxMemoryGb),
                        networkConfiguration: { subnetIds: args.network.privateSubnetIds, securityGroupIds: [securityGroup.id] },
                    },
                    { parent: this },
                );
                this.compute = { mode: "serverless", applicationId: application.id, applicationArn: application.arn };
            } else {
                const cluster = this.cluster(name, prefix, spark, securityGroup, args);
                this.compute = { mode: "cluster", clusterId: cluster.id, clusterArn: cluster.arn };
            }
        }
        this.catalogAccess = [
            { name: "spark", principalArn: this.jobRole.arn, zone: "raw", tablePermissions: ["SELECT", "DESCRIBE"], databasePermissions: ["DESCRIBE"] },
            { name: "spark", principalArn: this.jobRole.arn, zone: "curated", tablePermissions: ["SELECT", "DESCRIBE", "INSERT", "DELETE", "ALTER"], databasePermissions: ["DESCRIBE"], dataLocation: true },
        ];
        this.alarms = context.alarms.registerAlarms(this, sparkAlarms(name, this.compute));
        this.registerOutputs({ compute: this.compute, jobRoleArn: this.jobRole.arn, scriptUri: this.scriptUri, specUris: this.specUris, alarms: this.alarms });
    }

    /**
     * Glue mode: the job role (the EMR modes' grants plus Glue's logs and temporary directory),
     * a security configuration, the continuous-log group, a Glue job per script (the transform, and
     * the CDC apply when the stack captures a database) and the rule that sends their failed runs to
     * the alarm topic. Runs wait in Glue's queue rather than fail when the concurrency is reached.
     */
    private glue(
        name: string,
        prefix: string,
        spark: Extract<SparkConfig, { mode: "glue" }>,
        roleContext: pulumi.Output<SparkRoleContext>,
        args: TransformArgs,
    ): { role: aws.iam.Role; transformJob: GlueJobRef; cdcApplyJob?: GlueJobRef; failedRunsRuleName: pulumi.Output<string> } {
        const context = args.context;
        const logGroup = new aws.cloudwatch.LogGroup(`${name}-glue-logs`, { name: `/aws-glue/jobs/${prefix}-spark`, retentionInDays: context.logRetentionDays, kmsKeyId: context.keys.observability }, { parent: this });
        const { role, policy } = serviceRole(
            `${name}-job`,
            {
                service: "glue.amazonaws.com",
                description: "The Spark jobs on Glue: read raw, replace curated partitions, write their logs",
                accountId: context.accountId,
                policy: policyWithLineage(
                    pulumi.all([roleContext, logGroup.arn]).apply(([ctx, logGroupArn]) => glueJobRolePolicy({ ...ctx, logGroupArn, tempDirPrefix: glueTempPrefix })),
                    args.lineage,
                    "spark",
                ),
            },
            this,
        );
        const security = new aws.glue.SecurityConfiguration(
            `${name}-glue-security`,
            { name: `${prefix}-spark`, encryptionConfiguration: glueEncryptionConfiguration(context.keys.lake, context.keys.observability) },
            { parent: this },
        );
        const defaultArguments = pulumi.all([logGroup.name, args.artifactsBucket.bucket]).apply(([logGroupName, bucket]) => glueDefaultArguments(logGroupName, `s3://${bucket}/${glueTempPrefix}`));
        const job = (kind: "transform" | "cdc-apply", scriptKey: string, description: string): aws.glue.Job =>
            new aws.glue.Job(
                `${name}-glue-${kind}`,
                {
                    name: `${prefix}-${kind}`,
                    description,
                    roleArn: role.arn,
                    glueVersion: spark.glueVersion,
                    workerType: spark.workerType,
                    numberOfWorkers: spark.workers,
                    timeout: spark.timeoutMinutes,
                    // The state machine retries failed runs (with backoff), as in the EMR modes.
                    maxRetries: 0,
                    // The pipeline runs two datasets at a time; a sweep overlapping a scheduled run queues instead of failing.
                    executionProperty: { maxConcurrentRuns: 2 },
                    jobRunQueuingEnabled: true,
                    executionClass: "STANDARD",
                    securityConfiguration: security.name,
                    command: { name: "glueetl", pythonVersion: "3", scriptLocation: pulumi.interpolate`s3://${args.artifactsBucket.bucket}/${scriptKey}` },
                    defaultArguments,
                },
                { parent: this, dependsOn: [policy] },
            );
        const transformJob = job("transform", sparkScriptKey, "Transforms one dataset's raw window into curated Parquet (runtime/spark/transform_job.py)");
        const cdcApplyJob = args.cdcApply ? job("cdc-apply", args.cdcApply.scriptKey, "Applies one database dataset's captured changes to its curated state (runtime/spark/cdc_apply.py)") : undefined;
        const jobs = [transformJob, ...(cdcApplyJob ? [cdcApplyJob] : [])];
        // Glue's own metrics carry no failed-run count; a rule on its state-change events gives one (its invocation count) and sends the event to the alarm topic.
        const rule = new aws.cloudwatch.EventRule(
            `${name}-glue-failed-runs`,
            {
                name: `${prefix}-glue-job-failed`,
                description: "A Spark job run on Glue of this stack failed, timed out or errored",
                eventPattern: pulumi.all(jobs.map((j) => j.name)).apply((names) => JSON.stringify(glueFailedRunsPattern(names))),
            },
            { parent: this },
        );
        new aws.cloudwatch.EventTarget(`${name}-glue-failed-runs`, { rule: rule.name, arn: context.alarms.alarmTopicArn }, { parent: this });
        const ref = (j: aws.glue.Job): GlueJobRef => ({ name: j.name, arn: j.arn });
        return { role, transformJob: ref(transformJob), ...(cdcApplyJob ? { cdcApplyJob: ref(cdcApplyJob) } : {}), failedRunsRuleName: rule.name };
    }

    private cluster(name: string, prefix: string, spark: Extract<SparkConfig, { mode: "cluster" }>, securityGroup: aws.ec2.SecurityGroup, args: TransformArgs): aws.emr.Cluster {
        // Account-level setting; kept on delete so removing this stack never turns it off.
        new aws.emr.BlockPublicAccessConfiguration(`${name}-block-public-access`, { blockPublicSecurityGroupRules: true }, { parent: this, retainOnDelete: true });

        // Node-to-node TLS needs certificates in S3: a self-signed CA-less certificate for the VPC's internal DNS names.
        const key = new tls.PrivateKey(`${name}-tls`, { algorithm: "RSA", rsaBits: 2048 }, { parent: this });
        const certificate = new tls.SelfSignedCert(
            `${name}-tls`,
            {
                privateKeyPem: key.privateKeyPem,
                subject: { commonName: `*.ec2.internal`, organization: prefix },
                dnsNames: [`*.ec2.internal`, `*.${args.context.region}.compute.internal`],
                validityPeriodHours: 24 * 365,
                earlyRenewalHours: 24 * 30,
                allowedUses: ["key_encipherment", "digital_signature", "server_auth", "client_auth"],
            },
            { parent: this },
        );
        const pem = new aws.s3.BucketObjectv2(
            `${name}-tls`,
            {
                bucket: args.artifactsBucket.id,
                key: "emr/tls/certificates.zip",
                source: pulumi.all([key.privateKeyPem, certificate.certPem]).apply(
                    ([privateKey, cert]) =>
                        new pulumi.asset.AssetArchive({
                            "privateKey.pem": new pulumi.asset.StringAsset(privateKey),
                            "certificateChain.pem": new pulumi.asset.StringAsset(cert),
                            "trustedCertificates.pem": new pulumi.asset.StringAsset(cert),
                        }),
                ),
            },
            { parent: this },
        );
        const securityConfiguration = new aws.emr.SecurityConfiguration(
            `${name}-security`,
            { name: `${prefix}-transform`, configuration: pulumi.all([args.context.keys.lake, pem.bucket, pem.key]).apply(([keyArn, bucket, objectKey]) => JSON.stringify(emrSecurityConfiguration(keyArn, `s3://${bucket}/${objectKey}`))) },
            { parent: this },
        );

        const emrServiceRole = new aws.iam.Role(
            `${name}-service`,
            { description: "EMR service role of the transform cluster", assumeRolePolicy: pulumi.output(args.context.accountId).apply((accountId) => trustPolicyJson(serviceTrustPolicy("elasticmapreduce.amazonaws.com", accountId))) },
            { parent: this },
        );
        new aws.iam.RolePolicyAttachment(`${name}-service`, { role: emrServiceRole.name, policyArn: pulumi.interpolate`arn:${args.context.partition}:iam::aws:policy/service-role/AmazonEMRServicePolicy_v2` }, { parent: this });
        new aws.iam.RolePolicy(
            `${name}-service-pass`,
            {
                role: emrServiceRole.name,
                policy: this.jobRole.arn.apply((arn) => JSON.stringify(policyDocument({ Effect: "Allow", Action: "iam:PassRole", Resource: arn, Condition: { StringEquals: { "iam:PassedToService": "ec2.amazonaws.com" } } }))),
            },
            { parent: this },
        );
        const instanceProfile = new aws.iam.InstanceProfile(`${name}-nodes`, { role: this.jobRole.name }, { parent: this });
        const fleet = (capacity: number, market: "onDemand" | "spot") => ({
            instanceTypeConfigs: [{ instanceType: spark.instanceType, weightedCapacity: 1, ebsConfigs: [{ size: 64, type: "gp3", volumesPerInstance: 1 }] }],
            ...(market === "onDemand" ? { targetOnDemandCapacity: capacity } : { targetSpotCapacity: capacity }),
        });
        const cluster = new aws.emr.Cluster(
            `${name}-cluster`,
            {
                name: `${prefix}-transform`,
                releaseLabel: spark.releaseLabel,
                applications: ["Spark"],
                serviceRole: emrServiceRole.arn,
                securityConfiguration: securityConfiguration.name,
                ec2Attributes: { instanceProfile: instanceProfile.arn, subnetIds: args.network.privateSubnetIds, additionalMasterSecurityGroups: securityGroup.id, additionalSlaveSecurityGroups: securityGroup.id },
                masterInstanceFleet: { name: "primary", ...fleet(1, "onDemand") },
                coreInstanceFleet: { name: "core", ...fleet(spark.coreNodes, "onDemand") },
                autoTerminationPolicy: { idleTimeout: spark.idleTimeoutMinutes * 60 },
                keepJobFlowAliveWhenNoSteps: true,
                terminationProtection: false,
                visibleToAllUsers: true,
                logUri: pulumi.interpolate`s3://${args.artifactsBucket.bucket}/emr-logs/`,
                logEncryptionKmsKeyId: args.context.keys.lake,
                ebsRootVolumeSize: 32,
                configurationsJson: JSON.stringify([{ Classification: "spark-hive-site", Properties: { "hive.metastore.client.factory.class": "com.amazonaws.glue.catalog.metastore.AWSGlueDataCatalogHiveClientFactory" } }]),
            },
            { parent: this },
        );
        if (spark.maxTaskNodes > 0) {
            new aws.emr.InstanceFleet(`${name}-task`, { clusterId: cluster.id, name: "task-spot", ...fleet(0, "spot"), launchSpecifications: { spotSpecifications: [{ allocationStrategy: "price-capacity-optimized", timeoutAction: "SWITCH_TO_ON_DEMAND", timeoutDurationMinutes: 10 }] } }, { parent: this });
        }
        new aws.emr.ManagedScalingPolicy(
            `${name}-scaling`,
            {
                clusterId: cluster.id,
                computeLimits: [{ unitType: "InstanceFleetUnits", minimumCapacityUnits: 1 + spark.coreNodes, maximumCapacityUnits: 1 + spark.coreNodes + spark.maxTaskNodes, maximumOndemandCapacityUnits: 1 + spark.coreNodes, maximumCoreCapacityUnits: spark.coreNodes }],
            },
            { parent: this },
        );
        return cluster;
    }
}
