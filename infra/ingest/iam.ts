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
}

/** `arn:aws:kafka:r:a:cluster/name/uuid` → the topic or group ARN prefix `arn:aws:kafka:r:a:<kind>/name/uuid`. */
export function mskResourceArn(clusterArn: string, kind: "topic" | "group", name: string): string {
    return `${clusterArn.replace(":cluster/", `:${kind}/`)}/${name}`;
}

/**
 * The ingest function's permissions, and nothing else: write its dataset's prefix in the raw and
 * rejects buckets, and read back there (a conditional put that finds the key taken compares the
 * stored object's content hash); never delete. Use the lake key for those objects;
 * read its one source, send failed batches' metadata to its own queue, write its own log group.
 * Two statements need `*` because the services have no resource-level permissions for them:
 * X-Ray trace upload, and the ENI calls Lambda makes to place a function in a VPC (MSK only).
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
                Action: ["kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:ListShards", "kinesis:SubscribeToShard"],
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
            {
                Sid: "VpcNetworkInterfacesHaveNoResourceLevelPermissions",
                Effect: "Allow",
                Action: ["ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface", "ec2:DescribeVpcs", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups"],
                Resource: "*",
            },
        );
    }
    return policyDocument(...statements);
}

/** Function, consumer group and queue names of one dataset's ingest. */
export function ingestNames(prefix: string, dataset: string): { functionName: string; consumerGroup: string; queueName: string; serviceName: string } {
    return { functionName: `${prefix}-ingest-${dataset}`, consumerGroup: `${prefix}-ingest-${dataset}`, queueName: `${prefix}-ingest-${dataset}-failed`, serviceName: `ingest-${dataset}` };
}
