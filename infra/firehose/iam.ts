import { kmsUseStatement, policyDocument, PolicyDocument, Statement } from "../shared/iam";
import { firehoseErrorsRoot } from "./decisions";

/** What the delivery stream's role reaches: one stream, one raw prefix, one function, one log stream. */
export interface DeliveryRoleContext {
    readonly dataset: string;
    readonly streamArn: string;
    readonly streamingKeyArn: string;
    readonly rawBucketArn: string;
    readonly lakeKeyArn: string;
    readonly functionArn: string;
    /** `arn:...:log-group:<name>` (without `:*`). */
    readonly deliveryLogGroupArn: string;
    readonly deliveryLogStreamName: string;
    readonly region: string;
}

function s3ObjectArns(ctx: DeliveryRoleContext): string[] {
    return [`${ctx.rawBucketArn}/${ctx.dataset}/*`, `${ctx.rawBucketArn}/${firehoseErrorsRoot}/${ctx.dataset}/*`];
}

/**
 * The delivery stream's permissions (Firehose's documented set for a Kinesis source, an S3
 * destination with SSE-KMS, Lambda transformation and error logging), each on its one resource:
 * read the dataset's stream and decrypt it with the streaming key; write, and list the multipart
 * uploads of, the dataset's raw prefix and its error prefix (no delete); use the lake key only
 * through S3 for that bucket (S3 Bucket Keys put the bucket's ARN in the context) or those prefixes; invoke the transformation function; write the
 * delivery log stream.
 */
export function deliveryRolePolicy(ctx: DeliveryRoleContext): PolicyDocument {
    const objects = s3ObjectArns(ctx);
    return policyDocument(
        { Sid: "ReadSourceStream", Effect: "Allow", Action: ["kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetShardIterator", "kinesis:GetRecords", "kinesis:ListShards"], Resource: ctx.streamArn },
        {
            Sid: "DecryptSourceStream",
            Effect: "Allow",
            Action: "kms:Decrypt",
            Resource: ctx.streamingKeyArn,
            Condition: { StringEquals: { "kms:ViaService": `kinesis.${ctx.region}.amazonaws.com` }, StringLike: { "kms:EncryptionContext:aws:kinesis:arn": ctx.streamArn } },
        },
        { Sid: "LocateAndListDeliveryPrefixes", Effect: "Allow", Action: ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"], Resource: ctx.rawBucketArn },
        { Sid: "WriteDeliveryPrefixes", Effect: "Allow", Action: ["s3:PutObject", "s3:GetObject", "s3:AbortMultipartUpload"], Resource: objects },
        {
            Sid: "EncryptDeliveredObjectsWithLakeKey",
            Effect: "Allow",
            Action: ["kms:GenerateDataKey", "kms:Decrypt"],
            Resource: ctx.lakeKeyArn,
            // With S3 Bucket Keys (the lake's buckets) the context is the bucket's ARN, otherwise the object's.
            Condition: { StringEquals: { "kms:ViaService": `s3.${ctx.region}.amazonaws.com` }, StringLike: { "kms:EncryptionContext:aws:s3:arn": [ctx.rawBucketArn, ...objects] } },
        },
        { Sid: "InvokeTransformation", Effect: "Allow", Action: ["lambda:InvokeFunction", "lambda:GetFunctionConfiguration"], Resource: [ctx.functionArn, `${ctx.functionArn}:*`] },
        { Sid: "WriteDeliveryErrorLog", Effect: "Allow", Action: "logs:PutLogEvents", Resource: `${ctx.deliveryLogGroupArn}:log-stream:${ctx.deliveryLogStreamName}` },
    );
}

export interface TransformRoleContext {
    readonly logGroupArn: string;
    /** The key of the function's environment variables. */
    readonly streamingKeyArn: string;
}

/**
 * The transformation function's permissions: its own logs, X-Ray (no resource-level
 * permissions), and decrypting its environment. It calls no other AWS API: Firehose writes
 * what it returns.
 */
export function transformRolePolicy(ctx: TransformRoleContext): PolicyDocument {
    const statements: Statement[] = [
        { Sid: "WriteOwnLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${ctx.logGroupArn}:*` },
        { Sid: "XRayHasNoResourceLevelPermissions", Effect: "Allow", Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], Resource: "*" },
        { ...kmsUseStatement([ctx.streamingKeyArn]), Action: "kms:Decrypt", Sid: "DecryptOwnEnvironment" },
    ];
    return policyDocument(...statements);
}
