import type * as pulumi from "@pulumi/pulumi";
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

/** Where a Glue job writes: its continuous log group, Glue's temporary directory in the artifacts bucket. */
export interface GlueJobRoleContext extends SparkRoleContext {
    readonly logGroupArn: string;
    readonly tempDirPrefix: string;
}

/**
 * The Glue job role: everything the Spark job may do in the EMR modes (the same statements), plus
 * Glue's temporary directory, writing its continuous log group and the default output and error
 * groups under /aws-glue/jobs/ (Glue creates those per security configuration and role), and
 * associating the observability key with them (the security configuration's CloudWatch
 * encryption makes Glue call AssociateKmsKey as the job role).
 */
export function glueJobRolePolicy(ctx: GlueJobRoleContext): PolicyDocument {
    const logs = `arn:${ctx.partition}:logs:${ctx.region}:${ctx.accountId}:log-group`;
    return policyDocument(
        ...sparkRolePolicy(ctx).Statement,
        ...s3ReadStatements(ctx.artifactsBucketArn, [ctx.tempDirPrefix]),
        ...s3WriteStatements(ctx.artifactsBucketArn, [ctx.tempDirPrefix], true),
        { Sid: "WriteContinuousLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:AssociateKmsKey"], Resource: [ctx.logGroupArn, `${ctx.logGroupArn}:*`] },
        {
            Sid: "WriteGlueDefaultLogs",
            Effect: "Allow",
            Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:AssociateKmsKey"],
            Resource: [`${logs}:/aws-glue/jobs/*`, `${logs}:/aws-glue/jobs/*:*`],
        },
        { Sid: "PublishJobMetrics", Effect: "Allow", Action: "cloudwatch:PutMetricData", Resource: "*", Condition: { StringEquals: { "cloudwatch:namespace": "Glue" } } },
    );
}

/**
 * The Glue security configuration: what Glue writes to S3 with SSE-KMS (the lake key), the
 * CloudWatch logs it writes encrypted with the observability key (the key of every other log
 * group), job bookmarks with client-side KMS (the lake key).
 */
export function glueEncryptionConfiguration(lakeKeyArn: pulumi.Input<string>, observabilityKeyArn: pulumi.Input<string>) {
    return {
        s3Encryption: { s3EncryptionMode: "SSE-KMS", kmsKeyArn: lakeKeyArn },
        cloudwatchEncryption: { cloudwatchEncryptionMode: "SSE-KMS", kmsKeyArn: observabilityKeyArn },
        jobBookmarksEncryption: { jobBookmarksEncryptionMode: "CSE-KMS", kmsKeyArn: lakeKeyArn },
    };
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
