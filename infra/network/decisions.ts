import { NetworkConfig } from "../config";
import { interfaceEndpointServices } from "../config/catalog";
import { policyDocument, PolicyDocument, Statement } from "../shared/iam";
import type { AlarmSpec } from "../observability/alarms";

/** The awsx subnet specs the VPC gets: private subnets always, public ones only to hold NAT gateways. */
export function subnetSpecs(network: NetworkConfig): { type: "Private" | "Public"; cidrMask: number; name: string }[] {
    const specs: { type: "Private" | "Public"; cidrMask: number; name: string }[] = [{ type: "Private", cidrMask: network.subnets.privateMask, name: "private" }];
    if (network.subnets.publicMask !== undefined) {
        specs.push({ type: "Public", cidrMask: network.subnets.publicMask, name: "public" });
    }
    return specs;
}

/** Full service names of the configured interface endpoints, e.g. `com.amazonaws.us-east-1.kms`. */
export function interfaceEndpointServiceNames(region: string, shortNames: readonly string[]): { shortName: string; serviceName: string }[] {
    return shortNames.map((shortName) => ({ shortName, serviceName: `com.amazonaws.${region}.${interfaceEndpointServices[shortName]}` }));
}

/**
 * What the platform calls through each interface endpoint, split by whether the request names a
 * resource: `aws:ResourceAccount` is only in the request context of actions that act on one, so
 * the actions that do not (wildcard-only in the service authorization reference, or, like
 * PutMetricData, called without one) are pinned to our principals alone. Anything not listed here is refused by the endpoint even for an identity allowed to do
 * it, and so is any call from, or to, another account.
 */
export const interfaceEndpointActions: Readonly<Record<string, { readonly onResources: readonly string[]; readonly wildcardOnly: readonly string[] }>> = {
    kms: { onResources: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:DescribeKey"], wildcardOnly: [] },
    logs: { onResources: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"], wildcardOnly: [] },
    monitoring: { onResources: [], wildcardOnly: ["cloudwatch:PutMetricData"] },
    sts: { onResources: ["sts:AssumeRole"], wildcardOnly: ["sts:GetCallerIdentity"] },
    sqs: { onResources: ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"], wildcardOnly: [] },
    sns: { onResources: ["sns:Publish"], wildcardOnly: [] },
    "kinesis-streams": { onResources: ["kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:ListShards", "kinesis:PutRecord", "kinesis:PutRecords"], wildcardOnly: [] },
    secretsmanager: { onResources: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], wildcardOnly: [] },
    glue: {
        onResources: ["glue:GetDatabase", "glue:GetDatabases", "glue:GetTable", "glue:GetTables", "glue:GetPartition", "glue:GetPartitions", "glue:BatchGetPartition", "glue:CreatePartition", "glue:BatchCreatePartition", "glue:UpdatePartition", "glue:DeletePartition", "glue:BatchDeletePartition"],
        wildcardOnly: [],
    },
    "redshift-data": {
        onResources: ["redshift-data:ExecuteStatement", "redshift-data:BatchExecuteStatement"],
        wildcardOnly: ["redshift-data:DescribeStatement", "redshift-data:GetStatementResult", "redshift-data:CancelStatement"],
    },
    "emr-serverless": { onResources: ["emr-serverless:StartJobRun", "emr-serverless:GetJobRun", "emr-serverless:CancelJobRun"], wildcardOnly: [] },
    ecr: { onResources: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"], wildcardOnly: ["ecr:GetAuthorizationToken"] },
    "ecr-dkr": { onResources: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"], wildcardOnly: ["ecr:GetAuthorizationToken"] },
    xray: { onResources: [], wildcardOnly: ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"] },
    lambda: { onResources: ["lambda:InvokeFunction"], wildcardOnly: [] },
    states: { onResources: ["states:StartExecution", "states:DescribeExecution"], wildcardOnly: [] },
};

/** The endpoint policy of one interface endpoint: this account's principals, this account's resources, the platform's actions. */
export function interfaceEndpointPolicy(shortName: string, accountId: string): PolicyDocument {
    const actions = interfaceEndpointActions[shortName];
    if (!actions) {
        throw new Error(`interfaceEndpoints: no endpoint policy for "${shortName}"; expected one of ${Object.keys(interfaceEndpointActions).join(", ")}; add its actions to interfaceEndpointActions`);
    }
    if (!/^\d{12}$/.test(accountId)) {
        throw new Error(`interface endpoint policy: accountId must be 12 digits, found "${accountId}"; pass the stack's account id`);
    }
    const statements: Statement[] = [];
    if (actions.onResources.length > 0) {
        statements.push({
            Sid: "PlatformCallsOnOwnResources",
            Effect: "Allow",
            Principal: { AWS: "*" },
            Action: [...actions.onResources],
            Resource: "*",
            Condition: { StringEquals: { "aws:PrincipalAccount": accountId, "aws:ResourceAccount": accountId } },
        });
    }
    if (actions.wildcardOnly.length > 0) {
        statements.push({
            Sid: "PlatformCallsWithoutResource",
            Effect: "Allow",
            Principal: { AWS: "*" },
            Action: [...actions.wildcardOnly],
            Resource: "*",
            Condition: { StringEquals: { "aws:PrincipalAccount": accountId } },
        });
    }
    return policyDocument(...statements);
}

/** The network's alarm: a burst of rejected flows (the flow-log metric filter's count in `namespace`). */
export function networkAlarms(name: string, namespace: string): AlarmSpec[] {
    return [
        {
            name: `${name}-rejected-flows`,
            stage: "network",
            description: "More than 500 flows were rejected in 5 minutes for 3 periods: a security group or route blocks platform traffic, or something probes the VPC. Query the flow log group for action REJECT.",
            namespace,
            metricName: "RejectedFlows",
            dimensions: {},
            statistic: "Sum",
            comparisonOperator: "GreaterThanThreshold",
            threshold: 500,
            evaluationPeriods: 3,
        },
    ];
}
