import { WarehouseConfig } from "../config";
import type { AlarmSpec } from "../observability/alarms";
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

/** The warehouse's alarms: capacity saturation (serverless), or health and disk (provisioned). */
export function warehouseAlarms(name: string, identifier: string, warehouse: WarehouseConfig): AlarmSpec[] {
    if (warehouse.mode === "serverless") {
        return [
            {
                name: `${name}-capacity-saturated`,
                stage: "warehouse",
                description: "The serverless workgroup has run at its maximum RPUs for 30 minutes: queries queue. Raise warehouseMaxRpu or tune the loads.",
                namespace: "AWS/Redshift-Serverless",
                metricName: "ComputeCapacity",
                dimensions: { Workgroup: identifier },
                statistic: "Minimum",
                comparisonOperator: "GreaterThanOrEqualToThreshold",
                threshold: warehouse.maxRpu,
                periodSeconds: 300,
                evaluationPeriods: 6,
            },
        ];
    }
    const cluster = { stage: "warehouse", namespace: "AWS/Redshift", dimensions: { ClusterIdentifier: identifier } } as const;
    return [
        {
            ...cluster,
            name: `${name}-health`,
            description: "The Redshift cluster reports unhealthy: it does not answer queries. Check the cluster events.",
            metricName: "HealthStatus",
            statistic: "Minimum",
            comparisonOperator: "LessThanThreshold",
            threshold: 1,
            periodSeconds: 60,
            evaluationPeriods: 5,
            treatMissingData: "breaching",
        },
        {
            ...cluster,
            name: `${name}-disk`,
            description: "The Redshift cluster's disk is over 80% used. Vacuum, unload cold data or resize.",
            metricName: "PercentageDiskSpaceUsed",
            statistic: "Maximum",
            comparisonOperator: "GreaterThanThreshold",
            threshold: 80,
            evaluationPeriods: 3,
        },
    ];
}

/** Checks the plain warehouse settings before anything is declared: a serverless workgroup's maximum cannot be below its base. */
export function validateWarehouse(componentName: string, warehouse: WarehouseConfig): void {
    if (warehouse.mode === "serverless" && warehouse.maxRpu < warehouse.baseRpu) {
        throw new Error(
            `Warehouse "${componentName}": warehouse.maxRpu: expected at least baseRpu (${warehouse.baseRpu}); found ${warehouse.maxRpu}. Fix: raise maxRpu to ${warehouse.baseRpu} or more, or lower baseRpu`,
        );
    }
}
