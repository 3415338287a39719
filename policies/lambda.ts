import * as aws from "@pulumi/aws";
import { PolicyResource, ResourceValidationPolicy, StackValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { policyConfig } from "./lib/config";
import { forbiddenAwsManagedPolicy, forbiddenManagedPolicies } from "./iam";
import { checkov } from "./lib/metadata";
import { dependsOn, label, ofType, prop, referencedBy, TypeRef } from "./lib/stack";
import { asList, isKnown, isObject, Json, parseJsonInput, probe, show, unknown, Unknown } from "./lib/values";

const runtimeSchema = {
    properties: {
        allowedRuntimes: {
            type: "array" as const,
            items: { type: "string" as const, minLength: 1 },
            minItems: 1,
            default: ["nodejs22.x", "nodejs24.x", "python3.12", "python3.13", "java21", "provided.al2023"],
            description: "Lambda runtimes allowed (supported by AWS and not scheduled for deprecation within months). Defaults to Node.js 22/24, Python 3.12/3.13, Java 21 and provided.al2023.",
        },
    },
};

/** @severity high */
export const lambdaFunctionRuntimeSupported: ResourceValidationPolicy = {
    name: "lambda-function-runtime-supported",
    description: "Checks whether Lambda functions set a runtime explicitly and use one that AWS supports and has not scheduled for deprecation.",
    enforcementLevel: "advisory",
    severity: "high",
    framework: checkov(["CKV_AWS_363"], "Ensure Lambda Runtime is not deprecated."),
    tags: ["security", "reliability", "lambda"],
    remediationSteps: "Set runtime explicitly (aws.lambda.Runtime.NodeJS22dX for the platform's callbacks) to one of the allowed runtimes.",
    configSchema: runtimeSchema,
    validateResource: validateResourceOfType(aws.lambda.Function, (fn, args, reportViolation) => {
        const { allowedRuntimes } = policyConfig<{ allowedRuntimes: string[] }>(args, runtimeSchema);
        if (fn.packageType === "Image") {
            return;
        }
        if (!fn.runtime) {
            reportViolation(`runtime must be set explicitly to one of ${allowedRuntimes.join(", ")}; none is set.`);
        } else if (!allowedRuntimes.includes(fn.runtime)) {
            reportViolation(`runtime must be one of ${allowedRuntimes.join(", ")}; found ${show(fn.runtime)}.`);
        }
    }),
};

/** @severity low */
export const lambdaFunctionTracing: ResourceValidationPolicy = {
    name: "lambda-function-tracing",
    description: "Checks whether Lambda functions send traces to X-Ray (active tracing).",
    enforcementLevel: "advisory",
    severity: "low",
    framework: checkov(["CKV_AWS_50"], "X-Ray tracing is enabled for Lambda."),
    tags: ["observability", "lambda"],
    remediationSteps: 'Set tracingConfig: { mode: "Active" } and allow xray:PutTraceSegments and xray:PutTelemetryRecords in the role.',
    validateResource: validateResourceOfType(aws.lambda.Function, (fn, _args, reportViolation) => {
        if (fn.tracingConfig?.mode !== "Active") {
            reportViolation(`tracingConfig.mode must be Active; found ${show(fn.tracingConfig?.mode)}.`);
        }
    }),
};

const concurrencySchema = {
    properties: {
        maximum: { type: "integer" as const, minimum: 1, default: 1000, description: "Most reserved concurrency a function may take from the account's pool. Defaults to 1000." },
    },
};

/** @severity medium */
export const lambdaFunctionReservedConcurrency: ResourceValidationPolicy = {
    name: "lambda-function-reserved-concurrency",
    description: "Checks whether Lambda functions reserve concurrency (at least 1, at most the configured maximum), so one function can neither starve nor be starved by the others.",
    enforcementLevel: "advisory",
    severity: "medium",
    framework: checkov(["CKV_AWS_115"], "Ensure that AWS Lambda function is configured for function-level concurrent execution limit."),
    tags: ["reliability", "cost", "lambda"],
    remediationSteps: "Set reservedConcurrentExecutions (platform:ingestReservedConcurrency for ingest functions) between 1 and the maximum.",
    configSchema: concurrencySchema,
    validateResource: validateResourceOfType(aws.lambda.Function, (fn, args, reportViolation) => {
        const { maximum } = policyConfig<{ maximum: number }>(args, concurrencySchema);
        const value = fn.reservedConcurrentExecutions;
        if (value === undefined || value === -1) {
            reportViolation("reservedConcurrentExecutions must be set; the function uses the unreserved account pool.");
        } else if (value < 1 || value > maximum) {
            reportViolation(`reservedConcurrentExecutions must be between 1 and ${maximum} (0 disables the function); found ${value}.`);
        }
    }),
};

const secretNames = /(secret|passw(or)?d|pwd|token|api[_-]?key|private[_-]?key|credential|access[_-]?key)/i;
const secretValues = [/\b(A3T[A-Z0-9]|AKIA|ASIA)[A-Z0-9]{16}\b/, /-----BEGIN [A-Z ]*PRIVATE KEY-----/, /\bxox[baprs]-[0-9A-Za-z-]{10,}/, /\bgh[pousr]_[0-9A-Za-z]{30,}/];

/** @severity critical */
export const lambdaFunctionEnvironmentNoSecrets: ResourceValidationPolicy = {
    name: "lambda-function-environment-no-secrets",
    description: "Checks whether Lambda environment variables are free of hard-coded secrets: access keys, private keys, tokens, or secret-named variables holding a literal value instead of a reference.",
    enforcementLevel: "advisory",
    severity: "critical",
    framework: checkov(["CKV_AWS_45"], "Ensure no hard-coded secrets exist in lambda environment."),
    tags: ["security", "lambda"],
    remediationSteps: "Keep the secret in Secrets Manager (or SSM SecureString), pass its ARN in the environment and grant the role secretsmanager:GetSecretValue on that ARN.",
    validateResource: validateResourceOfType(aws.lambda.Function, (fn, _args, reportViolation) => {
        const variables = probe(() => fn.environment?.variables ?? {});
        if (!isKnown(variables)) {
            return;
        }
        for (const key of Object.keys(variables)) {
            const value = probe(() => variables[key]);
            if (!isKnown(value) || typeof value !== "string" || value === "") {
                continue;
            }
            if (secretValues.some((pattern) => pattern.test(value))) {
                reportViolation(`Environment variable ${key} holds what looks like a credential; pass a Secrets Manager ARN instead.`);
            } else if (secretNames.test(key) && !value.startsWith("arn:") && !/^\/[\w./-]+$/.test(value)) {
                reportViolation(`Environment variable ${key} looks like a secret and holds a literal value; pass a Secrets Manager or SSM parameter reference (ARN or name) instead.`);
            }
        }
    }),
};

/** @severity medium */
export const lambdaFunctionEnvironmentEncryption: ResourceValidationPolicy = {
    name: "lambda-function-environment-encryption",
    description: "Checks whether Lambda functions that have environment variables encrypt them with a customer-managed KMS key.",
    enforcementLevel: "advisory",
    severity: "medium",
    framework: checkov(["CKV_AWS_173"], "Check encryption settings for Lambda environmental variable."),
    tags: ["security", "encryption", "lambda"],
    remediationSteps: "Set kmsKeyArn to a customer-managed key and allow the role kms:Decrypt on it.",
    validateResource: validateResourceOfType(aws.lambda.Function, (fn, _args, reportViolation) => {
        const count = probe(() => Object.keys(fn.environment?.variables ?? {}).length);
        const key = probe(() => fn.kmsKeyArn);
        if (isKnown(count) && count > 0 && isKnown(key) && !key) {
            reportViolation(`The function has ${count} environment variables, so kmsKeyArn must name a customer-managed key; none is set.`);
        }
    }),
};

/** @severity medium */
export const lambdaFunctionInVpc: ResourceValidationPolicy = {
    name: "lambda-function-in-vpc",
    description: "Checks whether Lambda functions run attached to the VPC's subnets and security groups.",
    enforcementLevel: "advisory",
    severity: "medium",
    framework: checkov(["CKV_AWS_117"], "Ensure that AWS Lambda function is configured inside a VPC."),
    tags: ["security", "network", "lambda"],
    remediationSteps: "Set vpcConfig with the private subnet IDs and a security group; allow the role the EC2 network-interface actions.",
    validateResource: validateResourceOfType(aws.lambda.Function, (fn, _args, reportViolation) => {
        const subnets = probe(() => asList(fn.vpcConfig?.subnetIds).length);
        if (isKnown(subnets) && subnets === 0) {
            reportViolation("vpcConfig.subnetIds must place the function in the VPC's private subnets; none are set.");
        }
    }),
};

/** Event source mappings, function URLs or permissions that target `fn` (by name or ARN, else through dependencies). */
function targeting(resources: readonly PolicyResource[], type: TypeRef, fn: PolicyResource, property = "functionName"): PolicyResource[] {
    return ofType(resources, type).filter((r) => referencedBy(r, property, prop(r, (p) => p[property] as unknown), [fn]).length > 0);
}

/** Every state of a definition, nested ones (Parallel branches, Map item processors) included. */
function allStates(definition: unknown): Record<string, unknown>[] {
    if (!isObject(definition) || !isObject(definition.States)) {
        return [];
    }
    return Object.values(definition.States).flatMap((state) => {
        if (!isObject(state)) {
            return [];
        }
        const nested = [...asList(state.Branches as Json), state.ItemProcessor, state.Iterator].flatMap((machine) => allStates(machine));
        return [state, ...nested];
    });
}

/** Does a Task state's FunctionName (JSONPath `Parameters` or JSONata `Arguments`) name the function, by ARN (any qualifier) or name? */
function namesFunction(value: unknown, ids: readonly string[]): boolean {
    return typeof value === "string" && ids.some((id) => value === id || value.startsWith(`${id}:`));
}

/**
 * How the definition's Task states invoke the function: "sync" when one waits for its result,
 * so that a function error fails the task (the optimized `arn:aws:states:::lambda:invoke` with
 * InvocationType absent or RequestResponse, or the function ARN as Resource); "callback" when
 * one uses `.waitForTaskToken` with a Catch and a timeout (a failed function then times the task
 * out into the Catch); "async" when it only fires an event (InvocationType Event, or a callback
 * with no failure path); `undefined` when no task names it.
 */
export function stateMachineInvocation(definition: unknown, ids: readonly string[]): "sync" | "callback" | "async" | undefined {
    let found: "sync" | "callback" | "async" | undefined;
    for (const state of allStates(definition)) {
        if (state.Type !== "Task" || typeof state.Resource !== "string") {
            continue;
        }
        const resource = state.Resource;
        const args = isObject(state.Arguments) ? state.Arguments : isObject(state.Parameters) ? state.Parameters : {};
        let kind: "sync" | "callback" | "async" | undefined;
        if (namesFunction(resource, ids)) {
            kind = "sync";
        } else if (/^arn:aws[a-z-]*:states:::lambda:invoke(\.waitForTaskToken)?$/.test(resource) && namesFunction(args.FunctionName, ids)) {
            const invocationType = args.InvocationType;
            if (resource.endsWith(".waitForTaskToken")) {
                const failurePath = asList(state.Catch as Json).length > 0 && (state.TimeoutSeconds !== undefined || state.HeartbeatSeconds !== undefined || state.TimeoutSecondsPath !== undefined);
                kind = failurePath ? "callback" : "async";
            } else {
                kind = invocationType === undefined || invocationType === "RequestResponse" ? "sync" : "async";
            }
        }
        if (kind === "sync" || kind === "callback") {
            return kind;
        }
        found = found ?? kind;
    }
    return found;
}

/**
 * Does a state machine of the stack invoke the function so that its failures reach the workflow
 * (see `stateMachineInvocation`)? A mention of the ARN is not enough: an `InvocationType: Event`
 * task drops a failed invocation like any asynchronous caller.
 */
function invokedByStateMachine(resources: readonly PolicyResource[], fn: PolicyResource): boolean | Unknown {
    const ids = [prop(fn, (p) => p.arn as string | undefined), prop(fn, (p) => p.name as string | undefined)];
    for (const machine of ofType(resources, aws.sfn.StateMachine)) {
        const definition = prop(machine, (p) => p.definition as string | undefined);
        if (!isKnown(definition) || ids.some((id) => !isKnown(id))) {
            // Unknown during preview: the workflow that depends on the function is trusted now and judged again at `pulumi up`.
            if (dependsOn(machine, fn)) {
                return true;
            }
            continue;
        }
        const parsed = parseJsonInput(definition);
        if (!parsed || "invalid" in parsed) {
            continue;
        }
        const known = ids.filter((id): id is string => isKnown(id) && typeof id === "string" && id !== "");
        const kind = stateMachineInvocation(parsed.value, known);
        if (kind === "sync" || kind === "callback") {
            return true;
        }
    }
    return false;
}

/**
 * Whether an Airflow DAG on an MWAA environment of the stack invokes the function: the pipeline
 * spec (a JSON object in the environment's DAG folder, infra/orchestration/airflow.ts) lists it
 * in a `lambda` step, which the Amazon provider's LambdaInvokeFunctionOperator calls synchronously
 * (RequestResponse) with retries, and the DAG's NotifyFailure reports a failure.
 */
function invokedByAirflowDag(resources: readonly PolicyResource[], fn: PolicyResource): boolean | Unknown {
    const ids = [prop(fn, (p) => p.arn as string | undefined), prop(fn, (p) => p.name as string | undefined)];
    for (const environment of ofType(resources, aws.mwaa.Environment)) {
        const dagPath = prop(environment, (p) => p.dagS3Path as string | undefined);
        if (!isKnown(dagPath) || typeof dagPath !== "string") {
            continue;
        }
        for (const object of ofType(resources, aws.s3.BucketObjectv2)) {
            const key = prop(object, (p) => p.key as string | undefined);
            if (!isKnown(key) || typeof key !== "string" || !key.startsWith(`${dagPath.replace(/\/$/, "")}/`) || !key.endsWith(".json")) {
                continue;
            }
            const content = prop(object, (p) => p.content as string | undefined);
            if (!isKnown(content) || ids.some((id) => !isKnown(id))) {
                // Unknown during preview: the spec that depends on the function is trusted now and judged again at `pulumi up`.
                if (dependsOn(object, fn)) {
                    return true;
                }
                continue;
            }
            const parsed = parseJsonInput(content);
            if (!parsed || "invalid" in parsed || !isObject(parsed.value)) {
                continue;
            }
            const known = ids.filter((id): id is string => isKnown(id) && typeof id === "string" && id !== "");
            const list = (value: unknown): Record<string, unknown>[] => (Array.isArray(value) ? value.filter(isObject) : []);
            const steps = list(parsed.value.groups).flatMap((group) => list(group.steps));
            if (steps.some((step) => step.kind === "lambda" && typeof step.functionArn === "string" && known.some((id) => step.functionArn === id || String(step.functionArn).endsWith(`:function:${id}`)))) {
                return true;
            }
        }
    }
    return false;
}

/**
 * Is the function the data-transformation processor of a Firehose delivery stream of the stack?
 * Firehose invokes it synchronously, retries a failed invocation and then writes its records to
 * the delivery stream's error output prefix, so no invocation fails silently.
 */
function invokedByFirehose(resources: readonly PolicyResource[], fn: PolicyResource): boolean {
    const arn = prop(fn, (p) => p.arn as string | undefined);
    for (const stream of ofType(resources, aws.kinesis.FirehoseDeliveryStream)) {
        const processors = prop(stream, (p) => (p.extendedS3Configuration?.processingConfiguration?.processors ?? []) as { type?: string; parameters?: { parameterName?: string; parameterValue?: string }[] }[]);
        if (!isKnown(processors) || !isKnown(arn)) {
            // Unknown during preview: the delivery stream that depends on the function is trusted now and judged again at `pulumi up`.
            if (dependsOn(stream, fn)) {
                return true;
            }
            continue;
        }
        const invoked = processors.some((processor) => {
            const target = processor.type === "Lambda" ? processor.parameters?.find((parameter) => parameter.parameterName === "LambdaArn")?.parameterValue : undefined;
            return typeof target === "string" && typeof arn === "string" && arn !== "" && (target === arn || target.startsWith(`${arn}:`));
        });
        if (invoked) {
            return true;
        }
    }
    return false;
}

/** @severity high */
export const lambdaFunctionFailureDestination: StackValidationPolicy = {
    name: "lambda-function-failure-destination",
    description:
        "Checks whether no invocation of a Lambda function can fail silently: asynchronous failures go to a dead-letter queue or on-failure destination, every event source mapping has an on-failure destination, a Step Functions workflow or an Airflow DAG on MWAA of the stack invokes it synchronously and handles its errors, or a Firehose delivery stream of the stack invokes it as its data-transformation processor (failed records go to its error output prefix).",
    enforcementLevel: "advisory",
    severity: "high",
    framework: checkov(["CKV_AWS_116"], "Ensure that AWS Lambda function is configured for a Dead Letter Queue (DLQ)."),
    tags: ["reliability", "lambda"],
    remediationSteps:
        "Give every event source mapping destinationConfig.onFailure (an encrypted SQS queue), or set deadLetterConfig / an aws.lambda.FunctionEventInvokeConfig with an on-failure destination for asynchronously invoked functions.",
    validateStack: (args, reportViolation) => {
        for (const fn of ofType(args.resources, aws.lambda.Function)) {
            const dlq = prop(fn, (p) => p.deadLetterConfig?.targetArn as string | undefined);
            if (!isKnown(dlq) || dlq) {
                continue;
            }
            const invokeConfigs = targeting(args.resources, aws.lambda.FunctionEventInvokeConfig, fn);
            const asyncDestination = invokeConfigs.some((c) => {
                const destination = prop(c, (p) => p.destinationConfig?.onFailure?.destination as string | undefined);
                return !isKnown(destination) || !!destination;
            });
            if (asyncDestination) {
                continue;
            }
            const mappings = targeting(args.resources, aws.lambda.EventSourceMapping, fn);
            const withoutDestination = mappings.filter((m) => {
                const d = prop(m, (p) => p.destinationConfig?.onFailure?.destinationArn as string | undefined);
                return isKnown(d) && !d && !isQueueSource(m);
            });
            if (withoutDestination.length > 0) {
                for (const m of withoutDestination) {
                    reportViolation(`${label(m)} feeds ${label(fn)} without an on-failure destination: a batch that exhausts its retries is dropped. Set destinationConfig.onFailure.`, m.urn);
                }
                continue;
            }
            if (mappings.length > 0) {
                continue;
            }
            if (invokedByFirehose(args.resources, fn)) {
                continue;
            }
            const sync = invokedByStateMachine(args.resources, fn);
            if (!isKnown(sync) || sync) {
                continue;
            }
            const dag = invokedByAirflowDag(args.resources, fn);
            if (!isKnown(dag) || dag) {
                continue;
            }
            reportViolation(`${label(fn)} has no dead-letter queue, no on-failure destination and no event source mapping: a failed asynchronous invocation is dropped. Set deadLetterConfig or an on-failure destination.`, fn.urn);
        }
    },
};

function isQueueSource(mapping: PolicyResource): boolean {
    const arn = prop(mapping, (p) => p.eventSourceArn as string | undefined);
    return isKnown(arn) && typeof arn === "string" && arn.startsWith("arn:aws") && arn.split(":")[2] === "sqs";
}

/** @severity critical */
export const lambdaFunctionLeastPrivilegeRole: StackValidationPolicy = {
    name: "lambda-function-least-privilege-role",
    description:
        "Checks whether each Lambda function runs as an explicit role of this stack that carries its own inline policy and no AWS-managed full-access policies (the broad default role CallbackFunction creates when given none).",
    enforcementLevel: "advisory",
    severity: "critical",
    tags: ["security", "iam", "lambda"],
    remediationSteps: "Declare an aws.iam.Role with an aws.iam.RolePolicy granting only what the function calls, and pass it as `role` to aws.lambda.CallbackFunction.",
    validateStack: (args, reportViolation) => {
        const roles = ofType(args.resources, aws.iam.Role);
        for (const fn of ofType(args.resources, aws.lambda.Function)) {
            const roleArn = prop(fn, (p) => p.role as string | undefined);
            const matches = referencedBy(fn, "role", roleArn, roles);
            if (matches.length === 0) {
                if (isKnown(roleArn)) {
                    reportViolation(`${label(fn)} runs as ${show(roleArn)}, which is not a role of this stack; give it its own least-privilege role.`, fn.urn);
                }
                continue;
            }
            const role = matches[0];
            const attached = ofType(args.resources, aws.iam.RolePolicyAttachment).filter((a) => referencedBy(a, "role", prop(a, (p) => p.role as string | undefined), [role]).length > 0);
            const inlineArns = prop(role, (p) => asList(p.managedPolicyArns as string[] | undefined));
            const managed = [...attached.map((a) => prop(a, (p) => p.policyArn as string | undefined)), ...(isKnown(inlineArns) ? inlineArns : [])]
                .filter((arn): arn is string => isKnown(arn) && typeof arn === "string")
                .map((arn) => forbiddenAwsManagedPolicy(arn, forbiddenManagedPolicies))
                .filter((name): name is string => name !== undefined);
            if (managed.length > 0) {
                reportViolation(`${label(fn)} runs as ${label(role)}, which carries AWS-managed ${managed.join(", ")}; give the function a least-privilege inline policy instead (CallbackFunction's default role).`, fn.urn);
                continue;
            }
            const inline = ofType(args.resources, aws.iam.RolePolicy).filter((p) => referencedBy(p, "role", prop(p, (props) => props.role as string | undefined), [role]).length > 0);
            const inlineOnRole = prop(role, (p) => asList(p.inlinePolicies).length);
            if (inline.length === 0 && isKnown(inlineOnRole) && inlineOnRole === 0) {
                reportViolation(`${label(fn)} runs as ${label(role)}, which has no inline policy of its own; grant the function's permissions with an aws.iam.RolePolicy on its role.`, fn.urn);
            }
        }
    },
};

const logRetentionSchema = {
    properties: {
        maximumDays: { type: "integer" as const, minimum: 1, default: 3653, description: "Longest retention accepted for a function's log group, in days. Defaults to 3653 (ten years)." },
    },
};

/** @severity medium */
export const lambdaFunctionLogRetention: StackValidationPolicy = {
    name: "lambda-function-log-retention",
    description: "Checks whether every Lambda function logs to a log group of this stack (its loggingConfig.logGroup or /aws/lambda/<name>) that has a retention period.",
    enforcementLevel: "advisory",
    severity: "medium",
    tags: ["observability", "cost", "lambda"],
    remediationSteps: "Declare an aws.cloudwatch.LogGroup named /aws/lambda/<function name> with retentionInDays and kmsKeyId, and set loggingConfig.logGroup to it (create it before the function).",
    configSchema: logRetentionSchema,
    validateStack: (args, reportViolation) => {
        const { maximumDays } = policyConfig<{ maximumDays: number }>(args, logRetentionSchema);
        const groups = ofType(args.resources, aws.cloudwatch.LogGroup);
        for (const fn of ofType(args.resources, aws.lambda.Function)) {
            const configured = prop(fn, (p) => p.loggingConfig?.logGroup as string | undefined);
            const name = prop(fn, (p) => p.name as string | undefined);
            if (!isKnown(configured) || (!configured && (!isKnown(name) || !name))) {
                continue;
            }
            const groupName = configured || `/aws/lambda/${String(name)}`;
            const group = groups.find((g) => {
                const n = prop(g, (p) => p.name as string | undefined);
                return isKnown(n) ? n === groupName : dependsOn(fn, g);
            });
            if (!group) {
                reportViolation(`${label(fn)} logs to ${groupName}, which must be a log group of this stack with a retention period; it is not declared here, so Lambda creates it with no expiry.`, fn.urn);
                continue;
            }
            const retention = prop(group, (p) => p.retentionInDays as number | undefined);
            if (isKnown(retention) && !(typeof retention === "number" && retention > 0 && retention <= maximumDays)) {
                reportViolation(`${label(group)} holds the logs of ${label(fn)} and must have retentionInDays between 1 and ${maximumDays}; found ${show(retention)}.`, group.urn);
            }
        }
    },
};

type SourceKind = "stream" | "kafka" | "queue" | "other";

/** What an event source mapping reads: a stream (Kinesis, DynamoDB), Kafka (MSK, self-managed), a queue, or something else. */
function sourceKind(mapping: { eventSourceArn?: string; topics?: string[]; amazonManagedKafkaEventSourceConfig?: object; selfManagedEventSource?: object; startingPosition?: string }): SourceKind | Unknown {
    if (mapping.topics !== undefined || mapping.amazonManagedKafkaEventSourceConfig !== undefined || mapping.selfManagedEventSource !== undefined) {
        return "kafka";
    }
    const arn = probe(() => mapping.eventSourceArn);
    if (!isKnown(arn)) {
        // Queue mappings have no starting position; a stream's ARN is often unknown during preview.
        return mapping.startingPosition !== undefined ? "stream" : unknown;
    }
    const service = typeof arn === "string" ? arn.split(":")[2] : undefined;
    return service === "kinesis" || service === "dynamodb" ? "stream" : service === "kafka" ? "kafka" : service === "sqs" ? "queue" : "other";
}

/** @severity high */
export const lambdaEventSourceMappingOnFailure: ResourceValidationPolicy = {
    name: "lambda-event-source-mapping-on-failure",
    description: "Checks whether event source mappings that read streams or Kafka topics send batches that exhaust their retries to an on-failure destination instead of dropping them.",
    enforcementLevel: "advisory",
    severity: "high",
    tags: ["reliability", "lambda"],
    remediationSteps: "Set destinationConfig.onFailure.destinationArn to an encrypted SQS queue (or S3 bucket for Kafka) and alarm on its depth.",
    validateResource: validateResourceOfType(aws.lambda.EventSourceMapping, (mapping, args, reportViolation) => {
        const kind = sourceKind(mapping);
        if (!isKnown(kind)) {
            return;
        }
        if (kind === "queue" || kind === "other") {
            return args.notApplicable("queue sources use the queue's redrive policy for failures");
        }
        const destination = probe(() => mapping.destinationConfig?.onFailure?.destinationArn);
        if (isKnown(destination) && !destination) {
            reportViolation(`destinationConfig.onFailure.destinationArn must be set for this ${kind === "kafka" ? "Kafka" : "stream"} source; without it a failing batch is dropped after its retries.`);
        }
    }),
};

/** @severity high */
export const lambdaEventSourceMappingStreamErrorHandling: ResourceValidationPolicy = {
    name: "lambda-event-source-mapping-stream-error-handling",
    description:
        "Checks whether Kinesis and DynamoDB stream mappings contain a poison record: bisect failing batches, report partial batch failures, and bound retries and record age so one bad record cannot block its shard.",
    enforcementLevel: "advisory",
    severity: "high",
    tags: ["reliability", "lambda", "kinesis"],
    remediationSteps:
        'Set bisectBatchOnFunctionError: true, functionResponseTypes: ["ReportBatchItemFailures"] (and return batchItemFailures from the handler), maximumRetryAttempts and maximumRecordAgeInSeconds (not -1).',
    validateResource: validateResourceOfType(aws.lambda.EventSourceMapping, (mapping, args, reportViolation) => {
        const kind = sourceKind(mapping);
        if (!isKnown(kind)) {
            return;
        }
        if (kind !== "stream") {
            return args.notApplicable("applies to Kinesis and DynamoDB stream sources");
        }
        if (mapping.bisectBatchOnFunctionError !== true) {
            reportViolation(`bisectBatchOnFunctionError must be true; found ${show(mapping.bisectBatchOnFunctionError)}.`);
        }
        if (!asList(mapping.functionResponseTypes).includes("ReportBatchItemFailures")) {
            reportViolation(`functionResponseTypes must include ReportBatchItemFailures; found ${show(mapping.functionResponseTypes)}.`);
        }
        if (mapping.maximumRetryAttempts === undefined || mapping.maximumRetryAttempts === -1) {
            reportViolation(`maximumRetryAttempts must be bounded (0 to 10000); found ${show(mapping.maximumRetryAttempts)}, which retries until the record expires.`);
        }
        if (mapping.maximumRecordAgeInSeconds === undefined || mapping.maximumRecordAgeInSeconds === -1) {
            reportViolation(`maximumRecordAgeInSeconds must be bounded (60 to 604800); found ${show(mapping.maximumRecordAgeInSeconds)}.`);
        }
    }),
};

/** @severity critical */
export const lambdaFunctionUrlAuth: ResourceValidationPolicy = {
    name: "lambda-function-url-auth",
    description: "Checks whether Lambda function URLs require IAM authentication.",
    enforcementLevel: "advisory",
    severity: "critical",
    framework: checkov(["CKV_AWS_258"], "Ensure that Lambda function URLs AuthType is not None."),
    tags: ["security", "lambda"],
    remediationSteps: "Set authorizationType to AWS_IAM (or remove the function URL).",
    validateResource: validateResourceOfType(aws.lambda.FunctionUrl, (url, _args, reportViolation) => {
        if (url.authorizationType !== "AWS_IAM") {
            reportViolation(`authorizationType must be AWS_IAM; found ${show(url.authorizationType)}.`);
        }
    }),
};

/** @severity high */
export const lambdaFunctionUrlCors: ResourceValidationPolicy = {
    name: "lambda-function-url-cors",
    description: "Checks whether Lambda function URLs avoid a CORS policy open to every origin.",
    enforcementLevel: "advisory",
    severity: "high",
    framework: checkov(["CKV2_AWS_75"], "Ensure no open CORS policy."),
    tags: ["security", "lambda"],
    remediationSteps: "List the allowed origins in cors.allowOrigins instead of \"*\".",
    validateResource: validateResourceOfType(aws.lambda.FunctionUrl, (url, _args, reportViolation) => {
        if (asList(url.cors?.allowOrigins).includes("*")) {
            reportViolation('cors.allowOrigins must name the origins; found "*".');
        }
    }),
};

/** @severity critical */
export const lambdaPermissionNotPublic: ResourceValidationPolicy = {
    name: "lambda-permission-not-public",
    description: "Checks whether Lambda permissions avoid letting every principal invoke the function.",
    enforcementLevel: "advisory",
    severity: "critical",
    framework: checkov(["CKV_AWS_301"], "Ensure that AWS Lambda function is not publicly accessible."),
    tags: ["security", "lambda"],
    remediationSteps: "Set principal to the service or account that invokes the function (e.g. events.amazonaws.com) with sourceArn.",
    validateResource: validateResourceOfType(aws.lambda.Permission, (permission, _args, reportViolation) => {
        const open = probe(() => permission.principal === "*" && !permission.principalOrgId && !permission.sourceAccount && !permission.sourceArn);
        if (isKnown(open) && open) {
            reportViolation('principal must name a service or account; found "*" with no sourceArn, sourceAccount or principalOrgId.');
        }
    }),
};

/** @severity high */
export const lambdaPermissionSourceRestricted: ResourceValidationPolicy = {
    name: "lambda-permission-source-restricted",
    description: "Checks whether Lambda permissions granted to an AWS service are limited to a source ARN or source account (confused-deputy protection).",
    enforcementLevel: "advisory",
    severity: "high",
    framework: checkov(["CKV_AWS_364"], "Ensure that AWS Lambda function permissions delegated to AWS services are limited by SourceArn or SourceAccount."),
    tags: ["security", "lambda"],
    remediationSteps: "Set sourceArn (the rule, bucket or topic that invokes the function) or sourceAccount.",
    validateResource: validateResourceOfType(aws.lambda.Permission, (permission, _args, reportViolation) => {
        const principal = probe(() => permission.principal);
        const unrestricted = probe(() => !permission.sourceArn && !permission.sourceAccount);
        if (isKnown(principal) && typeof principal === "string" && principal.endsWith(".amazonaws.com") && isKnown(unrestricted) && unrestricted) {
            reportViolation(`The permission for ${principal} must set sourceArn or sourceAccount; neither is set.`);
        }
    }),
};

export const lambdaPolicies = [
    lambdaFunctionRuntimeSupported,
    lambdaFunctionTracing,
    lambdaFunctionReservedConcurrency,
    lambdaFunctionEnvironmentNoSecrets,
    lambdaFunctionEnvironmentEncryption,
    lambdaFunctionInVpc,
    lambdaFunctionFailureDestination,
    lambdaFunctionLeastPrivilegeRole,
    lambdaFunctionLogRetention,
    lambdaEventSourceMappingOnFailure,
    lambdaEventSourceMappingStreamErrorHandling,
    lambdaFunctionUrlAuth,
    lambdaFunctionUrlCors,
    lambdaPermissionNotPublic,
    lambdaPermissionSourceRestricted,
];
