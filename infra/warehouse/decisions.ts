import { WarehouseConfig } from "../config";
import type * as pulumi from "@pulumi/pulumi";
import { AlarmSpec, anyOccurrence } from "../observability/alarms";
import { policyDocument, PolicyDocument, s3ReadStatements, kmsUseStatement } from "../shared/iam";

/** Shared by the security group rules and the connection settings, so they cannot disagree. */
export const redshiftPort = 5439;

/** One list for both deployment modes, so serverless and RA3 refuse plaintext and log queries alike. */
export const warehouseParameters: readonly { name: string; value: string }[] = [
    { name: "require_ssl", value: "true" },
    { name: "enable_user_activity_logging", value: "true" },
];

/**
 * The parameters of a warehouse: `warehouseParameters`, plus `enable_case_sensitive_identifier`
 * when a zero-ETL integration replicates into it (Redshift refuses the integration's target
 * otherwise: source tables and columns keep their case). With it, quoted identifiers keep their
 * case; the platform's SQL uses lower-case names only, so its statements mean the same.
 */
export function warehouseParametersFor(options: { readonly zeroEtl: boolean }): { name: string; value: string }[] {
    return [...warehouseParameters.map((p) => ({ ...p })), ...(options.zeroEtl ? [{ name: "enable_case_sensitive_identifier", value: "true" }] : [])];
}

/** The Aurora-to-Redshift zero-ETL integration the warehouse receives: its source and the tables it replicates. */
export interface ZeroEtlSource {
    /** The Aurora cluster ARN (`dbSourceClusterArn`). */
    readonly clusterArn: string;
    readonly engine: "aurora-postgresql" | "aurora-mysql";
    /** The source database (`dbSourceDatabase`). */
    readonly database: string;
    /** The captured tables (`dbSourceTables`): only these are replicated. */
    readonly tables: readonly { readonly schema: string; readonly table: string }[];
}

/** The integration's name (unique per account and region: the stack prefix keeps stacks apart). */
export function zeroEtlIntegrationName(prefix: string): string {
    return `${prefix}-zero-etl`;
}

/**
 * The KMS encryption context the integration adds to the warehouse key's operations. The key
 * policy lets Redshift create grants only under this context (keysArgs of infra/keys).
 */
export function zeroEtlEncryptionContext(prefix: string): Record<string, string> {
    return { "platform:integration": zeroEtlIntegrationName(prefix) };
}

/**
 * The data filter: only the captured tables, `include: db.schema.table` for Aurora PostgreSQL
 * (three parts) and `include: db.table` for Aurora MySQL (a MySQL database is its schema).
 */
export function zeroEtlDataFilter(source: ZeroEtlSource): string {
    return source.tables
        .map((t) => (source.engine === "aurora-postgresql" ? `include: ${source.database}.${t.schema}.${t.table}` : `include: ${t.schema}.${t.table}`))
        .join(", ");
}

export interface ZeroEtlPolicyContext {
    /** The namespace ARN: the serverless namespace's `arn`, or the cluster's `clusterNamespaceArn`. */
    readonly namespaceArn: string;
    readonly sourceArn: string;
    readonly partition: string;
    readonly accountId: string;
}

/**
 * The warehouse namespace's resource policy for the integration, in the documented shape: the
 * Redshift service may authorize inbound integrations only from the Aurora cluster
 * (`aws:SourceArn`), and this account (through IAM) may create them.
 */
export function zeroEtlResourcePolicy(ctx: ZeroEtlPolicyContext): PolicyDocument {
    return policyDocument(
        {
            Sid: "RedshiftAuthorizesTheAuroraCluster",
            Effect: "Allow",
            Principal: { Service: "redshift.amazonaws.com" },
            Action: "redshift:AuthorizeInboundIntegration",
            Resource: ctx.namespaceArn,
            Condition: { StringEquals: { "aws:SourceArn": ctx.sourceArn } },
        },
        {
            Sid: "AccountCreatesInboundIntegrations",
            Effect: "Allow",
            Principal: { AWS: `arn:${ctx.partition}:iam::${ctx.accountId}:root` },
            Action: "redshift:CreateInboundIntegration",
            Resource: ctx.namespaceArn,
        },
    );
}

/**
 * The EventBridge pattern of the integration's trouble: RDS events about the integration in the
 * `failure` category (creation failed, failed), or whose message says it needs attention.
 */
export function zeroEtlEventPattern(integrationArn: string): Record<string, unknown> {
    return {
        source: ["aws.rds"],
        resources: [integrationArn],
        detail: { $or: [{ EventCategories: ["failure"] }, { Message: [{ wildcard: "*needs attention*" }] }] },
    };
}

/** The integration's alarm: any failure event in five minutes, counted by the rule's invocations. */
export function zeroEtlAlarms(name: string, ruleName: pulumi.Input<string>): AlarmSpec[] {
    return [
        {
            name: `${name}-zero-etl-failed`,
            stage: "warehouse",
            description:
                "The Aurora-to-Redshift zero-ETL integration failed or needs attention (RDS integration event). Read the event in the alarm topic, then the integration's status in the RDS console (SVV_INTEGRATION in the warehouse); a table that fails to replicate shows in SVV_INTEGRATION_TABLE_STATE.",
            namespace: "AWS/Events",
            metricName: "TriggeredRules",
            dimensions: { RuleName: ruleName },
            statistic: "Sum",
            ...anyOccurrence,
        },
    ];
}

/** All three: an audit needs who connected, who changed users and what each ran. */
/**
 * When the nightly snapshot of a serverless namespace is taken (UTC): after the hourly loads of the
 * night, before the working day. A provisioned cluster takes its automated snapshots itself.
 */
export const nightlySnapshotSchedule = "cron(30 3 * * ? *)";

/**
 * The `redshift-serverless:CreateSnapshot` request the scheduler sends each night. Recovery points
 * of a serverless namespace last 24 hours; this snapshot is kept `retentionDays`, as a provisioned
 * cluster keeps its automated snapshots. Snapshot names are unique per account and Region: the
 * scheduler's execution id (lower-case letters and digits) makes each night's name new.
 */
export function nightlySnapshotRequest(namespaceName: string, retentionDays: number): { namespaceName: string; snapshotName: string; retentionPeriod: number } {
    return { namespaceName, snapshotName: `${namespaceName}-nightly-<aws.scheduler.execution-id>`, retentionPeriod: retentionDays };
}

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
