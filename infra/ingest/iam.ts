import { kmsUseStatement, policyDocument, PolicyDocument, Statement } from "../shared/iam";

export interface IngestRoleContext {
    readonly engine: "kinesis" | "msk";
    readonly dataset: string;
    readonly rawBucketArn: string;
    readonly rejectsBucketArn: string;
    readonly lakeKeyArn: string;
    readonly streamingKeyArn: string;
    readonly logGroupArn: string;
    readonly failureQueueArn: string;
    /** Kinesis stream ARN, or MSK cluster ARN. */
    readonly sourceArn: string;
    /** MSK only: the topic and consumer group the function reads. */
    readonly topic?: string;
    readonly consumerGroup?: string;
    /** MSK only: the private subnets and security group the function's network interfaces use. */
    readonly vpc?: { readonly subnetIds: readonly string[]; readonly securityGroupIds: readonly string[] };
    /**
     * MSK with SASL/SCRAM or mutual TLS only: the secret the event source mapping reads with the
     * function's role (SCRAM credentials or the client certificate) and the customer-managed key
     * that encrypts it. Absent with IAM, where Lambda signs with the role instead.
     */
    readonly clientSecret?: { readonly secretArn: string; readonly kmsKeyArn: string };
}

/** `arn:aws:kafka:r:a:cluster/name/uuid` → the topic or group ARN prefix `arn:aws:kafka:r:a:<kind>/name/uuid`. */
export function mskResourceArn(clusterArn: string, kind: "topic" | "group", name: string): string {
    return `${clusterArn.replace(":cluster/", `:${kind}/`)}/${name}`;
}

/** `arn:partition:service:region:account:...` → the parts an ARN in the same account and region needs. */
function arnScope(arn: string): { partition: string; region: string; accountId: string } {
    const [prefix, partition, , region, accountId] = arn.split(":");
    if (prefix !== "arn" || !partition || !region || !accountId) {
        throw new Error(`ingest role: sourceArn must be an ARN with a region and an account (arn:aws:kafka:<region>:<account>:cluster/...), found "${arn}"; pass the MSK cluster's ARN`);
    }
    return { partition, region, accountId };
}

/**
 * The network-interface calls Lambda makes with the function's role to place it in its subnets
 * (and the MSK event source poller, in the cluster's). By the service authorization reference,
 * CreateNetworkInterface takes the subnet, the security group and the new interface's ARN, and
 * DeleteNetworkInterface the interface's; the interface ids are chosen by EC2, so those are the
 * account's interfaces in this region (Lambda's guide: scope Delete to all of them or it can
 * fail to detach), narrowed by the `ec2:Subnet` condition to the function's subnets. The Describe calls have no resource-level permissions.
 */
function vpcNetworkInterfaceStatements(clusterArn: string, vpc: NonNullable<IngestRoleContext["vpc"]>): Statement[] {
    if (vpc.subnetIds.length === 0 || vpc.securityGroupIds.length === 0) {
        throw new Error(`ingest role: vpc.subnetIds and vpc.securityGroupIds must each name at least one id, found ${vpc.subnetIds.length} subnet(s) and ${vpc.securityGroupIds.length} security group(s); pass the private subnets and the Kafka client security group`);
    }
    const { partition, region, accountId } = arnScope(clusterArn);
    const ec2 = `arn:${partition}:ec2:${region}:${accountId}`;
    const interfaces = `${ec2}:network-interface/*`;
    return [
        {
            Sid: "CreateNetworkInterfacesInOwnSubnets",
            Effect: "Allow",
            Action: "ec2:CreateNetworkInterface",
            Resource: [interfaces, ...vpc.subnetIds.map((id) => `${ec2}:subnet/${id}`), ...vpc.securityGroupIds.map((id) => `${ec2}:security-group/${id}`)],
        },
        {
            Sid: "DeleteOwnNetworkInterfaces",
            Effect: "Allow",
            Action: "ec2:DeleteNetworkInterface",
            Resource: interfaces,
            // Interface ids are EC2's choice; the subnet (a key DeleteNetworkInterface carries) pins them to ours.
            Condition: { ArnEquals: { "ec2:Subnet": vpc.subnetIds.map((id) => `${ec2}:subnet/${id}`) } },
        },
        {
            Sid: "DescribeNetworkHasNoResourceLevelPermissions",
            Effect: "Allow",
            Action: ["ec2:DescribeNetworkInterfaces", "ec2:DescribeVpcs", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups"],
            Resource: "*",
        },
    ];
}

/**
 * Reading the event source mapping's one secret, and decrypting with its key only when Secrets
 * Manager asks (`kms:ViaService`).
 */
function clientSecretStatements(secret: NonNullable<IngestRoleContext["clientSecret"]>): Statement[] {
    const [prefix, partition, service, region] = secret.secretArn.split(":");
    if (prefix !== "arn" || service !== "secretsmanager" || !partition || !region) {
        throw new Error(`ingest role: clientSecret.secretArn must be a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>), found "${secret.secretArn}"; pass the SCRAM or client-certificate secret's ARN`);
    }
    return [
        { Sid: "ReadKafkaClientSecret", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: secret.secretArn },
        {
            Sid: "DecryptKafkaClientSecret",
            Effect: "Allow",
            Action: "kms:Decrypt",
            Resource: secret.kmsKeyArn,
            Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${region}.amazonaws.com` } },
        },
    ];
}

/**
 * The ingest function's permissions, and nothing else: write its dataset's prefix in the raw and
 * rejects buckets, and read back there (a conditional put that finds the key taken compares the
 * stored object's content hash); never delete. Use the lake key for those objects;
 * read its one source, send failed batches' metadata to its own queue, write its own log group.
 * Statements on `*` are those whose actions have no resource-level permissions: X-Ray trace
 * upload, Kinesis ListStreams, and the EC2 Describe calls (MSK only).
 * No `kinesis:SubscribeToShard`: it applies to stream consumers (enhanced fan-out), and the event
 * source mapping reads the stream with GetRecords, with no consumer.
 */
export function ingestRolePolicy(ctx: IngestRoleContext): PolicyDocument {
    const statements: Statement[] = [
        {
            Sid: "LandRecordsOfThisDataset",
            Effect: "Allow",
            Action: ["s3:PutObject", "s3:GetObject"],
            Resource: [`${ctx.rawBucketArn}/${ctx.dataset}/*`, `${ctx.rejectsBucketArn}/${ctx.dataset}/*`],
        },
        { Sid: "EncryptLandedObjects", Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: ctx.lakeKeyArn },
        { Sid: "WriteOwnLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${ctx.logGroupArn}:*` },
        { Sid: "ReportFailedBatches", Effect: "Allow", Action: "sqs:SendMessage", Resource: ctx.failureQueueArn },
        { ...kmsUseStatement([ctx.streamingKeyArn]), Sid: "ReadEncryptedSourceAndQueue" },
        { Sid: "XRayHasNoResourceLevelPermissions", Effect: "Allow", Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], Resource: "*" },
    ];
    if (ctx.engine === "kinesis") {
        statements.push(
            {
                Sid: "ReadStream",
                Effect: "Allow",
                Action: ["kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:ListShards"],
                Resource: ctx.sourceArn,
            },
            { Sid: "ListStreamsHasNoResourceLevelPermissions", Effect: "Allow", Action: "kinesis:ListStreams", Resource: "*" },
        );
    } else {
        statements.push(
            { Sid: "DescribeCluster", Effect: "Allow", Action: ["kafka:DescribeCluster", "kafka:DescribeClusterV2", "kafka:GetBootstrapBrokers"], Resource: ctx.sourceArn },
            { Sid: "ConnectToCluster", Effect: "Allow", Action: ["kafka-cluster:Connect", "kafka-cluster:DescribeClusterDynamicConfiguration"], Resource: ctx.sourceArn },
            {
                Sid: "ReadTopic",
                Effect: "Allow",
                Action: ["kafka-cluster:DescribeTopic", "kafka-cluster:ReadData"],
                Resource: mskResourceArn(ctx.sourceArn, "topic", ctx.topic ?? ctx.dataset),
            },
            {
                Sid: "UseConsumerGroup",
                Effect: "Allow",
                Action: ["kafka-cluster:AlterGroup", "kafka-cluster:DescribeGroup"],
                Resource: mskResourceArn(ctx.sourceArn, "group", ctx.consumerGroup ?? ctx.dataset),
            },
        );
        if (ctx.vpc) {
            statements.push(...vpcNetworkInterfaceStatements(ctx.sourceArn, ctx.vpc));
        }
        if (ctx.clientSecret) {
            statements.push(...clientSecretStatements(ctx.clientSecret));
        }
    }
    return policyDocument(...statements);
}

/** Function, consumer group and queue names of one dataset's ingest. */
export function ingestNames(prefix: string, dataset: string): { functionName: string; consumerGroup: string; queueName: string; serviceName: string } {
    return { functionName: `${prefix}-ingest-${dataset}`, consumerGroup: `${prefix}-ingest-${dataset}`, queueName: `${prefix}-ingest-${dataset}-failed`, serviceName: `ingest-${dataset}` };
}
