import { policyDocument, PolicyDocument, Statement } from "../shared/iam";

/**
 * The platform uses one customer-managed key per data domain, so a key policy only names the
 * services of its domain and revoking one domain's key leaves the others working:
 * - lake: the S3 buckets of the data lake (raw, curated, rejects, artifacts) and the Glue catalog;
 * - streaming: Kinesis streams or MSK storage, and the ingest on-failure queues;
 * - warehouse: Redshift storage and snapshots;
 * - observability: CloudWatch log groups and the alarm topic (CloudWatch, EventBridge and AWS
 *   Budgets publish to it, so they must be able to use the key), and the audit trail's log files.
 */
export type KeyDomain = "lake" | "streaming" | "warehouse" | "observability";

export const keyDomains: readonly KeyDomain[] = ["lake", "streaming", "warehouse", "observability"];

export interface KeyPolicyContext {
    readonly partition: string;
    readonly accountId: string;
    readonly region: string;
    /** The zero-ETL integration's encryption context (warehouse key only). Defaults to none. */
    readonly zeroEtlEncryptionContext?: Readonly<Record<string, string>>;
}

/**
 * Key policy for one domain. The account root statement delegates use to IAM (roles still need
 * an IAM grant naming the key); service statements are scoped to this account with conditions.
 */
export function keyPolicy(domain: KeyDomain, ctx: KeyPolicyContext): PolicyDocument {
    const root: Statement = {
        Sid: "AccountAdministersKeyThroughIam",
        Effect: "Allow",
        Principal: { AWS: `arn:${ctx.partition}:iam::${ctx.accountId}:root` },
        Action: "kms:*",
        Resource: "*",
    };
    const statements: Statement[] = [root];
    if (domain === "observability") {
        statements.push(
            {
                Sid: "CloudWatchLogsEncryptsThisAccountsLogGroups",
                Effect: "Allow",
                Principal: { Service: `logs.${ctx.region}.amazonaws.com` },
                Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                Resource: "*",
                Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:${ctx.partition}:logs:${ctx.region}:${ctx.accountId}:*` } },
            },
            {
                Sid: "AlarmPublishersUseKeyForTopic",
                Effect: "Allow",
                Principal: { Service: ["cloudwatch.amazonaws.com", "events.amazonaws.com", "budgets.amazonaws.com"] },
                Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
                Resource: "*",
                Condition: { StringEquals: { "aws:SourceAccount": ctx.accountId } },
            },
            // The audit trail's log files are encrypted with this key (infra/audit); CloudTrail may
            // only encrypt for this account's trails, and readers decrypt through IAM.
            {
                Sid: "CloudTrailEncryptsThisAccountsTrails",
                Effect: "Allow",
                Principal: { Service: "cloudtrail.amazonaws.com" },
                Action: "kms:GenerateDataKey*",
                Resource: "*",
                Condition: {
                    StringLike: { "kms:EncryptionContext:aws:cloudtrail:arn": `arn:${ctx.partition}:cloudtrail:*:${ctx.accountId}:trail/*` },
                    StringEquals: { "aws:SourceAccount": ctx.accountId },
                },
            },
            {
                Sid: "CloudTrailDescribesKey",
                Effect: "Allow",
                Principal: { Service: "cloudtrail.amazonaws.com" },
                Action: "kms:DescribeKey",
                Resource: "*",
                Condition: { StringEquals: { "aws:SourceAccount": ctx.accountId } },
            },
        );
    }
    if (domain === "warehouse" && ctx.zeroEtlEncryptionContext) {
        // The documented key policy of a zero-ETL integration with a customer-managed key: Redshift
        // adds the grants it decrypts and generates data keys with, only under the integration's
        // encryption context (so for no other use of the key).
        statements.push({
            Sid: "RedshiftGrantsForZeroEtlIntegration",
            Effect: "Allow",
            Principal: { Service: "redshift.amazonaws.com" },
            Action: "kms:CreateGrant",
            Resource: "*",
            Condition: {
                StringEquals: Object.fromEntries(Object.entries(ctx.zeroEtlEncryptionContext).map(([key, value]) => [`kms:EncryptionContext:${key}`, value])),
                "ForAllValues:StringEquals": { "kms:GrantOperations": ["Decrypt", "GenerateDataKey", "CreateGrant"] },
            },
        });
    }
    if (domain === "lake") {
        statements.push({
            Sid: "S3ServerAccessLoggingNotAllowedToUseKey",
            Effect: "Deny",
            Principal: { Service: "logging.s3.amazonaws.com" },
            Action: "kms:*",
            Resource: "*",
        });
    }
    return policyDocument(...statements);
}
