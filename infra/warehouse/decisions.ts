import { policyDocument, PolicyDocument, s3ReadStatements, kmsUseStatement } from "../shared/iam";

/** Shared by the security group rules and the connection settings, so they cannot disagree. */
export const redshiftPort = 5439;

/** One list for both deployment modes, so serverless and RA3 refuse plaintext and log queries alike. */
export const warehouseParameters: readonly { name: string; value: string }[] = [
    { name: "require_ssl", value: "true" },
    { name: "enable_user_activity_logging", value: "true" },
];

/** All three: an audit needs who connected, who changed users and what each ran. */
export const auditLogExports: readonly string[] = ["connectionlog", "userlog", "useractivitylog"];

export interface LoadRoleContext {
    readonly curatedBucketArn: string;
    readonly artifactsBucketArn: string;
    readonly lakeKeyArn: string;
    readonly partition: string;
    readonly region: string;
    readonly accountId: string;
    readonly curatedDatabase: string;
}

/**
 * What Redshift may do with its load role: read the curated zone (COPY) and the load manifests
 * in the artifacts bucket, decrypt them with the lake key, and read the curated database of the
 * Glue catalog for Spectrum, with data access vended by Lake Formation.
 */
export function loadRolePolicy(ctx: LoadRoleContext): PolicyDocument {
    const catalog = `arn:${ctx.partition}:glue:${ctx.region}:${ctx.accountId}`;
    return policyDocument(
        ...s3ReadStatements(ctx.curatedBucketArn, [""], { locateBucket: true }),
        ...s3ReadStatements(ctx.artifactsBucketArn, ["manifests/"], { locateBucket: true }),
        kmsUseStatement([ctx.lakeKeyArn]),
        {
            Sid: "SpectrumReadsCuratedCatalog",
            Effect: "Allow",
            Action: ["glue:GetDatabase", "glue:GetDatabases", "glue:GetTable", "glue:GetTables", "glue:GetPartition", "glue:GetPartitions", "glue:BatchGetPartition"],
            Resource: [`${catalog}:catalog`, `${catalog}:database/${ctx.curatedDatabase}`, `${catalog}:table/${ctx.curatedDatabase}/*`],
        },
        { Sid: "LakeFormationVendsDataAccess", Effect: "Allow", Action: "lakeformation:GetDataAccess", Resource: "*" },
    );
}
