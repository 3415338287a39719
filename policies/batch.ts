import * as aws from "@pulumi/aws";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { environmentOverrideProperty, environmentsProperty, policyConfig } from "./lib/config";
import { requireEnvironmentIn, resourceEnvironment } from "./lib/environment";
import { checkov } from "./lib/metadata";
import { asList, isKnown, isObject, Json, parseJsonInput, probe, show } from "./lib/values";

/** Every container spec of a job definition (container, ECS, multi-node and EKS shapes) as parsed JSON. */
function containers(definition: { containerProperties?: string; ecsProperties?: string; nodeProperties?: string; eksProperties?: { podProperties?: { containers?: unknown[] } } }): Record<string, Json>[] | "unknown" {
    const out: Record<string, Json>[] = [];
    for (const key of ["containerProperties", "ecsProperties", "nodeProperties"] as const) {
        const parsed = probe(() => parseJsonInput(definition[key]));
        if (!isKnown(parsed)) {
            return "unknown";
        }
        if (!parsed || "invalid" in parsed || !isObject(parsed.value)) {
            continue;
        }
        const value = parsed.value as Record<string, Json>;
        if (key === "containerProperties") {
            out.push(value);
        } else if (key === "ecsProperties") {
            for (const task of asList(value.taskProperties as Json)) {
                const list = asList(isObject(task) ? (task.containers as Json) : undefined);
                out.push(...(list.filter((c) => isObject(c)) as Record<string, Json>[]));
            }
        } else {
            for (const range of asList(value.nodeRangeProperties as Json)) {
                if (isObject(range) && isObject(range.container)) {
                    out.push(range.container as Record<string, Json>);
                }
            }
        }
    }
    for (const container of asList(definition.eksProperties?.podProperties?.containers)) {
        if (isObject(container)) {
            out.push({ privileged: (isObject(container.securityContext) && container.securityContext.privileged === true) || false });
        }
    }
    return out;
}

/** @severity critical */
export const batchJobDefinitionNotPrivileged: ResourceValidationPolicy = {
    name: "batch-job-definition-not-privileged",
    description: "Checks whether Batch job definitions run no privileged container.",
    enforcementLevel: "advisory",
    severity: "critical",
    framework: checkov(["CKV_AWS_210"], "Batch job does not define a privileged container."),
    tags: ["security", "batch"],
    remediationSteps: "Set privileged to false (or remove it) in the container properties; give the job the Linux capabilities it needs instead.",
    validateResource: validateResourceOfType(aws.batch.JobDefinition, (definition, _args, reportViolation) => {
        const specs = containers(definition);
        if (specs === "unknown") {
            return;
        }
        specs.forEach((container, i) => {
            if (container.privileged === true) {
                reportViolation(`Container ${i + 1}${typeof container.name === "string" ? ` (${container.name})` : ""} must not be privileged; found privileged: true.`);
            }
        });
    }),
};

const timeoutSchema = {
    properties: {
        maximumAttemptSeconds: { type: "integer" as const, minimum: 60, default: 86400, description: "Longest attempt duration allowed, in seconds. Defaults to 86400 (one day)." },
        maximumAttempts: { type: "integer" as const, minimum: 1, maximum: 10, default: 5, description: "Most attempts allowed (each one costs compute). Defaults to 5." },
    },
};

/** @severity medium */
export const batchJobDefinitionTimeoutRetry: ResourceValidationPolicy = {
    name: "batch-job-definition-timeout-retry",
    description: "Checks whether Batch job definitions bound every attempt with a timeout and retry transient failures a bounded number of times.",
    enforcementLevel: "advisory",
    severity: "medium",
    tags: ["reliability", "cost", "batch"],
    remediationSteps: "Set timeout.attemptDurationSeconds (platform:batchJobTimeoutMinutes) and retryStrategy { attempts: 2..5, evaluateOnExits retrying infrastructure failures only }.",
    configSchema: timeoutSchema,
    validateResource: validateResourceOfType(aws.batch.JobDefinition, (definition, args, reportViolation) => {
        const config = policyConfig<{ maximumAttemptSeconds: number; maximumAttempts: number }>(args, timeoutSchema);
        const seconds = definition.timeout?.attemptDurationSeconds;
        if (seconds === undefined) {
            reportViolation("timeout.attemptDurationSeconds must be set; a stuck job would otherwise run (and bill) until cancelled.");
        } else if (seconds > config.maximumAttemptSeconds) {
            reportViolation(`timeout.attemptDurationSeconds must be at most ${config.maximumAttemptSeconds}; found ${seconds}.`);
        }
        const attempts = definition.retryStrategy?.attempts;
        if (attempts === undefined || attempts < 2) {
            reportViolation(`retryStrategy.attempts must be at least 2 so transient infrastructure failures (Spot reclaims, image pulls) are retried; found ${show(attempts)}.`);
        } else if (attempts > config.maximumAttempts) {
            reportViolation(`retryStrategy.attempts must be at most ${config.maximumAttempts}; found ${attempts}.`);
        }
    }),
};

const spotSchema = {
    properties: {
        environments: environmentsProperty(["dev"], "compute environments must use Spot capacity"),
        environment: environmentOverrideProperty,
    },
};

/** @severity low */
export const batchComputeEnvironmentSpot: ResourceValidationPolicy = {
    name: "batch-compute-environment-spot",
    description: "Checks whether Batch compute environments outside prod use Spot capacity (FARGATE_SPOT or SPOT), which the retrying replay and compaction jobs tolerate.",
    enforcementLevel: "advisory",
    severity: "low",
    tags: ["cost", "batch"],
    remediationSteps: "Set computeResources.type to FARGATE_SPOT (platform:batchCompute) in this environment.",
    configSchema: spotSchema,
    validateResource: validateResourceOfType(aws.batch.ComputeEnvironment, (environment, args, reportViolation) => {
        const config = policyConfig<{ environments: string[]; environment?: string }>(args, spotSchema);
        const env = requireEnvironmentIn(args, resourceEnvironment(args, config.environment), config.environments);
        const type = environment.computeResources?.type;
        if (type !== "FARGATE_SPOT" && type !== "SPOT") {
            reportViolation(`computeResources.type must be FARGATE_SPOT or SPOT in ${env}; found ${show(type)}.`);
        }
    }),
};

export const batchPolicies = [batchJobDefinitionNotPrivileged, batchJobDefinitionTimeoutRetry, batchComputeEnvironmentSpot];
