import { PolicyDocument, Statement } from "../shared/iam";

/** What a role that emits lineage may touch: its part of the lineage prefix, the lake key for it, the endpoint's API key. */
export interface LineageAccess {
    /** The bucket holding the lineage prefix (the raw bucket). */
    readonly bucketArn: string;
    /** Key prefix, without slashes at either end. */
    readonly prefix: string;
    /** The key the lineage objects are encrypted with (SSE-KMS, S3 Bucket Keys). */
    readonly lakeKeyArn: string;
    /** The secret holding the endpoint's API key, encrypted with the lake key; absent without one. */
    readonly apiKeySecretArn?: string;
    readonly region: string;
}

/**
 * The grants lineage adds to an emitting role: create objects under `<prefix>/` only (conditional
 * creates need nothing more: no read, no delete), the data key S3 asks for on the caller's behalf,
 * bound to this bucket by the encryption context S3 uses with Bucket Keys; with an endpoint API key,
 * that one secret and its decryption through Secrets Manager only.
 */
export function lineageStatements(access: LineageAccess): Statement[] {
    const statements: Statement[] = [
        { Sid: "WriteLineageEvents", Effect: "Allow", Action: "s3:PutObject", Resource: `${access.bucketArn}/${access.prefix}/*` },
        {
            Sid: "EncryptLineageEvents",
            Effect: "Allow",
            Action: "kms:GenerateDataKey",
            Resource: access.lakeKeyArn,
            Condition: { StringEquals: { "kms:EncryptionContext:aws:s3:arn": access.bucketArn, "kms:ViaService": `s3.${access.region}.amazonaws.com` } },
        },
    ];
    if (access.apiKeySecretArn !== undefined) {
        statements.push(
            { Sid: "ReadLineageApiKey", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: access.apiKeySecretArn },
            {
                Sid: "DecryptLineageApiKey",
                Effect: "Allow",
                Action: "kms:Decrypt",
                Resource: access.lakeKeyArn,
                Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${access.region}.amazonaws.com`, "kms:EncryptionContext:SecretARN": access.apiKeySecretArn } },
            },
        );
    }
    return statements;
}

/** A role's policy with the lineage grants appended; unchanged when lineage is off (`access` undefined). */
export function withLineageStatements(document: PolicyDocument, access: LineageAccess | undefined, kind: "function" | "spark" = "function"): PolicyDocument {
    return access === undefined ? document : { ...document, Statement: [...document.Statement, ...(kind === "spark" ? sparkLineageStatements(access) : lineageStatements(access))] };
}

/**
 * The Spark job's lineage grants: those of `lineageStatements`, plus reading and listing the
 * prefix, since Hadoop's S3 file systems look for an existing object and its parent "directories"
 * before they create a file (`transform_job.py` writes its events through Spark's file system).
 */
export function sparkLineageStatements(access: LineageAccess): Statement[] {
    return [
        ...lineageStatements(access),
        { Sid: "CheckLineagePaths", Effect: "Allow", Action: "s3:GetObject", Resource: `${access.bucketArn}/${access.prefix}/*` },
        { Sid: "ListLineagePrefix", Effect: "Allow", Action: "s3:ListBucket", Resource: access.bucketArn, Condition: { StringLike: { "s3:prefix": [access.prefix, `${access.prefix}/*`] } } },
    ];
}
