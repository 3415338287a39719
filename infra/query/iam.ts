import { kmsUseStatement, policyDocument, PolicyDocument, s3ReadStatements, s3WriteStatements } from "../shared/iam";

/**
 * The IAM Identity Center permission set whose roles may assume the analyst role: assign
 * `DataPlatformAnalyst` to the analysts' group, and its provisioned role
 * (`AWSReservedSSO_DataPlatformAnalyst_<id>`) can assume the stack's analyst role.
 */
export const analystPermissionSet = "DataPlatformAnalyst";

export interface AnalystRoleContext {
    readonly partition: string;
    readonly region: string;
    readonly accountId: string;
    readonly workgroupArn: string;
    readonly resultsBucketArn: string;
    readonly lakeKeyArn: string;
    readonly curatedDatabase: string;
}

/** Who may assume the analyst role: the roles IAM Identity Center provisions for the analyst permission set, nobody else in the account. */
export function analystTrustPolicy(partition: string, accountId: string): PolicyDocument {
    return policyDocument({
        Sid: "AnalystPermissionSetAssumes",
        Effect: "Allow",
        Principal: { AWS: `arn:${partition}:iam::${accountId}:root` },
        Action: "sts:AssumeRole",
        Resource: "*",
        Condition: { ArnLike: { "aws:PrincipalArn": `arn:${partition}:iam::${accountId}:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_${analystPermissionSet}_*` } },
    });
}

/**
 * What an analyst may do: run and read queries in the analysts workgroup only, read the curated
 * database's metadata (Lake Formation decides which tables and columns), have Lake Formation vend
 * the data, keep query results under `analysts/` in the results bucket, and use the lake key that
 * encrypts both. Nothing on raw, rejects or the operations database.
 */
export function analystRolePolicy(ctx: AnalystRoleContext): PolicyDocument {
    const catalog = `arn:${ctx.partition}:glue:${ctx.region}:${ctx.accountId}`;
    return policyDocument(
        {
            Sid: "QueriesInTheAnalystsWorkgroup",
            Effect: "Allow",
            Action: [
                "athena:StartQueryExecution",
                "athena:StopQueryExecution",
                "athena:GetQueryExecution",
                "athena:GetQueryResults",
                "athena:GetQueryResultsStream",
                "athena:ListQueryExecutions",
                "athena:BatchGetQueryExecution",
                "athena:GetWorkGroup",
                "athena:ListNamedQueries",
                "athena:GetNamedQuery",
                "athena:BatchGetNamedQuery",
            ],
            Resource: ctx.workgroupArn,
        },
        {
            Sid: "CuratedCatalogMetadata",
            Effect: "Allow",
            Action: ["glue:GetDatabase", "glue:GetTable", "glue:GetTables", "glue:GetPartition", "glue:GetPartitions", "glue:BatchGetPartition"],
            Resource: [`${catalog}:catalog`, `${catalog}:database/${ctx.curatedDatabase}`, `${catalog}:table/${ctx.curatedDatabase}/*`],
        },
        { Sid: "LakeFormationVendsDataAccess", Effect: "Allow", Action: "lakeformation:GetDataAccess", Resource: "*" },
        ...s3ReadStatements(ctx.resultsBucketArn, ["analysts/"], { locateBucket: true }),
        ...s3WriteStatements(ctx.resultsBucketArn, ["analysts/"]),
        kmsUseStatement([ctx.lakeKeyArn]),
    );
}

/** What Lake Formation's data-access role for the rejects zone may do: read it, and decrypt with the lake key. */
export function rejectsLocationPolicy(rejectsBucketArn: string, lakeKeyArn: string): PolicyDocument {
    return policyDocument(...s3ReadStatements(rejectsBucketArn), kmsUseStatement([lakeKeyArn]));
}
