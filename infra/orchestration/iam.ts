import { kmsUseStatement, policyDocument, PolicyDocument, s3ReadStatements, s3WriteStatements, Statement } from "../shared/iam";
import { SparkTarget } from "./decisions";

export interface WarehouseAccess {
    readonly partition: string;
    readonly region: string;
    readonly accountId: string;
    /** Serverless workgroup ARN or provisioned cluster ARN. */
    readonly warehouseArn: string;
    readonly secretArn: string;
    readonly warehouseKeyArn: string;
}

/** Running SQL through the Redshift Data API as the managed admin secret. */
function dataApiStatements(w: WarehouseAccess): Statement[] {
    return [
        { Sid: "RunStatementsOnTheWarehouse", Effect: "Allow", Action: ["redshift-data:ExecuteStatement", "redshift-data:BatchExecuteStatement"], Resource: w.warehouseArn },
        // Statement ids are not resources (the actions are wildcard-only), so the statement-owner
        // condition is what keeps these to the statements this role's own session submitted.
        {
            Sid: "ReadOwnStatementResults",
            Effect: "Allow",
            Action: ["redshift-data:DescribeStatement", "redshift-data:GetStatementResult", "redshift-data:CancelStatement"],
            Resource: "*",
            Condition: { StringEquals: { "redshift-data:statement-owner-iam-userid": "${aws:userid}" } },
        },
        { Sid: "UseManagedAdminSecret", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: w.secretArn },
        { ...kmsUseStatement([w.warehouseKeyArn]), Sid: "DecryptManagedAdminSecret" },
    ];
}

export function qualityRolePolicy(w: WarehouseAccess, curatedBucketArn: string, lakeKeyArn: string, logGroupArn: string): PolicyDocument {
    return policyDocument(
        { Sid: "ReadRunSummaries", Effect: "Allow", Action: "s3:GetObject", Resource: `${curatedBucketArn}/_runs/*` },
        { ...kmsUseStatement([lakeKeyArn]), Sid: "DecryptRunSummaries" },
        ...dataApiStatements(w),
        { Sid: "WriteOwnLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${logGroupArn}:*` },
        { Sid: "XRayHasNoResourceLevelPermissions", Effect: "Allow", Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], Resource: "*" },
    );
}

/**
 * The load function: read the curated files of its datasets (and list their aggregates' date
 * folders), write manifests, run the load through the Data API, and register the curated date
 * partitions in the Glue catalog so Spectrum sees them.
 */
export function loadRolePolicy(w: WarehouseAccess, curatedBucketArn: string, lakeKeyArn: string, datasets: readonly string[], logGroupArn: string, curatedDatabase: string): PolicyDocument {
    const catalog = `arn:${w.partition}:glue:${w.region}:${w.accountId}`;
    return policyDocument(
        ...s3ReadStatements(curatedBucketArn, datasets),
        ...s3ReadStatements(curatedBucketArn, ["_manifests/"]),
        ...s3WriteStatements(curatedBucketArn, ["_manifests/"]),
        { ...kmsUseStatement([lakeKeyArn]), Sid: "UseLakeKey" },
        ...dataApiStatements(w),
        {
            Sid: "RegisterCuratedPartitions",
            Effect: "Allow",
            Action: ["glue:GetTable", "glue:BatchCreatePartition"],
            Resource: [`${catalog}:catalog`, `${catalog}:database/${curatedDatabase}`, `${catalog}:table/${curatedDatabase}/*`],
        },
        { Sid: "WriteOwnLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${logGroupArn}:*` },
        { Sid: "XRayHasNoResourceLevelPermissions", Effect: "Allow", Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], Resource: "*" },
    );
}

export interface StateMachineAccess {
    readonly partition: string;
    readonly region: string;
    readonly accountId: string;
    /** `resourceArn`: the application, cluster or (glue) transform job; `cdcApplyJobArn`: the glue mode's CDC apply job, if any. */
    readonly spark: SparkTarget & { readonly resourceArn: string; readonly jobRoleArn: string; readonly cdcApplyJobArn?: string };
    readonly functionArns: readonly string[];
    readonly alarmTopicArn: string;
    readonly observabilityKeyArn: string;
}

/**
 * The state machine runs Spark (and passes the job role only to EMR; Glue jobs carry theirs), invokes the quality and load
 * functions, publishes failures, and manages the EventBridge rule that `.sync` integrations use.
 */
export function stateMachinePolicy(a: StateMachineAccess): PolicyDocument {
    const rule = (name: string) => `arn:${a.partition}:events:${a.region}:${a.accountId}:rule/${name}`;
    const statements: Statement[] = [
        { Sid: "InvokePipelineFunctions", Effect: "Allow", Action: "lambda:InvokeFunction", Resource: [...a.functionArns] },
        { Sid: "NotifyFailures", Effect: "Allow", Action: "sns:Publish", Resource: a.alarmTopicArn },
        { Sid: "EncryptNotifications", Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: a.observabilityKeyArn },
        // Step Functions writes execution history to CloudWatch Logs through vended log delivery;
        // its guide requires exactly these actions on the state machine's role. Every one of them is
        // wildcard-only in the service authorization reference (no resource type, no condition
        // key), so "*" is the narrowest grant IAM can express. PutResourcePolicy lets delivery add
        // the log group's resource policy for delivery.logs.amazonaws.com the first time; without
        // it, enabling logging fails at deploy time.
        {
            Sid: "LogDeliveryHasNoResourceLevelPermissions",
            Effect: "Allow",
            Action: ["logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery", "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies", "logs:DescribeLogGroups"],
            Resource: "*",
        },
        { Sid: "XRayHasNoResourceLevelPermissions", Effect: "Allow", Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"], Resource: "*" },
    ];
    if (a.spark.mode === "glue") {
        // The .sync integration polls GetJobRun (no EventBridge rule) and stops runs it abandons; the job carries its own role, so nothing is passed.
        statements.push({
            Sid: "RunSparkJobs",
            Effect: "Allow",
            Action: ["glue:StartJobRun", "glue:GetJobRun", "glue:GetJobRuns", "glue:BatchStopJobRun"],
            Resource: [a.spark.resourceArn, ...(a.spark.cdcApplyJobArn ? [a.spark.cdcApplyJobArn] : [])],
        });
    } else if (a.spark.mode === "serverless") {
        statements.push(
            { Sid: "RunSparkJobs", Effect: "Allow", Action: ["emr-serverless:StartJobRun", "emr-serverless:GetJobRun", "emr-serverless:CancelJobRun"], Resource: [a.spark.resourceArn, `${a.spark.resourceArn}/jobruns/*`] },
            { Sid: "PassJobRoleToEmrServerlessOnly", Effect: "Allow", Action: "iam:PassRole", Resource: a.spark.jobRoleArn, Condition: { StringEquals: { "iam:PassedToService": "emr-serverless.amazonaws.com" } } },
            { Sid: "SyncIntegrationRule", Effect: "Allow", Action: ["events:PutTargets", "events:PutRule", "events:DescribeRule"], Resource: rule("StepFunctionsGetEventsForEMRServerlessJobRule") },
        );
    } else {
        statements.push(
            { Sid: "RunSparkSteps", Effect: "Allow", Action: ["elasticmapreduce:AddJobFlowSteps", "elasticmapreduce:DescribeStep", "elasticmapreduce:CancelSteps"], Resource: a.spark.resourceArn },
            { Sid: "SyncIntegrationRule", Effect: "Allow", Action: ["events:PutTargets", "events:PutRule", "events:DescribeRule"], Resource: rule("StepFunctionsGetEventsForEMRAddJobFlowStepsRule") },
        );
    }
    return policyDocument(...statements);
}

export interface CdcApplyAccess {
    readonly rawBucketArn: string;
    readonly curatedBucketArn: string;
    readonly artifactsBucketArn: string;
    /** The database datasets the job applies. */
    readonly datasets: readonly string[];
    /** The references they publish (`<artifacts>/reference/<name>/`). */
    readonly references: readonly string[];
}

/**
 * What the CDC apply adds to the Spark job's role: read the database datasets' landed changes,
 * rebuild their curated tables (overwrite: delete is needed) and replace the references they
 * publish. The script and specs under `spark/`, the lake key and the logs are the transform's
 * grants already.
 */
export function cdcApplyRolePolicy(a: CdcApplyAccess): PolicyDocument {
    return policyDocument(
        ...s3ReadStatements(a.rawBucketArn, a.datasets.map((d) => `${d}/`)),
        ...s3ReadStatements(a.curatedBucketArn, a.datasets.map((d) => `${d}/`)),
        ...s3WriteStatements(a.curatedBucketArn, a.datasets.map((d) => `${d}/`), true),
        ...(a.references.length > 0 ? s3WriteStatements(a.artifactsBucketArn, a.references.map((r) => `reference/${r}/`), true) : []),
    );
}

export interface MwaaExecutionAccess {
    readonly partition: string;
    readonly region: string;
    readonly accountId: string;
    /** The environment's name: its log groups are `airflow-<name>-*`. */
    readonly environmentName: string;
    /** The artifacts bucket holding the DAG, its spec and the requirements under `airflow/`. */
    readonly artifactsBucketArn: string;
    /** The key of the artifacts bucket (the lake key). */
    readonly artifactsKeyArn: string;
    /** The environment's key: its Celery queue, logs and metadata. */
    readonly environmentKeyArn: string;
    readonly spark: SparkTarget & { readonly resourceArn: string; readonly jobRoleArn: string };
    readonly functionArns: readonly string[];
    readonly alarmTopicArn: string;
    readonly observabilityKeyArn: string;
}

/**
 * The MWAA execution role (the DAG's tasks run as it): read the DAG, spec and requirements;
 * publish the environment's metrics and logs; use the Celery queue MWAA creates in its own
 * account; and run the pipeline exactly as the state machine's role does (Spark, the quality and
 * load functions, failure notices), nothing more.
 */
export function mwaaExecutionPolicy(a: MwaaExecutionAccess): PolicyDocument {
    const logGroups = `arn:${a.partition}:logs:${a.region}:${a.accountId}:log-group:airflow-${a.environmentName}-*`;
    const statements: Statement[] = [
        { Sid: "PublishEnvironmentMetrics", Effect: "Allow", Action: "airflow:PublishMetrics", Resource: `arn:${a.partition}:airflow:${a.region}:${a.accountId}:environment/${a.environmentName}` },
        // MWAA checks that the source bucket blocks public access; the action is wildcard-only.
        { Sid: "CheckAccountPublicAccessBlock", Effect: "Allow", Action: "s3:GetAccountPublicAccessBlock", Resource: "*" },
        { Sid: "ReadDagsAndRequirements", Effect: "Allow", Action: ["s3:GetObject", "s3:GetObjectVersion"], Resource: `${a.artifactsBucketArn}/airflow/*` },
        { Sid: "ListDagsAndCheckBucket", Effect: "Allow", Action: ["s3:ListBucket", "s3:GetBucketLocation", "s3:GetBucketVersioning", "s3:GetBucketPublicAccessBlock", "s3:GetEncryptionConfiguration"], Resource: a.artifactsBucketArn },
        { Sid: "DecryptDags", Effect: "Allow", Action: "kms:Decrypt", Resource: a.artifactsKeyArn, Condition: { StringEquals: { "kms:ViaService": `s3.${a.region}.amazonaws.com` } } },
        {
            Sid: "WriteEnvironmentLogs",
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:CreateLogGroup", "logs:PutLogEvents", "logs:GetLogEvents", "logs:GetLogRecord", "logs:GetLogGroupFields", "logs:GetQueryResults"],
            Resource: [logGroups, `${logGroups}:*`],
        },
        { Sid: "DescribeLogGroupsIsWildcardOnly", Effect: "Allow", Action: "logs:DescribeLogGroups", Resource: "*" },
        { Sid: "PutMetricDataIsWildcardOnly", Effect: "Allow", Action: "cloudwatch:PutMetricData", Resource: "*", Condition: { StringEquals: { "cloudwatch:namespace": "AmazonMWAA" } } },
        // The Celery queue lives in MWAA's service account, so its account is not ours.
        {
            Sid: "UseCeleryQueue",
            Effect: "Allow",
            Action: ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ReceiveMessage", "sqs:SendMessage"],
            Resource: `arn:${a.partition}:sqs:${a.region}:*:airflow-celery-*`,
        },
        {
            Sid: "UseEnvironmentKeyForQueueAndBucket",
            Effect: "Allow",
            Action: ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey*", "kms:Encrypt"],
            Resource: a.environmentKeyArn,
            Condition: { StringLike: { "kms:ViaService": [`sqs.${a.region}.amazonaws.com`, `s3.${a.region}.amazonaws.com`] } },
        },
        { Sid: "InvokePipelineFunctions", Effect: "Allow", Action: "lambda:InvokeFunction", Resource: [...a.functionArns] },
        { Sid: "NotifyFailures", Effect: "Allow", Action: "sns:Publish", Resource: a.alarmTopicArn },
        { Sid: "EncryptNotifications", Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: a.observabilityKeyArn },
    ];
    if (a.spark.mode === "serverless") {
        statements.push(
            // The operator starts the application when it is stopped, then starts and polls the job run.
            { Sid: "StartSparkApplication", Effect: "Allow", Action: ["emr-serverless:GetApplication", "emr-serverless:StartApplication"], Resource: a.spark.resourceArn },
            { Sid: "RunSparkJobs", Effect: "Allow", Action: ["emr-serverless:StartJobRun", "emr-serverless:GetJobRun", "emr-serverless:CancelJobRun"], Resource: [a.spark.resourceArn, `${a.spark.resourceArn}/jobruns/*`] },
            { Sid: "PassJobRoleToEmrServerlessOnly", Effect: "Allow", Action: "iam:PassRole", Resource: a.spark.jobRoleArn, Condition: { StringEquals: { "iam:PassedToService": "emr-serverless.amazonaws.com" } } },
        );
    } else {
        statements.push({ Sid: "RunSparkSteps", Effect: "Allow", Action: ["elasticmapreduce:AddJobFlowSteps", "elasticmapreduce:DescribeStep", "elasticmapreduce:DescribeCluster", "elasticmapreduce:CancelSteps"], Resource: a.spark.resourceArn });
    }
    return policyDocument(...statements);
}
