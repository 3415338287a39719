import { kmsUseStatement, PolicyDocument, policyDocument, s3WriteStatements } from "../shared/iam";
import { dmsBucketFolder } from "./decisions";

export interface ReplicationAccess {
    readonly rawBucketArn: string;
    readonly lakeKeyArn: string;
    readonly secretArn: string;
    /** The key of a secret the stack created (the lake key); undefined for an existing secret. */
    readonly secretKeyArn?: string;
    readonly region: string;
    readonly accountId: string;
    readonly partition: string;
}

/**
 * What DMS may do for this replication: read the one credentials secret (and decrypt it through
 * Secrets Manager only), and write, list and replace change files under the DMS folder of the raw
 * bucket with the lake key. Nothing else.
 */
export function replicationRolePolicy(a: ReplicationAccess): PolicyDocument {
    return policyDocument(
        { Sid: "ReadSourceCredentials", Effect: "Allow", Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], Resource: a.secretArn },
        a.secretKeyArn
            ? { Sid: "DecryptSourceCredentials", Effect: "Allow", Action: "kms:Decrypt", Resource: a.secretKeyArn }
            : {
                  // An existing secret's key is not known to the stack; decryption is limited to Secrets Manager calls in this account and region.
                  Sid: "DecryptSourceCredentialsViaSecretsManager",
                  Effect: "Allow",
                  Action: "kms:Decrypt",
                  Resource: `arn:${a.partition}:kms:${a.region}:${a.accountId}:key/*`,
                  Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${a.region}.amazonaws.com` } },
              },
        ...s3WriteStatements(a.rawBucketArn, [`${dmsBucketFolder}/`], true),
        { Sid: "ListChangeFiles", Effect: "Allow", Action: "s3:ListBucket", Resource: a.rawBucketArn, Condition: { StringLike: { "s3:prefix": [`${dmsBucketFolder}/*`] } } },
        { Sid: "TagChangeFiles", Effect: "Allow", Action: "s3:PutObjectTagging", Resource: `${a.rawBucketArn}/${dmsBucketFolder}/*` },
        kmsUseStatement([a.lakeKeyArn]),
    );
}

export interface LandingRoleContext {
    /** Datasets the captured tables land as: the function writes only under their prefixes. */
    readonly datasets: readonly string[];
    readonly rawBucketArn: string;
    readonly rejectsBucketArn: string;
    readonly lakeKeyArn: string;
    readonly logGroupArn: string;
    readonly failureQueueArn: string;
    readonly failureQueueKeyArn: string;
}

/**
 * The change-file landing function's permissions: read the change files under the DMS folder of
 * the raw bucket, write (and read back, for the conditional-create check) its datasets' prefixes
 * in raw and rejects, never delete; the lake key; its own log group and failure queue. X-Ray has
 * no resource-level permissions.
 */
export function landingRolePolicy(ctx: LandingRoleContext): PolicyDocument {
    const own = ctx.datasets.flatMap((dataset) => [`${ctx.rawBucketArn}/${dataset}/*`, `${ctx.rejectsBucketArn}/${dataset}/*`]);
    return policyDocument(
        { Sid: "ReadChangeFiles", Effect: "Allow", Action: "s3:GetObject", Resource: `${ctx.rawBucketArn}/${dmsBucketFolder}/*` },
        { Sid: "LandRowsOfCapturedDatasets", Effect: "Allow", Action: ["s3:PutObject", "s3:GetObject"], Resource: own },
        { ...kmsUseStatement([ctx.lakeKeyArn]), Sid: "UseLakeKey" },
        { Sid: "WriteOwnLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${ctx.logGroupArn}:*` },
        { Sid: "ReportFailedEvents", Effect: "Allow", Action: "sqs:SendMessage", Resource: ctx.failureQueueArn },
        { Sid: "EncryptFailedEvents", Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: ctx.failureQueueKeyArn },
        { Sid: "XRayHasNoResourceLevelPermissions", Effect: "Allow", Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], Resource: "*" },
    );
}
