import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { cdcLandingEnvironmentVariables, createChangeFileLandingHandler, defaultCdcMetricsNamespace, formatCapturedTables, formatCdcSource } from "../../runtime/cdc/handler";
import { DatabaseSourceConfig } from "../config/databaseSources";
import { contextPrefix, PlatformContext, RegisteredAlarm } from "../shared/context";
import { eventFunction } from "../shared/eventFunction";
import { serviceRole } from "../shared/role";
import { capacityUnits, changeFilePattern, dmsBucketFolder, dmsEngineName, landingAlarms, landingNames, landingSizing, replicationAlarms, s3TargetSettings, tableMappings } from "./decisions";
import { landingRolePolicy, replicationRolePolicy } from "./iam";
import { LineageWiring, policyWithLineage } from "../lineage";
import { sourceFunctionBundleExclusions } from "../shared/bundle";

export interface DatabasesArgs {
    /** The stack's shared settings: the lake key encrypts the change files, the replication's storage and a created secret. */
    readonly context: PlatformContext;
    /** The captured database, its credentials secret, TLS mode and tables, from the stack config. */
    readonly source: DatabaseSourceConfig;
    /** The VPC whose private subnets the replication runs in. */
    readonly network: { readonly vpcId: pulumi.Input<string>; readonly privateSubnetIds: pulumi.Input<string[]> };
    /** Where DMS writes its change files (under `_dms/`), and where the landing function lands valid change records (under `<dataset>/`). */
    readonly rawBucket: aws.s3.Bucket;
    /** Where the landing function puts rejected change rows, with the file, line and every broken rule. */
    readonly rejectsBucket: aws.s3.Bucket;
    /** Where the change-file landing function reports its runs' OpenLineage events (the Lineage component). Defaults to none: no emission. */
    readonly lineage?: LineageWiring;
}

/** Packages the change-file landing closure never loads. */
// The landing never hands work to Batch (file ingest does), so its client stays out too.
const excludedFromBundle = [...sourceFunctionBundleExclusions, "@aws-sdk/client-batch"];

/**
 * Change data capture from an operational database with AWS DMS Serverless: a full load, then
 * ongoing changes, written as CSV change files (runtime/cdc/dms.ts) to the raw bucket's `_dms/`
 * folder with SSE-KMS under the lake key. The replication runs in the private subnets behind a
 * security group that only reaches the source's port and HTTPS (AWS APIs through the stack's
 * endpoints or NAT); the source endpoint reads its credentials from Secrets Manager and verifies
 * the server's certificate (`verify-full` by default).
 *
 * The change files are landed as they arrive: the raw bucket sends its events to EventBridge, a
 * rule on "Object Created" for `_dms/*.csv` targets a landing function deployed from
 * `runtime/cdc/handler.ts` as an inline callback (its own least-privilege role, encrypted log
 * group and environment, reserved concurrency, X-Ray), with an encrypted dead-letter queue for
 * events that exhaust their retries (EventBridge delivery and the asynchronous invocation), and
 * alarms. Landing is idempotent, so a redelivered event writes nothing new.
 */
export class Databases extends pulumi.ComponentResource {
    readonly replicationConfigArn: pulumi.Output<string>;
    readonly secretArn: pulumi.Output<string>;
    readonly alarms: readonly RegisteredAlarm[];
    /** The change-file landing function. */
    readonly landingFunction: aws.lambda.Function;
    /** Where change-file events that exhausted their retries wait. */
    readonly landingFailureQueue: aws.sqs.Queue;
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
        const landing = this.landing(name, args, prefix);
        this.landingFunction = landing.fn;
        this.landingFailureQueue = landing.queue;
        this.alarms = [...context.alarms.registerAlarms(this, replicationAlarms(name, replication.replicationConfigIdentifier, stateRule.name)), ...landing.alarms];
        this.registerOutputs({ replicationConfigArn: this.replicationConfigArn, secretArn: this.secretArn, alarms: this.alarms, changeFolder: dmsBucketFolder, landingFunction: landing.fn.name });
    }

    /** The change-file landing: raw bucket events to EventBridge, the rule, the function and its role, queue, logs and alarms. */
    private landing(name: string, args: DatabasesArgs, prefix: string): { fn: aws.lambda.Function; queue: aws.sqs.Queue; alarms: RegisteredAlarm[] } {
        const { context, source } = args;
        const names = landingNames(prefix);
        const base = `${name}-landing`;
        const sizing = landingSizing(context.environment);
        const env = cdcLandingEnvironmentVariables;
        const datasets = [...new Set(source.tables.map((t) => t.dataset.name))];
        // Every event of the raw bucket goes to EventBridge; the rule picks the change files. The raw bucket has no other notification configuration.
        new aws.s3.BucketNotification(`${name}-raw-events`, { bucket: args.rawBucket.id, eventbridge: true }, { parent: this });
        const { fn, queue } = eventFunction(this, {
            context,
            base,
            names,
            ruleDescription: `S3 Object Created for DMS change files under ${dmsBucketFolder}/ of the raw bucket`,
            eventPattern: args.rawBucket.bucket.apply((b) => JSON.stringify(changeFilePattern(b))),
            roleDescription: "Change-file landing function: least privilege, no managed policies",
            rolePolicy: ({ logGroupArn, failureQueueArn }) =>
                policyWithLineage(
                pulumi
                    .all([args.rawBucket.arn, args.rejectsBucket.arn, context.keys.lake, context.keys.streaming, logGroupArn, failureQueueArn])
                    .apply(([rawBucketArn, rejectsBucketArn, lakeKeyArn, streamingKeyArn, logGroup, failureQueue]) =>
                        landingRolePolicy({ datasets, rawBucketArn, rejectsBucketArn, lakeKeyArn, logGroupArn: logGroup, failureQueueArn: failureQueue, failureQueueKeyArn: streamingKeyArn }),
                    ),
                args.lineage,
                ),
            description: `Lands DMS change files of ${source.tables.map((t) => `${t.schema}.${t.table}`).join(", ")}: rows to raw or rejects, idempotent per file`,
            callbackFactory: createChangeFileLandingHandler,
            ...sizing,
            environment: {
                [env.rawBucket]: args.rawBucket.bucket,
                [env.rejectsBucket]: args.rejectsBucket.bucket,
                [env.dmsFolder]: dmsBucketFolder,
                [env.tables]: formatCapturedTables(source.tables.map((t) => ({ schema: t.schema, table: t.table, dataset: t.dataset.name, key: t.key }))),
                [env.metricsNamespace]: defaultCdcMetricsNamespace,
                [env.serviceName]: names.serviceName,
                // The source's lineage name: the runs start at its tables, not at the change files.
                [env.source]: formatCdcSource({ kind: source.engine.endsWith("mysql") ? "mysql" : "postgres", host: source.endpoint, port: source.port, database: source.database }),
                ...args.lineage?.environment,
            },
            excludedFromBundle,
        });
        const alarms = context.alarms.registerAlarms(
            this,
            landingAlarms({ base, functionName: fn.name, queue: queue.name, queueName: names.queueName, serviceName: names.serviceName, tables: source.tables.map((t) => `${t.schema}.${t.table}`) }),
        );
        return { fn, queue, alarms };
    }
}
