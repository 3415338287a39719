import { PolicyDocument, policyDocument } from "../shared/iam";

/** Where a source's checkpoint lives in the raw bucket (outside every dataset's prefix). */
export function checkpointKey(source: string): string {
    return `_connectors/${source}/checkpoint.json`;
}

export interface ConnectorRoleContext {
    readonly source: string;
    readonly dataset: string;
    readonly rawBucketArn: string;
    readonly rejectsBucketArn: string;
    readonly lakeKeyArn: string;
    readonly observabilityKeyArn: string;
    readonly logGroupArn: string;
    /** The secret's ARN, or the ARN pattern of a named secret (`...:secret:<name>-??????`). */
    readonly secretArn: string;
    readonly failureQueueArn: string;
}

/**
 * The connector function's permissions, and nothing else: land objects under its dataset's prefix
 * in raw and rejects and read them back (a conditional create that finds its key taken compares the
 * stored content hash), read and conditionally replace its own checkpoint object, use the lake key
 * for those objects and for its secret, read its one secret, send failed invocations to its own
 * queue, write its own log group. No deletes. X-Ray has no resource-level permissions.
 *
 * `s3:ListBucket` on the raw bucket, without a prefix condition, is there for the first run: S3
 * answers a read of the missing checkpoint with 404 only to callers allowed to list the bucket
 * (others get 403 AccessDenied, which the connector must treat as a failure), and that check
 * carries no `s3:prefix` a condition could match (found by the IAM simulation of the connector).
 */
export function connectorRolePolicy(ctx: ConnectorRoleContext): PolicyDocument {
    return policyDocument(
        {
            Sid: "LandRecordsOfThisDataset",
            Effect: "Allow",
            Action: ["s3:PutObject", "s3:GetObject"],
            Resource: [`${ctx.rawBucketArn}/${ctx.dataset}/*`, `${ctx.rejectsBucketArn}/${ctx.dataset}/*`],
        },
        { Sid: "KeepOwnCheckpoint", Effect: "Allow", Action: ["s3:PutObject", "s3:GetObject"], Resource: `${ctx.rawBucketArn}/${checkpointKey(ctx.source)}` },
        { Sid: "TellMissingCheckpointFromDenied", Effect: "Allow", Action: "s3:ListBucket", Resource: ctx.rawBucketArn },
        { Sid: "EncryptObjectsAndReadSecret", Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: ctx.lakeKeyArn },
        { Sid: "ReadOwnCredentials", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: ctx.secretArn },
        { Sid: "KeepFailedInvocations", Effect: "Allow", Action: "sqs:SendMessage", Resource: ctx.failureQueueArn },
        { Sid: "EncryptFailedInvocations", Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: ctx.observabilityKeyArn },
        { Sid: "WriteOwnLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${ctx.logGroupArn}:*` },
        { Sid: "XRayHasNoResourceLevelPermissions", Effect: "Allow", Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], Resource: "*" },
    );
}
