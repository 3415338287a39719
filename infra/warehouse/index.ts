import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { WarehouseConfig } from "../config";
import { catalogDatabaseNames, CatalogGrant } from "../catalog/decisions";
import { contextPrefix, PlatformContext, RegisteredAlarm } from "../shared/context";
import { serviceRole } from "../shared/role";
import { Statement } from "../shared/iam";
import { scheduledStarts } from "../shared/schedule";
import { dataStoreOptions } from "../shared/options";
import {
    auditLogExports,
    loadRolePolicy,
    nightlySnapshotRequest,
    nightlySnapshotSchedule,
    redshiftPort,
    validateWarehouse,
    warehouseAlarms,
    warehouseParametersFor,
    zeroEtlAlarms,
    zeroEtlDataFilter,
    zeroEtlEncryptionContext,
    zeroEtlEventPattern,
    zeroEtlIntegrationName,
    zeroEtlResourcePolicy,
    ZeroEtlSource,
} from "./decisions";

export interface WarehouseArgs {
    /**
     * The stack's shared settings. The warehouse key encrypts the warehouse and its managed admin
     * secret; `protectData` protects it and, provisioned, keeps a final snapshot.
     */
    readonly context: PlatformContext;
    /** Serverless (`serverless`: RPUs and a daily limit) or provisioned (`provisioned`: RA3 nodes), from the stack config. */
    readonly warehouse: WarehouseConfig;
    /** The VPC: SQL clients from its CIDR only, the warehouse in its private subnets. */
    readonly network: { readonly vpcId: pulumi.Input<string>; readonly cidr: string; readonly privateSubnetIds: pulumi.Input<string[]> };
    /** The curated zone bucket, read by COPY and Spectrum. */
    readonly curatedBucketArn: pulumi.Input<string>;
    /** The artifacts bucket, where load manifests are read from. */
    readonly artifactsBucketArn: pulumi.Input<string>;
    /** The Glue database Spectrum reads. Defaults to the stack's curated database (`<project>_<stack>_curated`). */
    readonly curatedDatabase?: string;
    /**
     * An Aurora cluster replicated into the warehouse by a zero-ETL integration (`dbSourceZeroEtl`):
     * the warehouse then enables case-sensitive identifiers, authorizes the cluster in its
     * namespace's resource policy and declares the integration, encrypted with the warehouse key.
     * Defaults to none.
     */
    readonly zeroEtl?: ZeroEtlSource;
}

/**
 * Redshift, serverless (namespace and workgroup with a daily RPU-hour limit) or provisioned (an
 * RA3 cluster). Either way: private subnets only, enhanced VPC routing, SSL required, encryption
 * with the warehouse key, an admin password managed by Redshift in Secrets Manager, non-default
 * admin user and database names, audit logs, and a load role for COPY and Spectrum.
 */
export class Warehouse extends pulumi.ComponentResource {
    readonly loadRole: aws.iam.Role;
    readonly securityGroup: aws.ec2.SecurityGroup;
    readonly endpoint: pulumi.Output<string>;
    /** Serverless workgroup name or provisioned cluster identifier, for the Data API. */
    readonly target: { readonly kind: "serverless" | "provisioned"; readonly name: string };
    readonly database: string;
    /** Workgroup ARN (serverless) or cluster ARN (provisioned): what Data API callers are granted. */
    readonly arn: pulumi.Output<string>;
    /** The admin secret Redshift manages in Secrets Manager; Data API callers use it. */
    readonly adminSecretArn: pulumi.Output<string>;
    /** What the load role needs from the catalog: read the curated tables (Spectrum). */
    readonly catalogAccess: readonly CatalogGrant[];
    readonly alarms: readonly RegisteredAlarm[];
    /** The zero-ETL integration's ARN, when `zeroEtl` is given. */
    readonly zeroEtlIntegrationArn?: pulumi.Output<string>;

    constructor(name: string, args: WarehouseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:warehouse:Warehouse", name, {}, opts);
        validateWarehouse(name, args.warehouse);
        const context = args.context;
        const prefix = contextPrefix(context);
        const keyArn = context.keys.warehouse;
        const curatedDatabase = args.curatedDatabase ?? catalogDatabaseNames(context.project, context.stack).curated;
        const wh = args.warehouse;
        this.database = wh.database;
        const parameters = warehouseParametersFor({ zeroEtl: args.zeroEtl !== undefined });
        // What the zero-ETL integration targets (the namespace) and waits for (the warehouse with its parameters).
        let integrationTarget: { namespaceArn: pulumi.Output<string>; ready: pulumi.Resource[] };
        let snapshotAlarms: RegisteredAlarm[] = [];

        this.securityGroup = new aws.ec2.SecurityGroup(
            `${name}-sg`,
            {
                vpcId: args.network.vpcId,
                description: "Redshift: SQL clients inside the VPC only",
                ingress: [{ description: "Redshift SQL over TLS from inside the VPC", protocol: "tcp", fromPort: redshiftPort, toPort: redshiftPort, cidrBlocks: [args.network.cidr] }],
                egress: [{ description: "HTTPS to S3, Glue and KMS through endpoints or NAT (enhanced VPC routing)", protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }],
                tags: { Name: `${prefix}-warehouse` },
            },
            { parent: this },
        );

        this.loadRole = serviceRole(
            `${name}-load`,
            {
                service: ["redshift.amazonaws.com", "redshift-serverless.amazonaws.com"],
                description: "Redshift COPY from the curated zone and Spectrum over the curated catalog",
                accountId: context.accountId,
                policy: pulumi
                    .all([args.curatedBucketArn, args.artifactsBucketArn, context.keys.lake, context.partition, context.accountId])
                    .apply(([curatedBucketArn, artifactsBucketArn, lakeKeyArn, partition, accountId]) =>
                        loadRolePolicy({ curatedBucketArn, artifactsBucketArn, lakeKeyArn, partition, accountId, region: context.region, curatedDatabase }),
                    ),
            },
            this,
        ).role;

        if (wh.mode === "serverless") {
            const namespace = new aws.redshiftserverless.Namespace(
                `${name}-namespace`,
                {
                    namespaceName: prefix,
                    dbName: wh.database,
                    adminUsername: wh.adminUser,
                    manageAdminPassword: true,
                    adminPasswordSecretKmsKeyId: keyArn,
                    kmsKeyId: keyArn,
                    iamRoles: [this.loadRole.arn],
                    defaultIamRoleArn: this.loadRole.arn,
                    logExports: [...auditLogExports],
                },
                dataStoreOptions(context.protectData, this),
            );
            const workgroup = new aws.redshiftserverless.Workgroup(
                `${name}-workgroup`,
                {
                    workgroupName: prefix,
                    namespaceName: namespace.namespaceName,
                    baseCapacity: wh.baseRpu,
                    maxCapacity: wh.maxRpu,
                    publiclyAccessible: false,
                    enhancedVpcRouting: true,
                    subnetIds: args.network.privateSubnetIds,
                    securityGroupIds: [this.securityGroup.id],
                    port: redshiftPort,
                    configParameters: parameters.map((p) => ({ parameterKey: p.name, parameterValue: p.value })),
                },
                dataStoreOptions(context.protectData, this),
            );
            new aws.redshiftserverless.UsageLimit(
                `${name}-daily-rpu`,
                { resourceArn: workgroup.arn, usageType: "serverless-compute", amount: wh.dailyRpuHours, period: "daily", breachAction: "deactivate" },
                { parent: this },
            );
            snapshotAlarms = this.nightlySnapshots(name, context, namespace, wh.snapshotRetentionDays);
            this.endpoint = workgroup.endpoints.apply((endpoints) => endpoints?.[0]?.address ?? "");
            this.arn = workgroup.arn;
            this.adminSecretArn = namespace.adminPasswordSecretArn;
            this.target = { kind: "serverless", name: prefix };
            integrationTarget = { namespaceArn: namespace.arn, ready: [namespace, workgroup] };
        } else {
            const subnetGroup = new aws.redshift.SubnetGroup(`${name}-subnets`, { name: prefix, subnetIds: args.network.privateSubnetIds, description: "Private subnets of the platform" }, { parent: this });
            const parameterGroup = new aws.redshift.ParameterGroup(
                `${name}-params`,
                {
                    name: prefix,
                    family: "redshift-1.0",
                    description: args.zeroEtl ? "SSL required, user activity logged, case-sensitive identifiers (zero-ETL)" : "SSL required, user activity logged",
                    parameters,
                },
                { parent: this },
            );
            const cluster = new aws.redshift.Cluster(
                `${name}-cluster`,
                {
                    clusterIdentifier: prefix,
                    nodeType: wh.nodeType,
                    clusterType: wh.nodeCount > 1 ? "multi-node" : "single-node",
                    numberOfNodes: wh.nodeCount,
                    databaseName: wh.database,
                    masterUsername: wh.adminUser,
                    manageMasterPassword: true,
                    masterPasswordSecretKmsKeyId: keyArn,
                    encrypted: "true",
                    kmsKeyId: keyArn,
                    publiclyAccessible: false,
                    enhancedVpcRouting: true,
                    clusterSubnetGroupName: subnetGroup.name,
                    vpcSecurityGroupIds: [this.securityGroup.id],
                    clusterParameterGroupName: parameterGroup.name,
                    automatedSnapshotRetentionPeriod: wh.snapshotRetentionDays,
                    availabilityZoneRelocationEnabled: true,
                    skipFinalSnapshot: !context.protectData,
                    ...(context.protectData ? { finalSnapshotIdentifier: `${prefix}-final` } : {}),
                    iamRoles: [this.loadRole.arn],
                    defaultIamRoleArn: this.loadRole.arn,
                    port: redshiftPort,
                    allowVersionUpgrade: true,
                    preferredMaintenanceWindow: "sun:05:00-sun:05:30",
                },
                dataStoreOptions(context.protectData, this),
            );
            new aws.redshift.Logging(`${name}-audit`, { clusterIdentifier: cluster.clusterIdentifier, logDestinationType: "cloudwatch", logExports: [...auditLogExports] }, { parent: this });
            this.endpoint = cluster.dnsName;
            this.arn = cluster.arn;
            this.adminSecretArn = cluster.masterPasswordSecretArn;
            this.target = { kind: "provisioned", name: prefix };
            integrationTarget = { namespaceArn: cluster.clusterNamespaceArn, ready: [cluster, parameterGroup] };
        }
        this.catalogAccess = [{ name: "warehouse", principalArn: this.loadRole.arn, zone: "curated", tablePermissions: ["SELECT", "DESCRIBE"], databasePermissions: ["DESCRIBE"] }];
        const zeroEtl = args.zeroEtl ? this.zeroEtl(name, context, args.zeroEtl, integrationTarget) : undefined;
        this.zeroEtlIntegrationArn = zeroEtl?.arn;
        this.alarms = [...context.alarms.registerAlarms(this, warehouseAlarms(name, prefix, wh)), ...snapshotAlarms, ...(zeroEtl?.alarms ?? [])];
        this.registerOutputs({ endpoint: this.endpoint, target: this.target, database: this.database, arn: this.arn, adminSecretArn: this.adminSecretArn, loadRoleArn: this.loadRole.arn, alarms: this.alarms, zeroEtlIntegrationArn: this.zeroEtlIntegrationArn });
    }

    /**
     * A nightly snapshot of the serverless namespace, kept `retentionDays` (its recovery points last
     * only 24 hours), taken by EventBridge Scheduler calling CreateSnapshot. The scheduler role may
     * only create snapshots (their ids are assigned by Redshift, hence `snapshot/*` of this account
     * and Region); failed starts land in a dead-letter queue with an alarm.
     */
    private nightlySnapshots(name: string, context: PlatformContext, namespace: aws.redshiftserverless.Namespace, retentionDays: number): RegisteredAlarm[] {
        const prefix = contextPrefix(context);
        const snapshots = scheduledStarts(`${name}-snapshots`, this, {
            deadLetterQueueName: `${prefix}-warehouse-snapshot-schedule-failed`,
            targetArn: "arn:aws:scheduler:::aws-sdk:redshiftserverless:createSnapshot",
            permissions: pulumi.all([context.partition, context.accountId]).apply(([partition, accountId]): Statement[] => [
                {
                    Sid: "SnapshotTheNamespace",
                    Effect: "Allow",
                    Action: "redshift-serverless:CreateSnapshot",
                    Resource: `arn:${partition}:redshift-serverless:${context.region}:${accountId}:snapshot/*`,
                },
            ]),
            roleDescription: "Takes the nightly snapshot of the warehouse namespace",
            context,
            schedules: [
                {
                    resourceName: `${name}-nightly-snapshot`,
                    scheduleName: `${prefix}-warehouse-nightly-snapshot`,
                    description: `Snapshots the warehouse namespace every night, kept ${retentionDays} days`,
                    expression: nightlySnapshotSchedule,
                    input: namespace.namespaceName.apply((namespaceName) => JSON.stringify(nightlySnapshotRequest(namespaceName, retentionDays))),
                },
            ],
            alarm: {
                stage: "warehouse",
                description: "The scheduler could not take the warehouse's nightly snapshot after its retries; the attempts are in the dead-letter queue. Check the scheduler role and the namespace's status.",
            },
        });
        return snapshots.alarms;
    }

    /**
     * The Aurora-to-Redshift zero-ETL integration: the namespace's resource policy authorizing the
     * cluster, the integration (only the captured tables, encrypted with the warehouse key under
     * its own encryption context, which the key policy requires of Redshift's grants), and an
     * EventBridge rule sending its failure events to the alarm topic, with an alarm on the rule.
     */
    private zeroEtl(name: string, context: PlatformContext, source: ZeroEtlSource, target: { namespaceArn: pulumi.Output<string>; ready: pulumi.Resource[] }): { arn: pulumi.Output<string>; alarms: RegisteredAlarm[] } {
        const prefix = contextPrefix(context);
        const resourcePolicy = new aws.redshift.ResourcePolicy(
            `${name}-zero-etl-policy`,
            {
                resourceArn: target.namespaceArn,
                policy: pulumi
                    .all([target.namespaceArn, context.partition, context.accountId])
                    .apply(([namespaceArn, partition, accountId]) => JSON.stringify(zeroEtlResourcePolicy({ namespaceArn, sourceArn: source.clusterArn, partition, accountId }))),
            },
            { parent: this },
        );
        const integrationName = zeroEtlIntegrationName(prefix);
        const integration = new aws.rds.Integration(
            `${name}-zero-etl`,
            {
                integrationName,
                sourceArn: source.clusterArn,
                targetArn: target.namespaceArn,
                kmsKeyId: context.keys.warehouse,
                additionalEncryptionContext: zeroEtlEncryptionContext(prefix),
                dataFilter: zeroEtlDataFilter(source),
                tags: { Name: integrationName },
            },
            { parent: this, dependsOn: [resourcePolicy, ...target.ready] },
        );
        const rule = new aws.cloudwatch.EventRule(
            `${name}-zero-etl-events`,
            {
                name: `${prefix}-zero-etl-failed`,
                description: "The zero-ETL integration into this stack's warehouse failed or needs attention",
                eventPattern: integration.arn.apply((arn) => JSON.stringify(zeroEtlEventPattern(arn))),
            },
            { parent: this },
        );
        new aws.cloudwatch.EventTarget(`${name}-zero-etl-events`, { rule: rule.name, arn: context.alarms.alarmTopicArn }, { parent: this });
        return { arn: integration.arn, alarms: context.alarms.registerAlarms(this, zeroEtlAlarms(name, rule.name)) };
    }
}
