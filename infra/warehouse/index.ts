import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { WarehouseConfig } from "../config";
import { Observability } from "../observability";
import { serviceRole } from "../shared/role";
import { dataStoreOptions, namePrefix } from "../shared/options";
import { auditLogExports, loadRolePolicy, redshiftPort, warehouseParameters } from "./decisions";

export interface WarehouseArgs {
    readonly project: string;
    readonly stack: string;
    readonly region: string;
    readonly accountId: pulumi.Input<string>;
    readonly partition: pulumi.Input<string>;
    readonly warehouse: WarehouseConfig;
    readonly vpcId: pulumi.Input<string>;
    readonly vpcCidr: string;
    readonly privateSubnetIds: pulumi.Input<string[]>;
    /** Encrypts the warehouse and its managed admin secret. */
    readonly kmsKeyArn: pulumi.Input<string>;
    readonly lakeKeyArn: pulumi.Input<string>;
    readonly curatedBucketArn: pulumi.Input<string>;
    readonly artifactsBucketArn: pulumi.Input<string>;
    readonly curatedDatabase: string;
    readonly protectData: boolean;
    readonly observability: Observability;
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

    constructor(name: string, args: WarehouseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:warehouse:Warehouse", name, {}, opts);
        const prefix = namePrefix(args.project, args.stack);
        const wh = args.warehouse;
        this.database = wh.database;

        this.securityGroup = new aws.ec2.SecurityGroup(
            `${name}-sg`,
            {
                vpcId: args.vpcId,
                description: "Redshift: SQL clients inside the VPC only",
                ingress: [{ description: "Redshift SQL over TLS from inside the VPC", protocol: "tcp", fromPort: redshiftPort, toPort: redshiftPort, cidrBlocks: [args.vpcCidr] }],
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
                accountId: args.accountId,
                policy: pulumi
                    .all([args.curatedBucketArn, args.artifactsBucketArn, args.lakeKeyArn, args.partition, args.accountId])
                    .apply(([curatedBucketArn, artifactsBucketArn, lakeKeyArn, partition, accountId]) =>
                        loadRolePolicy({ curatedBucketArn, artifactsBucketArn, lakeKeyArn, partition, accountId, region: args.region, curatedDatabase: args.curatedDatabase }),
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
                    adminPasswordSecretKmsKeyId: args.kmsKeyArn,
                    kmsKeyId: args.kmsKeyArn,
                    iamRoles: [this.loadRole.arn],
                    defaultIamRoleArn: this.loadRole.arn,
                    logExports: [...auditLogExports],
                },
                dataStoreOptions(args.protectData, this),
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
                    subnetIds: args.privateSubnetIds,
                    securityGroupIds: [this.securityGroup.id],
                    port: redshiftPort,
                    configParameters: warehouseParameters.map((p) => ({ parameterKey: p.name, parameterValue: p.value })),
                },
                dataStoreOptions(args.protectData, this),
            );
            new aws.redshiftserverless.UsageLimit(
                `${name}-daily-rpu`,
                { resourceArn: workgroup.arn, usageType: "serverless-compute", amount: wh.dailyRpuHours, period: "daily", breachAction: "deactivate" },
                { parent: this },
            );
            this.endpoint = workgroup.endpoints.apply((endpoints) => endpoints?.[0]?.address ?? "");
            this.arn = workgroup.arn;
            this.adminSecretArn = namespace.adminPasswordSecretArn;
            this.target = { kind: "serverless", name: prefix };
            args.observability.addAlarm(this, `${name}-capacity-saturated`, {
                stage: "warehouse",
                description: "The serverless workgroup has run at its maximum RPUs for 30 minutes: queries queue. Raise warehouseMaxRpu or tune the loads.",
                namespace: "AWS/Redshift-Serverless",
                metricName: "ComputeCapacity",
                dimensions: { Workgroup: prefix },
                statistic: "Minimum",
                comparisonOperator: "GreaterThanOrEqualToThreshold",
                threshold: wh.maxRpu,
                periodSeconds: 300,
                evaluationPeriods: 6,
            });
        } else {
            const subnetGroup = new aws.redshift.SubnetGroup(`${name}-subnets`, { name: prefix, subnetIds: args.privateSubnetIds, description: "Private subnets of the platform" }, { parent: this });
            const parameterGroup = new aws.redshift.ParameterGroup(
                `${name}-params`,
                { name: prefix, family: "redshift-1.0", description: "SSL required, user activity logged", parameters: warehouseParameters.map((p) => ({ ...p })) },
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
                    masterPasswordSecretKmsKeyId: args.kmsKeyArn,
                    encrypted: "true",
                    kmsKeyId: args.kmsKeyArn,
                    publiclyAccessible: false,
                    enhancedVpcRouting: true,
                    clusterSubnetGroupName: subnetGroup.name,
                    vpcSecurityGroupIds: [this.securityGroup.id],
                    clusterParameterGroupName: parameterGroup.name,
                    automatedSnapshotRetentionPeriod: wh.snapshotRetentionDays,
                    availabilityZoneRelocationEnabled: true,
                    skipFinalSnapshot: !args.protectData,
                    ...(args.protectData ? { finalSnapshotIdentifier: `${prefix}-final` } : {}),
                    iamRoles: [this.loadRole.arn],
                    defaultIamRoleArn: this.loadRole.arn,
                    port: redshiftPort,
                    allowVersionUpgrade: true,
                    preferredMaintenanceWindow: "sun:05:00-sun:05:30",
                },
                dataStoreOptions(args.protectData, this),
            );
            new aws.redshift.Logging(`${name}-audit`, { clusterIdentifier: cluster.clusterIdentifier, logDestinationType: "cloudwatch", logExports: [...auditLogExports] }, { parent: this });
            this.endpoint = cluster.dnsName;
            this.arn = cluster.arn;
            this.adminSecretArn = cluster.masterPasswordSecretArn;
            this.target = { kind: "provisioned", name: prefix };
            args.observability.addAlarm(this, `${name}-health`, {
                stage: "warehouse",
                description: "The Redshift cluster reports unhealthy: it does not answer queries. Check the cluster events.",
                namespace: "AWS/Redshift",
                metricName: "HealthStatus",
                dimensions: { ClusterIdentifier: prefix },
                statistic: "Minimum",
                comparisonOperator: "LessThanThreshold",
                threshold: 1,
                periodSeconds: 60,
                evaluationPeriods: 5,
                treatMissingData: "breaching",
            });
            args.observability.addAlarm(this, `${name}-disk`, {
                stage: "warehouse",
                description: "The Redshift cluster's disk is over 80% used. Vacuum, unload cold data or resize.",
                namespace: "AWS/Redshift",
                metricName: "PercentageDiskSpaceUsed",
                dimensions: { ClusterIdentifier: prefix },
                statistic: "Maximum",
                comparisonOperator: "GreaterThanThreshold",
                threshold: 80,
                evaluationPeriods: 3,
            });
        }
        this.registerOutputs({ endpoint: this.endpoint });
    }
}
