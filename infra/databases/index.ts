import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DatabaseSourceConfig } from "../config/databaseSources";
import { contextPrefix, PlatformContext, RegisteredAlarm } from "../shared/context";
import { serviceRole } from "../shared/role";
import { capacityUnits, dmsBucketFolder, dmsEngineName, replicationAlarms, s3TargetSettings, tableMappings } from "./decisions";
import { replicationRolePolicy } from "./iam";

export interface DatabasesArgs {
    /** The stack's shared settings: the lake key encrypts the change files, the replication's storage and a created secret. */
    readonly context: PlatformContext;
    /** The captured database, its credentials secret, TLS mode and tables, from the stack config. */
    readonly source: DatabaseSourceConfig;
    /** The VPC whose private subnets the replication runs in. */
    readonly network: { readonly vpcId: pulumi.Input<string>; readonly privateSubnetIds: pulumi.Input<string[]> };
    /** Where DMS writes its change files (under `_dms/`). */
    readonly rawBucket: aws.s3.Bucket;
}

/**
 * Change data capture from an operational database with AWS DMS Serverless: a full load, then
 * ongoing changes, written as CSV change files (runtime/cdc/dms.ts) to the raw bucket's `_dms/`
 * folder with SSE-KMS under the lake key. The replication runs in the private subnets behind a
 * security group that only reaches the source's port and HTTPS (AWS APIs through the stack's
 * endpoints or NAT); the source endpoint reads its credentials from Secrets Manager and verifies
 * the server's certificate (`verify-full` by default).
 */
export class Databases extends pulumi.ComponentResource {
    readonly replicationConfigArn: pulumi.Output<string>;
    readonly secretArn: pulumi.Output<string>;
    readonly alarms: readonly RegisteredAlarm[];
    /** Lake Formation grants this area needs: none (DMS writes objects, never tables). */
    readonly catalogAccess: readonly never[] = [];

    constructor(name: string, args: DatabasesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:databases:Databases", name, {}, opts);
        const { context, source } = args;
        const prefix = contextPrefix(context);

        // Credentials: an existing secret, or one created from the config secret (never in code or state in plain text).
        let secretArn: pulumi.Output<string>;
        let createdSecretKey: pulumi.Input<string> | undefined;
        if (source.credentials.kind === "existing") {
            secretArn = pulumi.output(source.credentials.secretArn);
        } else {
            const secret = new aws.secretsmanager.Secret(`${name}-credentials`, { name: `${prefix}/db-source`, description: "Replication user of the captured database", kmsKeyId: context.keys.lake }, { parent: this });
            new aws.secretsmanager.SecretVersion(
                `${name}-credentials`,
                { secretId: secret.id, secretString: pulumi.secret(JSON.stringify({ username: source.credentials.username, password: source.credentials.password })) },
                { parent: this },
            );
            secretArn = secret.arn;
            createdSecretKey = context.keys.lake;
        }
        this.secretArn = secretArn;

        const { role } = serviceRole(
            `${name}-dms`,
            {
                service: ["dms.amazonaws.com", `dms.${context.region}.amazonaws.com`],
                description: "DMS: reads the source's credentials secret and writes change files to the raw bucket",
                accountId: context.accountId,
                policy: pulumi
                    .all([args.rawBucket.arn, context.keys.lake, secretArn, createdSecretKey, context.accountId, context.partition])
                    .apply(([rawBucketArn, lakeKeyArn, secret, secretKeyArn, accountId, partition]) =>
                        replicationRolePolicy({ rawBucketArn, lakeKeyArn, secretArn: secret, secretKeyArn, region: context.region, accountId, partition }),
                    ),
            },
            this,
        );

        const securityGroup = new aws.ec2.SecurityGroup(
            `${name}-sg`,
            {
                vpcId: args.network.vpcId,
                description: "DMS replication: no inbound; out to the source database port and HTTPS to AWS APIs",
                egress: [
                    { description: "Source database", protocol: "tcp", fromPort: source.port, toPort: source.port, cidrBlocks: ["0.0.0.0/0"] },
                    { description: "HTTPS to AWS APIs through endpoints or NAT", protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] },
                ],
                tags: { Name: `${prefix}-dms` },
            },
            { parent: this },
        );
        const subnetGroup = new aws.dms.ReplicationSubnetGroup(
            `${name}-subnets`,
            { replicationSubnetGroupId: `${prefix}-dms`, replicationSubnetGroupDescription: "Private subnets of the database replication", subnetIds: args.network.privateSubnetIds },
            { parent: this },
        );

        const sourceEndpoint = new aws.dms.Endpoint(
            `${name}-source`,
            {
                endpointId: `${prefix}-source`,
                endpointType: "source",
                engineName: dmsEngineName(source.engine),
                serverName: source.endpoint,
                port: source.port,
                databaseName: source.database,
                secretsManagerArn: secretArn,
                secretsManagerAccessRoleArn: role.arn,
                sslMode: source.tlsMode,
                certificateArn: source.caCertificateArn,
                kmsKeyArn: context.keys.lake,
                ...(source.engine.includes("postgres") ? { postgresSettings: { pluginName: "test_decoding", slotName: `${prefix.replace(/-/g, "_")}_cdc`, heartbeatEnable: true } } : {}),
            },
            { parent: this },
        );
        const targetEndpoint = new aws.dms.S3Endpoint(
            `${name}-target`,
            {
                endpointId: `${prefix}-lake`,
                endpointType: "target",
                bucketName: args.rawBucket.bucket,
                serviceAccessRoleArn: role.arn,
                serverSideEncryptionKmsKeyId: context.keys.lake,
                kmsKeyArn: context.keys.lake,
                expectedBucketOwner: context.accountId,
                ...s3TargetSettings(),
            },
            { parent: this },
        );
        const capacity = capacityUnits(context.environment);
        const replication = new aws.dms.ReplicationConfig(
            `${name}-replication`,
            {
                replicationConfigIdentifier: `${prefix}-db-source`,
                replicationType: "full-load-and-cdc",
                sourceEndpointArn: sourceEndpoint.endpointArn,
                targetEndpointArn: targetEndpoint.endpointArn,
                tableMappings: tableMappings(source.tables),
                startReplication: true,
                computeConfig: {
                    replicationSubnetGroupId: subnetGroup.replicationSubnetGroupId,
                    vpcSecurityGroupIds: [securityGroup.id],
                    kmsKeyId: context.keys.lake,
                    minCapacityUnits: capacity.min,
                    maxCapacityUnits: capacity.max,
                    multiAz: capacity.multiAz,
                },
            },
            { parent: this },
        );
        this.replicationConfigArn = replication.arn;

        const stateRule = new aws.cloudwatch.EventRule(
            `${name}-replication-state`,
            {
                name: `${prefix}-db-replication-failed`,
                description: "The database replication of this stack failed or stopped",
                eventPattern: replication.arn.apply((arn) =>
                    JSON.stringify({ source: ["aws.dms"], resources: [arn], detail: { eventType: ["REPLICATION_FAILED", "REPLICATION_STOPPED", "TABLE_ERROR"] } }),
                ),
            },
            { parent: this },
        );
        new aws.cloudwatch.EventTarget(`${name}-replication-state`, { rule: stateRule.name, arn: context.alarms.alarmTopicArn }, { parent: this });
        this.alarms = context.alarms.registerAlarms(this, replicationAlarms(name, replication.replicationConfigIdentifier, stateRule.name));
        this.registerOutputs({ replicationConfigArn: this.replicationConfigArn, secretArn: this.secretArn, alarms: this.alarms, changeFolder: dmsBucketFolder });
    }
}
