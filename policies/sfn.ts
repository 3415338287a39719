import * as aws from "@pulumi/aws";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { policyConfig } from "./lib/config";
import { checkov } from "./lib/metadata";
import { isKnown, probe, show } from "./lib/values";

/** @severity low */
export const sfnStateMachineTracing: ResourceValidationPolicy = {
    name: "sfn-state-machine-tracing",
    description: "Checks whether Step Functions state machines send traces to X-Ray.",
    enforcementLevel: "advisory",
    severity: "low",
    framework: checkov(["CKV_AWS_284"], "Ensure State Machine has X-Ray tracing enabled."),
    tags: ["observability", "sfn"],
    remediationSteps: "Set tracingConfiguration: { enabled: true } and allow the role the X-Ray write actions.",
    validateResource: validateResourceOfType(aws.sfn.StateMachine, (machine, _args, reportViolation) => {
        if (machine.tracingConfiguration?.enabled !== true) {
            reportViolation(`tracingConfiguration.enabled must be true; found ${show(machine.tracingConfiguration?.enabled)}.`);
        }
    }),
};

const loggingSchema = {
    properties: {
        allowedLevels: {
            type: "array" as const,
            items: { type: "string" as const, enum: ["ALL", "ERROR", "FATAL"] },
            minItems: 1,
            default: ["ALL", "ERROR"],
            description: "Logging levels that satisfy the policy. Defaults to ALL and ERROR (ERROR logs every failed state with its input, at a fraction of ALL's cost).",
        },
        requireExecutionData: { type: "boolean" as const, default: true, description: "Logs must include execution data (state input and output). Defaults to true." },
    },
};

/** @severity medium */
export const sfnStateMachineLogging: ResourceValidationPolicy = {
    name: "sfn-state-machine-logging",
    description: "Checks whether Step Functions state machines log execution history, with execution data, to a CloudWatch log group.",
    enforcementLevel: "advisory",
    severity: "medium",
    framework: checkov(["CKV_AWS_285"], "Ensure State Machine has execution history logging enabled."),
    tags: ["observability", "audit", "sfn"],
    remediationSteps: 'Set loggingConfiguration: { level: "ERROR" (or "ALL"), includeExecutionData: true, logDestination: "<log group ARN>:*" }.',
    configSchema: loggingSchema,
    validateResource: validateResourceOfType(aws.sfn.StateMachine, (machine, args, reportViolation) => {
        const config = policyConfig<{ allowedLevels: string[]; requireExecutionData: boolean }>(args, loggingSchema);
        const logging = machine.loggingConfiguration;
        if (!logging?.level || !config.allowedLevels.includes(logging.level)) {
            reportViolation(`loggingConfiguration.level must be one of ${config.allowedLevels.join(", ")}; found ${show(logging?.level ?? "OFF")}.`);
            return;
        }
        const destination = probe(() => logging.logDestination);
        if (isKnown(destination) && !destination) {
            reportViolation("loggingConfiguration.logDestination must name a log group; none is set.");
        }
        if (config.requireExecutionData && logging.includeExecutionData !== true) {
            reportViolation(`loggingConfiguration.includeExecutionData must be true; found ${show(logging.includeExecutionData)}.`);
        }
    }),
};

export const sfnPolicies = [sfnStateMachineTracing, sfnStateMachineLogging];
