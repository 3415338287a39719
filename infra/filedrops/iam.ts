import { kmsUseStatement, policyDocument, PolicyDocument, Statement } from "../shared/iam";
import { landingPrefixes } from "./decisions";

export interface FileDropRoleContext {
    readonly drop: string;
    readonly dataset: string;
    /** The drop's key prefix in the landing bucket (`incoming/<drop>/`). */
    readonly keyPrefix: string;
    readonly landingBucketArn: string;
    readonly rawBucketArn: string;
    readonly rejectsBucketArn: string;
    readonly lakeKeyArn: string;
    readonly logGroupArn: string;
    readonly failureQueueArn: string;
    readonly failureQueueKeyArn: string;
    /** Only when large files go to Batch: the job queue and job definition it may submit to. */
    readonly batch?: { readonly jobQueueArn: string; readonly jobDefinitionArn: string };
}

/** Reading, tagging and quarantining the drop's files, and writing its manifests: shared by the function and the Batch job. */
export function landingStatements(ctx: Pick<FileDropRoleContext, "drop" | "keyPrefix" | "landingBucketArn">): Statement[] {
    const bucket = ctx.landingBucketArn;
    const own = [`${bucket}/${landingPrefixes.manifests}${ctx.drop}/*`, `${bucket}/${landingPrefixes.quarantine}${ctx.drop}/*`];
    return [
        {
            Sid: `ReadAndTagFilesOf${pascal(ctx.drop)}`,
            Effect: "Allow",
            // The landing bucket is versioned and events name the version, so every read and tag names it (the *Version* actions).
            Action: ["s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectVersionTagging", "s3:PutObjectVersionTagging"],
            Resource: `${bucket}/${ctx.keyPrefix}*`,
        },
        { Sid: `WriteManifestsAndQuarantineOf${pascal(ctx.drop)}`, Effect: "Allow", Action: ["s3:PutObject", "s3:GetObject"], Resource: own },
        // A manifest that does not exist yet must answer 404, not 403: S3 does that only for callers allowed to list.
        { Sid: `ListLandingFor${pascal(ctx.drop)}`, Effect: "Allow", Action: "s3:ListBucket", Resource: bucket },
    ];
}

function pascal(name: string): string {
    return name.replace(/(^|_)([a-z0-9])/g, (_m, _u, c: string) => c.toUpperCase());
}

/**
 * The file-ingest function's permissions: its drop's files in the landing bucket (read, tag,
 * quarantine copy, manifests), its dataset's prefix in raw and rejects (write and read back for
 * conditional-create checks, never delete), the lake key, its own log group and failure queue,
 * and SubmitJob on the platform's job queue and job definition only. X-Ray has no resource-level
 * permissions.
 */
export function fileDropRolePolicy(ctx: FileDropRoleContext): PolicyDocument {
    const statements: Statement[] = [
        ...landingStatements(ctx),
        { Sid: "LandRowsOfThisDataset", Effect: "Allow", Action: ["s3:PutObject", "s3:GetObject"], Resource: [`${ctx.rawBucketArn}/${ctx.dataset}/*`, `${ctx.rejectsBucketArn}/${ctx.dataset}/*`] },
        { ...kmsUseStatement([ctx.lakeKeyArn]), Sid: "UseLakeKey" },
        { Sid: "WriteOwnLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${ctx.logGroupArn}:*` },
        { Sid: "ReportFailedEvents", Effect: "Allow", Action: "sqs:SendMessage", Resource: ctx.failureQueueArn },
        { Sid: "EncryptFailedEvents", Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: ctx.failureQueueKeyArn },
        { Sid: "XRayHasNoResourceLevelPermissions", Effect: "Allow", Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], Resource: "*" },
    ];
    if (ctx.batch) {
        statements.push({ Sid: "HandLargeFilesToBatch", Effect: "Allow", Action: "batch:SubmitJob", Resource: [ctx.batch.jobQueueArn, ctx.batch.jobDefinitionArn] });
    }
    return policyDocument(...statements);
}

export interface DraftsCrawlerRoleContext {
    readonly partition: string;
    readonly region: string;
    readonly accountId: string;
    readonly landingBucketArn: string;
    /** The landing prefix the crawler reads (`drafts/`). */
    readonly prefix: string;
    readonly lakeKeyArn: string;
    readonly database: string;
}

/**
 * The drafts crawler: list and read the files under the drafts prefix (the landing bucket's
 * lake key decrypts them), create tables and partitions in the drafts database only (its schema
 * change policy logs changes, so it never updates or deletes a table), and write its logs under
 * /aws-glue/crawlers (where Glue writes them), associating the security configuration's key.
 */
export function draftsCrawlerRolePolicy(ctx: DraftsCrawlerRoleContext): PolicyDocument {
    const catalog = `arn:${ctx.partition}:glue:${ctx.region}:${ctx.accountId}`;
    const logs = `arn:${ctx.partition}:logs:${ctx.region}:${ctx.accountId}:log-group:/aws-glue/crawlers`;
    return policyDocument(
        { Sid: "ReadDraftFiles", Effect: "Allow", Action: "s3:GetObject", Resource: `${ctx.landingBucketArn}/${ctx.prefix}*` },
        { Sid: "ListDraftFiles", Effect: "Allow", Action: "s3:ListBucket", Resource: ctx.landingBucketArn, Condition: { StringLike: { "s3:prefix": [`${ctx.prefix}*`] } } },
        { ...kmsUseStatement([ctx.lakeKeyArn]), Sid: "DecryptDraftFiles", Action: ["kms:Decrypt", "kms:DescribeKey"] },
        {
            Sid: "CatalogDraftTables",
            Effect: "Allow",
            Action: ["glue:GetDatabase", "glue:GetTable", "glue:GetTables", "glue:CreateTable", "glue:GetPartition", "glue:GetPartitions", "glue:BatchGetPartition", "glue:CreatePartition", "glue:BatchCreatePartition"],
            Resource: [`${catalog}:catalog`, `${catalog}:database/${ctx.database}`, `${catalog}:table/${ctx.database}/*`],
        },
        { Sid: "WriteCrawlerLogs", Effect: "Allow", Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:AssociateKmsKey"], Resource: [`${logs}*`, `${logs}*:*`] },
    );
}
