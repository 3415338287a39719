import { kmsUseStatement, policyDocument, PolicyDocument, s3ReadStatements, s3WriteStatements } from "../shared/iam";

export interface SparkRoleContext {
    readonly partition: string;
    readonly region: string;
    readonly accountId: string;
    readonly rawBucketArn: string;
    readonly curatedBucketArn: string;
    readonly artifactsBucketArn: string;
    readonly lakeKeyArn: string;
    readonly curatedDatabase: string;
    readonly datasets: readonly string[];
}

/**
 * What the Spark job may do: read its datasets' raw prefixes, the job artifacts and reference
 * data; replace partitions under its datasets' curated prefixes (delete is needed for partition
 * overwrite); write run summaries and logs; use the lake key; update the curated catalog's
 * partitions through Lake Formation.
 */
export function sparkRolePolicy(ctx: SparkRoleContext): PolicyDocument {
    const catalog = `arn:${ctx.partition}:glue:${ctx.region}:${ctx.accountId}`;
    const curatedPrefixes = [...ctx.datasets.map((d) => `${d}`), "_runs/"];
    return policyDocument(
        ...s3ReadStatements(ctx.rawBucketArn, ctx.datasets.map((d) => `${d}/`), { locateBucket: true }),
        ...s3ReadStatements(ctx.artifactsBucketArn, ["spark/", "reference/"], { locateBucket: true }),
        ...s3ReadStatements(ctx.curatedBucketArn, curatedPrefixes, { locateBucket: true }),
        ...s3WriteStatements(ctx.curatedBucketArn, curatedPrefixes, true),
        ...s3WriteStatements(ctx.artifactsBucketArn, ["spark-logs/"]),
        kmsUseStatement([ctx.lakeKeyArn]),
        {
            Sid: "MaintainCuratedPartitions",
            Effect: "Allow",
            Action: ["glue:GetDatabase", "glue:GetTable", "glue:GetPartition", "glue:GetPartitions", "glue:BatchGetPartition", "glue:CreatePartition", "glue:BatchCreatePartition", "glue:UpdatePartition", "glue:DeletePartition", "glue:BatchDeletePartition"],
            Resource: [`${catalog}:catalog`, `${catalog}:database/${ctx.curatedDatabase}`, `${catalog}:table/${ctx.curatedDatabase}/*`],
        },
        { Sid: "LakeFormationVendsDataAccess", Effect: "Allow", Action: "lakeformation:GetDataAccess", Resource: "*" },
    );
}

/** EMR Serverless capacity strings. */
export function serverlessCapacity(maxVcpu: number, maxMemoryGb: number): { cpu: string; memory: string; disk: string } {
    return { cpu: `${maxVcpu} vCPU`, memory: `${maxMemoryGb} GB`, disk: `${Math.max(20, maxVcpu * 20)} GB` };
}

/**
 * The EMR security configuration: S3 objects with SSE-KMS (the lake key), local disks and EBS
 * encrypted with the same key, and TLS between nodes with the certificates in `pemArchiveUri`.
 */
export function emrSecurityConfiguration(lakeKeyArn: string, pemArchiveUri: string): object {
    return {
        EncryptionConfiguration: {
            EnableAtRestEncryption: true,
            EnableInTransitEncryption: true,
            AtRestEncryptionConfiguration: {
                S3EncryptionConfiguration: { EncryptionMode: "SSE-KMS", AwsKmsKey: lakeKeyArn },
                LocalDiskEncryptionConfiguration: { EncryptionKeyProviderType: "AwsKms", AwsKmsKey: lakeKeyArn, EnableEbsEncryption: true },
            },
            InTransitEncryptionConfiguration: { TLSCertificateConfiguration: { CertificateProviderType: "PEM", S3Object: pemArchiveUri } },
        },
    };
}
