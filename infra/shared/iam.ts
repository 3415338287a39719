/**
 * IAM policy documents as plain data. Pure functions, so every grant the platform makes is
 * visible in one place and pinned by table tests.
 */

export interface Statement {
    Sid?: string;
    Effect: "Allow" | "Deny";
    Action: string | string[];
    Resource: string | string[];
    Principal?: Record<string, string | string[]>;
    Condition?: Record<string, Record<string, string | string[] | boolean>>;
}

export interface PolicyDocument {
    Version: "2012-10-17";
    Statement: Statement[];
}

export function policyDocument(...statements: Statement[]): PolicyDocument {
    return { Version: "2012-10-17", Statement: statements };
}

/** Trust policy for a role assumed by one AWS service, optionally pinned to this account. */
export function serviceTrustPolicy(service: string | string[], accountId?: string): PolicyDocument {
    return policyDocument({
        Effect: "Allow",
        Principal: { Service: service },
        Action: "sts:AssumeRole",
        Resource: "*",
        ...(accountId ? { Condition: { StringEquals: { "aws:SourceAccount": accountId } } } : {}),
    });
}

/** Trust policies have no Resource element; strip it from the generic statement shape. */
export function trustPolicyJson(document: PolicyDocument): string {
    return JSON.stringify({
        Version: document.Version,
        Statement: document.Statement.map(({ Resource: _resource, ...rest }) => rest),
    });
}

export interface S3ReadOptions {
    /**
     * Grant `s3:GetBucketLocation` too, for readers that ask S3 which region a bucket is in
     * (Hadoop's S3A/EMRFS on EMR, Redshift COPY and Spectrum). The AWS SDK v3 clients the runtime
     * uses never call it. It is a statement of its own: the action carries no `s3:prefix`, so under
     * the listing's prefix condition it would never be granted.
     */
    readonly locateBucket?: boolean;
    /**
     * List without the prefix condition, for readers that test whether an object exists
     * (HeadObject/GetObject expecting 404): S3 answers 404 for a missing key only to callers
     * allowed `s3:ListBucket`, and that check carries no `s3:prefix`, so under a prefix condition
     * the caller gets 403 AccessDenied instead (found by the IAM simulation of the batch job).
     */
    readonly headsMissingKeys?: boolean;
}

/** Read-only access to objects under prefixes of one bucket, and listing of those prefixes. */
export function s3ReadStatements(bucketArn: string, prefixes: readonly string[] = [""], options: S3ReadOptions = {}): Statement[] {
    const statements: Statement[] = [
        { Effect: "Allow", Action: ["s3:GetObject", "s3:GetObjectVersion"], Resource: prefixes.map((p) => `${bucketArn}/${p}*`) },
        {
            Effect: "Allow",
            Action: "s3:ListBucket",
            Resource: bucketArn,
            ...((prefixes.length === 1 && prefixes[0] === "") || options.headsMissingKeys ? {} : { Condition: { StringLike: { "s3:prefix": prefixes.map((p) => `${p}*`) } } }),
        },
    ];
    if (options.locateBucket) {
        statements.push({ Effect: "Allow", Action: "s3:GetBucketLocation", Resource: bucketArn });
    }
    return statements;
}

/** Write (and overwrite/delete, for partition replacement) access to objects under prefixes. */
export function s3WriteStatements(bucketArn: string, prefixes: readonly string[] = [""], allowDelete = false): Statement[] {
    const actions = ["s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"];
    if (allowDelete) {
        actions.push("s3:DeleteObject");
    }
    return [{ Effect: "Allow", Action: actions, Resource: prefixes.map((p) => `${bucketArn}/${p}*`) }];
}

/** Use of a customer-managed key for data encryption (not its administration). */
export function kmsUseStatement(keyArns: readonly string[]): Statement {
    return { Effect: "Allow", Action: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:DescribeKey"], Resource: [...keyArns] };
}
