import * as aws from "@pulumi/aws";
import * as lambda from "../../../../policies/lambda";
import * as mwaa from "../../../../policies/mwaa";
import { fixture, PropsOf } from "../helpers";
import { fails, passes, PolicyCase } from "./types";

const keyArn = "arn:aws:kms:us-east-1:123456789012:key/observability";
const fnArn = "arn:aws:lambda:us-east-1:123456789012:function:platform-dev-quality";
const on = (logLevel: string) => ({ enabled: true, logLevel });

const environment = (props: Partial<PropsOf<aws.mwaa.EnvironmentArgs>> = {}) =>
    fixture(aws.mwaa.Environment, "airflow", {
        executionRoleArn: "arn:aws:iam::123456789012:role/airflow",
        sourceBucketArn: "arn:aws:s3:::artifacts",
        dagS3Path: "airflow/dags",
        networkConfiguration: { securityGroupIds: ["sg-1"], subnetIds: ["subnet-1", "subnet-2"] },
        webserverAccessMode: "PRIVATE_ONLY",
        kmsKey: keyArn,
        loggingConfiguration: { dagProcessingLogs: on("WARNING"), schedulerLogs: on("WARNING"), taskLogs: on("INFO"), webserverLogs: on("WARNING"), workerLogs: on("WARNING") },
        ...props,
    });

const fn = fixture(aws.lambda.Function, "orchestration-quality", { name: "platform-dev-quality", role: "arn:aws:iam::123456789012:role/q", runtime: "nodejs22.x" }, { outputs: { arn: fnArn } });
const spec = (key: string, functionArn: string) =>
    fixture(aws.s3.BucketObjectv2, "spec", { bucket: "artifacts", key, content: JSON.stringify({ version: 1, groups: [{ stage: "PerDataset", dataset: "orders", steps: [{ id: "CheckTransformQuality", kind: "lambda", functionArn }] }] }) });

export const mwaaCases: PolicyCase[] = [
    passes(mwaa.mwaaEnvironmentLogging, "every log type on", environment()),
    fails(mwaa.mwaaEnvironmentLogging, "scheduler and worker logs off", environment({ loggingConfiguration: { dagProcessingLogs: on("WARNING"), taskLogs: on("INFO"), webserverLogs: on("WARNING") } }), /must enable schedulerLogs, workerLogs/),

    passes(mwaa.mwaaEnvironmentPrivateWebserver, "PRIVATE_ONLY", environment()),
    fails(mwaa.mwaaEnvironmentPrivateWebserver, "a public web server", environment({ webserverAccessMode: "PUBLIC_ONLY" }), /webserverAccessMode must be PRIVATE_ONLY; found "PUBLIC_ONLY"/),

    passes(mwaa.mwaaEnvironmentCustomerManagedKey, "a customer-managed key", environment()),
    fails(mwaa.mwaaEnvironmentCustomerManagedKey, "the AWS managed key aws/airflow", environment({ kmsKey: undefined }), /kmsKey must be a customer-managed key ARN/),

    passes(lambda.lambdaFunctionFailureDestination, "invoked synchronously by the Airflow DAG of an MWAA environment", [fn, environment(), spec("airflow/dags/platform_pipeline.json", fnArn)]),
    fails(lambda.lambdaFunctionFailureDestination, "a DAG spec outside the environment's DAG folder", [fn, environment(), spec("elsewhere/platform_pipeline.json", fnArn)], /has no dead-letter queue/),
    fails(lambda.lambdaFunctionFailureDestination, "a DAG spec naming another function", [fn, environment(), spec("airflow/dags/platform_pipeline.json", "arn:aws:lambda:us-east-1:123456789012:function:other")], /has no dead-letter queue/),
];
