import { Context } from "./evaluate";
import { RecordedCall } from "./recorder";

/**
 * What one recorded SDK call asks IAM, on AWS: the action(s), the resource ARN(s) and the
 * request-context keys, including the KMS calls a service makes with the caller's credentials
 * (S3 SSE-KMS, Kinesis server-side encryption, Secrets Manager) and the `s3:ListBucket` check S3
 * makes before it answers 404 rather than 403 for a missing object.
 */

/** The plan's names for the logical resources a recording refers to, for one stack. */
export interface ResourceNames {
    readonly partition: string;
    readonly region: string;
    readonly account: string;
    /** Zone → bucket name and its default SSE-KMS key ARN (undefined for SSE-S3). */
    readonly buckets: Readonly<Record<string, { readonly name: string; readonly keyArn?: string }>>;
    /** The dataset's stream, when the stack streams through Kinesis. */
    readonly stream?: { readonly arn: string; readonly keyArn?: string };
    /** The curated Glue database's name. */
    readonly curatedDatabase?: string;
    /** The warehouse: a Redshift Serverless workgroup or a provisioned cluster. */
    readonly warehouse?: { readonly arn: string; readonly kind: "workgroup" | "cluster"; readonly name: string };
    /** The warehouse's managed admin secret and the key that encrypts it. */
    readonly secret?: { readonly arn: string; readonly keyArn?: string };
    /** The dataset's API connector credentials secret and the key that encrypts it (the lake key, as the README asks). */
    readonly apiSecret?: { readonly arn: string; readonly keyArn?: string };
    /** The Batch job queue and job definition (file drops hand large files to them). */
    readonly batch?: { readonly jobQueueArn: string; readonly jobDefinitionArn: string };
}

/** One authorization IAM makes for a call; `resourceKind` picks the resource policy that applies. */
export interface IamCheck {
    readonly action: string;
    readonly resource: string;
    readonly context: Context;
    readonly resourceKind: "bucket" | "key" | "none";
    /** Why the call needs it (shown in reports). */
    readonly because: string;
}

export class UnmappedCallError extends Error {}

const field = (call: RecordedCall, name: string): string | undefined => {
    const v = call.input[name];
    return typeof v === "string" ? v : undefined;
};

function need(call: RecordedCall, name: string): string {
    const v = field(call, name);
    if (v === undefined) throw new UnmappedCallError(`${call.service} ${call.operation}: input ${name} missing; the recorder must keep it (tests/helpers/iam/recorder.ts logicalInput)`);
    if (v.startsWith("{unbound")) {
        throw new UnmappedCallError(`${call.service} ${call.operation} by ${call.component}${call.test ? ` in "${call.test}"` : ""}: ${name} ${v} is not bound to a plan resource; pass it in recordAs({ ... }) (buckets, streams, glueDatabases, warehouses, secrets or apiSecrets)`);
    }
    return v;
}

function zoneOf(call: RecordedCall, names: ResourceNames, bucketField = "Bucket"): { zone: string; name: string; keyArn?: string } {
    const logical = need(call, bucketField);
    const zone = logical.replace(/^\{|\}$/g, "");
    const bucket = names.buckets[zone];
    if (!bucket) throw new UnmappedCallError(`${call.operation}: the plan has no ${zone} bucket (lake-zone tag); known: ${Object.keys(names.buckets).join(", ")}`);
    return { zone, ...bucket };
}

function s3Kms(action: string, names: ResourceNames, bucket: { name: string; keyArn?: string }, explicitKey: string | undefined, because: string): IamCheck[] {
    const keyArn = explicitKey ?? bucket.keyArn;
    if (!keyArn) return [];
    return [
        {
            action,
            resource: keyArn,
            // With S3 Bucket Keys the encryption context is the bucket ARN, not the object's.
            context: { "kms:ViaService": `s3.${names.region}.amazonaws.com`, "kms:CallerAccount": names.account, "kms:EncryptionContext:aws:s3:arn": `arn:${names.partition}:s3:::${bucket.name}`, "kms:EncryptionContextKeys": ["aws:s3:arn"] },
            resourceKind: "key",
            because,
        },
    ];
}

function notFoundNeedsList(call: RecordedCall, names: ResourceNames, bucket: { name: string }): IamCheck[] {
    if (call.outcome !== "NotFound" && call.outcome !== "NoSuchKey") return [];
    // S3 answers 404 for a missing key only to callers allowed s3:ListBucket; others get 403 AccessDenied.
    return [{ action: "s3:ListBucket", resource: `arn:${names.partition}:s3:::${bucket.name}`, context: {}, resourceKind: "bucket", because: `${call.operation} of a missing key answered 404 (S3 answers 403 without s3:ListBucket)` }];
}

function s3Checks(call: RecordedCall, names: ResourceNames): IamCheck[] {
    const bucket = zoneOf(call, names);
    const bucketArn = `arn:${names.partition}:s3:::${bucket.name}`;
    const objectArn = (key: string) => `${bucketArn}/${key}`;
    const transport = { "aws:SecureTransport": "true", "s3:TlsVersion": "1.3" };
    switch (call.operation) {
        case "PutObject": {
            const context: Record<string, string> = { ...transport };
            const sse = field(call, "ServerSideEncryption");
            if (sse) context["s3:x-amz-server-side-encryption"] = sse;
            if (field(call, "SSEKMSKeyId")) context["s3:x-amz-server-side-encryption-aws-kms-key-id"] = field(call, "SSEKMSKeyId")!;
            if (field(call, "IfNoneMatch")) context["s3:if-none-match"] = field(call, "IfNoneMatch")!;
            return [
                { action: "s3:PutObject", resource: objectArn(need(call, "Key")), context, resourceKind: "bucket", because: "PutObject" },
                ...s3Kms("kms:GenerateDataKey", names, bucket, field(call, "SSEKMSKeyId"), "S3 generates the object's data key with the caller's credentials (SSE-KMS)"),
            ];
        }
        case "GetObject": {
            const versioned = field(call, "VersionId") !== undefined;
            return [
                { action: versioned ? "s3:GetObjectVersion" : "s3:GetObject", resource: objectArn(need(call, "Key")), context: transport, resourceKind: "bucket", because: versioned ? "GetObject of a named version" : "GetObject" },
                ...(call.outcome === "ok" ? s3Kms("kms:Decrypt", names, bucket, undefined, "S3 decrypts the object's data key with the caller's credentials (SSE-KMS)") : []),
                ...notFoundNeedsList(call, names, bucket),
            ];
        }
        case "GetObjectTagging":
        case "PutObjectTagging": {
            const verb = call.operation === "GetObjectTagging" ? "Get" : "Put";
            const action = field(call, "VersionId") !== undefined ? `s3:${verb}ObjectVersionTagging` : `s3:${verb}ObjectTagging`;
            return [{ action, resource: objectArn(need(call, "Key")), context: transport, resourceKind: "bucket", because: call.operation }];
        }
        case "CopyObject": {
            // The destination authorizes PutObject; the source GetObject (GetObjectVersion for a named version), both with their SSE-KMS keys.
            const source = zoneOf(call, names, "CopySourceBucket");
            const sourceArn = `arn:${names.partition}:s3:::${source.name}/${need(call, "CopySourceKey")}`;
            const versioned = field(call, "CopySourceVersionId") !== undefined;
            return [
                { action: "s3:PutObject", resource: objectArn(need(call, "Key")), context: transport, resourceKind: "bucket", because: "CopyObject writes the copy" },
                { action: versioned ? "s3:GetObjectVersion" : "s3:GetObject", resource: sourceArn, context: transport, resourceKind: "bucket", because: "CopyObject reads the source" },
                ...s3Kms("kms:Decrypt", names, source, undefined, "S3 decrypts the source's data key with the caller's credentials"),
                ...s3Kms("kms:GenerateDataKey", names, bucket, field(call, "SSEKMSKeyId"), "S3 generates the copy's data key with the caller's credentials"),
            ];
        }
        case "HeadObject":
            // HEAD reads metadata only: s3:GetObject (GetObjectVersion for a named version), and no KMS call.
            return [{ action: field(call, "VersionId") !== undefined ? "s3:GetObjectVersion" : "s3:GetObject", resource: objectArn(need(call, "Key")), context: transport, resourceKind: "bucket", because: "HeadObject" }, ...notFoundNeedsList(call, names, bucket)];
        case "ListObjectsV2":
        case "ListObjects": {
            const context: Record<string, string> = { ...transport, "s3:prefix": field(call, "Prefix") ?? "" };
            if (field(call, "Delimiter")) context["s3:delimiter"] = field(call, "Delimiter")!;
            return [{ action: "s3:ListBucket", resource: bucketArn, context, resourceKind: "bucket", because: call.operation }];
        }
        case "DeleteObject":
            return [{ action: "s3:DeleteObject", resource: objectArn(need(call, "Key")), context: transport, resourceKind: "bucket", because: "DeleteObject" }];
        case "DeleteObjects": {
            const keys = call.input.DeleteKeys;
            if (!Array.isArray(keys)) throw new UnmappedCallError("S3 DeleteObjects: the recorder kept no keys (input Delete.Objects)");
            // Multi-object delete authorizes s3:DeleteObject on each key.
            return (keys as string[]).map((key) => ({ action: "s3:DeleteObject", resource: objectArn(key), context: transport, resourceKind: "bucket" as const, because: "DeleteObjects" }));
        }
        default:
            throw new UnmappedCallError(`S3 ${call.operation} has no IAM mapping; add it to s3Checks in tests/helpers/iam/requests.ts (see the service authorization reference for its action)`);
    }
}

/** Kinesis operations the Lambda event source mapping calls with the function's role. */
const kinesisActions: Readonly<Record<string, string>> = {
    DescribeStream: "kinesis:DescribeStream",
    DescribeStreamSummary: "kinesis:DescribeStreamSummary",
    ListShards: "kinesis:ListShards",
    GetShardIterator: "kinesis:GetShardIterator",
    GetRecords: "kinesis:GetRecords",
};

function kinesisChecks(call: RecordedCall, names: ResourceNames): IamCheck[] {
    const action = kinesisActions[call.operation];
    if (!action) throw new UnmappedCallError(`Kinesis ${call.operation} has no IAM mapping; add it to kinesisActions in tests/helpers/iam/requests.ts`);
    need(call, "StreamName");
    if (!names.stream) throw new UnmappedCallError(`Kinesis ${call.operation}: the plan has no Kinesis stream for dataset ${call.dataset}`);
    const checks: IamCheck[] = [{ action, resource: names.stream.arn, context: {}, resourceKind: "none", because: call.operation }];
    if (call.operation === "GetRecords" && call.outcome === "ok" && names.stream.keyArn) {
        checks.push({
            action: "kms:Decrypt",
            resource: names.stream.keyArn,
            context: { "kms:ViaService": `kinesis.${names.region}.amazonaws.com`, "kms:CallerAccount": names.account, "kms:EncryptionContext:aws:kinesis:arn": names.stream.arn, "kms:EncryptionContextKeys": ["aws:kinesis:arn"] },
            resourceKind: "key",
            because: "GetRecords on a stream with server-side encryption decrypts with the caller's credentials",
        });
    }
    return checks;
}

/** Glue operations: each authorizes on the catalog, the database and the table. */
const glueActions: Readonly<Record<string, string>> = {
    GetTable: "glue:GetTable",
    GetPartitions: "glue:GetPartitions",
    GetPartition: "glue:GetPartition",
    BatchCreatePartition: "glue:BatchCreatePartition",
    CreatePartition: "glue:CreatePartition",
};

function glueChecks(call: RecordedCall, names: ResourceNames): IamCheck[] {
    const action = glueActions[call.operation];
    if (!action) throw new UnmappedCallError(`Glue ${call.operation} has no IAM mapping; add it to glueActions in tests/helpers/iam/requests.ts`);
    need(call, "DatabaseName");
    if (!names.curatedDatabase) throw new UnmappedCallError(`Glue ${call.operation}: the plan has no curated catalog database`);
    const table = field(call, "TableName") ?? field(call, "Name");
    if (!table) throw new UnmappedCallError(`Glue ${call.operation}: input TableName/Name missing`);
    const base = `arn:${names.partition}:glue:${names.region}:${names.account}`;
    return [`${base}:catalog`, `${base}:database/${names.curatedDatabase}`, `${base}:table/${names.curatedDatabase}/${table}`].map((resource) => ({ action, resource, context: {}, resourceKind: "none" as const, because: call.operation }));
}

function redshiftDataChecks(call: RecordedCall, names: ResourceNames, userId: string): IamCheck[] {
    switch (call.operation) {
        case "ExecuteStatement":
        case "BatchExecuteStatement": {
            if (!names.warehouse) throw new UnmappedCallError(`Redshift Data ${call.operation}: the plan has no warehouse`);
            const target = field(call, "WorkgroupName") !== undefined ? "WorkgroupName" : "ClusterIdentifier";
            need(call, target);
            const checks: IamCheck[] = [{ action: `redshift-data:${call.operation === "BatchExecuteStatement" ? "BatchExecuteStatement" : "ExecuteStatement"}`, resource: names.warehouse.arn, context: {}, resourceKind: "none", because: call.operation }];
            if (field(call, "SecretArn") !== undefined) {
                need(call, "SecretArn");
                if (!names.secret) throw new UnmappedCallError("Redshift Data: the plan has no warehouse admin secret");
                checks.push({ action: "secretsmanager:GetSecretValue", resource: names.secret.arn, context: {}, resourceKind: "none", because: "the Data API reads the secret with the caller's credentials" });
                if (names.secret.keyArn) {
                    checks.push({
                        action: "kms:Decrypt",
                        resource: names.secret.keyArn,
                        context: { "kms:ViaService": `secretsmanager.${names.region}.amazonaws.com`, "kms:CallerAccount": names.account, "kms:EncryptionContext:SecretARN": names.secret.arn, "kms:EncryptionContextKeys": ["SecretARN", "SecretVersionId"] },
                        resourceKind: "key",
                        because: "Secrets Manager decrypts the secret with the caller's credentials",
                    });
                }
            } else if (names.warehouse.kind === "workgroup") {
                checks.push({ action: "redshift-serverless:GetCredentials", resource: names.warehouse.arn, context: {}, resourceKind: "none", because: "the Data API gets temporary credentials for the workgroup" });
            } else {
                const user = need(call, "DbUser");
                checks.push({ action: "redshift:GetClusterCredentials", resource: `arn:${names.partition}:redshift:${names.region}:${names.account}:dbuser:${names.warehouse.name}/${user}`, context: {}, resourceKind: "none", because: "the Data API gets temporary credentials for the database user" });
            }
            return checks;
        }
        case "DescribeStatement":
        case "GetStatementResult":
        case "CancelStatement":
        case "ListStatements":
            // Statement actions have no resource type; the statement's owner is the request's condition key.
            return [{ action: `redshift-data:${call.operation}`, resource: "*", context: { "redshift-data:statement-owner-iam-userid": userId }, resourceKind: "none", because: `${call.operation} of the caller's own statement` }];
        default:
            throw new UnmappedCallError(`Redshift Data ${call.operation} has no IAM mapping; add it to redshiftDataChecks in tests/helpers/iam/requests.ts`);
    }
}

function batchChecks(call: RecordedCall, names: ResourceNames): IamCheck[] {
    if (call.operation !== "SubmitJob") throw new UnmappedCallError(`Batch ${call.operation} has no IAM mapping; add it to batchChecks in tests/helpers/iam/requests.ts`);
    need(call, "jobQueue");
    need(call, "jobDefinition");
    if (!names.batch) throw new UnmappedCallError("Batch SubmitJob: the plan has no job queue and job definition");
    // SubmitJob authorizes on the job queue and on the job definition.
    return [names.batch.jobQueueArn, names.batch.jobDefinitionArn].map((resource) => ({ action: "batch:SubmitJob", resource, context: {}, resourceKind: "none" as const, because: "SubmitJob" }));
}

function secretsManagerChecks(call: RecordedCall, names: ResourceNames): IamCheck[] {
    if (call.operation !== "GetSecretValue") throw new UnmappedCallError(`Secrets Manager ${call.operation} has no IAM mapping; add it to secretsManagerChecks in tests/helpers/iam/requests.ts`);
    need(call, "SecretId");
    if (!names.apiSecret) throw new UnmappedCallError(`Secrets Manager GetSecretValue by ${call.component} for ${call.dataset}: the plan has no API connector secret for the dataset`);
    const checks: IamCheck[] = [{ action: "secretsmanager:GetSecretValue", resource: names.apiSecret.arn, context: {}, resourceKind: "none", because: "the connector reads its credentials" }];
    if (names.apiSecret.keyArn) {
        checks.push({
            action: "kms:Decrypt",
            resource: names.apiSecret.keyArn,
            context: { "kms:ViaService": `secretsmanager.${names.region}.amazonaws.com`, "kms:CallerAccount": names.account, "kms:EncryptionContext:SecretARN": names.apiSecret.arn, "kms:EncryptionContextKeys": ["SecretARN", "SecretVersionId"] },
            resourceKind: "key",
            because: "Secrets Manager decrypts the secret with the caller's credentials",
        });
    }
    return checks;
}

/** The IAM checks a recorded call makes on AWS, against the plan's names. */
export function iamChecks(call: RecordedCall, names: ResourceNames, userId: string): IamCheck[] {
    switch (call.service) {
        case "S3":
            return s3Checks(call, names);
        case "Kinesis":
            return kinesisChecks(call, names);
        case "Glue":
            return glueChecks(call, names);
        case "Redshift Data":
            return redshiftDataChecks(call, names, userId);
        case "Batch":
            return batchChecks(call, names);
        case "Secrets Manager":
            return secretsManagerChecks(call, names);
        default:
            throw new UnmappedCallError(`service ${call.service} (${call.operation}) has no IAM mapping; add it to iamChecks in tests/helpers/iam/requests.ts`);
    }
}
