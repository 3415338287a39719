import * as aws from "@pulumi/aws";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { checkov } from "./lib/metadata";
import { isKnown, probe, show } from "./lib/values";

const logTypes = ["dagProcessingLogs", "schedulerLogs", "taskLogs", "webserverLogs", "workerLogs"] as const;

/** @severity medium */
export const mwaaEnvironmentLogging: ResourceValidationPolicy = {
    name: "mwaa-environment-logging",
    description: "Checks whether MWAA environments send every Airflow log type (DAG processing, scheduler, task, web server, worker) to CloudWatch Logs.",
    enforcementLevel: "advisory",
    severity: "medium",
    framework: checkov(["CKV_AWS_242", "CKV_AWS_243", "CKV_AWS_244"], "Ensure MWAA environment has scheduler, worker and webserver logs enabled."),
    tags: ["observability", "audit", "mwaa"],
    remediationSteps: 'Set loggingConfiguration.<type>: { enabled: true, logLevel: "INFO" (tasks) or "WARNING" } for dagProcessingLogs, schedulerLogs, taskLogs, webserverLogs and workerLogs.',
    validateResource: validateResourceOfType(aws.mwaa.Environment, (environment, _args, reportViolation) => {
        const missing = logTypes.filter((type) => environment.loggingConfiguration?.[type]?.enabled !== true);
        if (missing.length > 0) {
            reportViolation(`loggingConfiguration must enable ${missing.join(", ")}; found them off or unset.`);
        }
    }),
};

/** @severity high */
export const mwaaEnvironmentPrivateWebserver: ResourceValidationPolicy = {
    name: "mwaa-environment-private-webserver",
    description: "Checks whether MWAA environments serve the Airflow UI only inside the VPC.",
    enforcementLevel: "advisory",
    severity: "high",
    framework: checkov(["CKV2_AWS_66"], "Ensure MWAA environment is not publicly accessible."),
    tags: ["security", "network", "mwaa"],
    remediationSteps: 'Set webserverAccessMode: "PRIVATE_ONLY" and reach the UI through the VPC (VPN, bastion or a VPC endpoint).',
    validateResource: validateResourceOfType(aws.mwaa.Environment, (environment, _args, reportViolation) => {
        if (environment.webserverAccessMode !== "PRIVATE_ONLY") {
            reportViolation(`webserverAccessMode must be PRIVATE_ONLY; found ${show(environment.webserverAccessMode ?? "PRIVATE_ONLY by default, unset")}.`);
        }
    }),
};

/** @severity high */
export const mwaaEnvironmentCustomerManagedKey: ResourceValidationPolicy = {
    name: "mwaa-environment-customer-managed-key",
    description: "Checks whether MWAA environments encrypt their metadata, queue and logs with a customer-managed KMS key.",
    enforcementLevel: "advisory",
    severity: "high",
    tags: ["security", "encryption", "mwaa"],
    remediationSteps: "Set kmsKey to a customer-managed key ARN whose policy lets CloudWatch Logs use it (the platform's observability key).",
    validateResource: validateResourceOfType(aws.mwaa.Environment, (environment, _args, reportViolation) => {
        const key = probe(() => environment.kmsKey);
        if (isKnown(key) && !key) {
            reportViolation("kmsKey must be a customer-managed key ARN; found none (MWAA would use the AWS managed key aws/airflow).");
        }
    }),
};

export const mwaaPolicies = [mwaaEnvironmentLogging, mwaaEnvironmentPrivateWebserver, mwaaEnvironmentCustomerManagedKey];
