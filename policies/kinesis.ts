import * as aws from "@pulumi/aws";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { capacityLimits, environments } from "../infra/config/catalog";
import { environmentOverrideProperty, policyConfig } from "./lib/config";
import { resourceEnvironment } from "./lib/environment";
import { checkov } from "./lib/metadata";
import { isKnown, probe, show, isCustomerManagedKey } from "./lib/values";

/** @severity high */
export const kinesisStreamEncryption: ResourceValidationPolicy = {
    name: "kinesis-stream-encryption",
    description: "Checks whether Kinesis data streams use server-side encryption with KMS.",
    enforcementLevel: "advisory",
    severity: "high",
    framework: checkov(["CKV_AWS_43"], "Ensure Kinesis Stream is securely encrypted."),
    tags: ["security", "encryption", "kinesis"],
    remediationSteps: "Set encryptionType to KMS and kmsKeyId to the streaming domain's customer-managed key.",
    validateResource: validateResourceOfType(aws.kinesis.Stream, (stream, _args, reportViolation) => {
        if (stream.encryptionType !== "KMS") {
            reportViolation(`encryptionType must be KMS; found ${show(stream.encryptionType)}.`);
        }
    }),
};

/** @severity high */
export const kinesisStreamCmk: ResourceValidationPolicy = {
    name: "kinesis-stream-cmk",
    description: "Checks whether Kinesis data streams are encrypted with a customer-managed KMS key rather than the AWS-managed one.",
    enforcementLevel: "advisory",
    severity: "high",
    framework: checkov(["CKV_AWS_185"], "Ensure Kinesis Stream is encrypted by KMS using a customer managed Key (CMK)."),
    tags: ["security", "encryption", "kinesis"],
    remediationSteps: "Set kmsKeyId to the ARN of the streaming domain's customer-managed key (not alias/aws/kinesis).",
    validateResource: validateResourceOfType(aws.kinesis.Stream, (stream, _args, reportViolation) => {
        const key = probe(() => stream.kmsKeyId);
        if (isKnown(key) && !isCustomerManagedKey(key, "kinesis")) {
            reportViolation(`kmsKeyId must name a customer-managed key; found ${show(key)}.`);
        }
    }),
};

const retentionSchema = {
    properties: {
        minimumHours: { type: "integer" as const, minimum: 24, maximum: 8760, default: 24, description: "Shortest retention allowed, in hours, so consumers can recover from an outage. Defaults to 24." },
    },
};

/** @severity medium */
export const kinesisStreamRetention: ResourceValidationPolicy = {
    name: "kinesis-stream-retention",
    description: "Checks whether Kinesis data streams keep records at least the minimum retention, so a stalled consumer can catch up without data loss.",
    enforcementLevel: "advisory",
    severity: "medium",
    tags: ["reliability", "kinesis"],
    remediationSteps: "Set retentionPeriod (hours) to at least the configured minimum.",
    configSchema: retentionSchema,
    validateResource: validateResourceOfType(aws.kinesis.Stream, (stream, args, reportViolation) => {
        const { minimumHours } = policyConfig<{ minimumHours: number }>(args, retentionSchema);
        const hours = stream.retentionPeriod ?? 24;
        if (hours < minimumHours) {
            reportViolation(`retentionPeriod must be at least ${minimumHours} hours; found ${hours}.`);
        }
    }),
};

const capacitySchema = {
    properties: {
        maximumShards: {
            type: "object" as const,
            properties: Object.fromEntries(environments.map((e) => [e, { type: "integer" as const, minimum: 1 }])),
            additionalProperties: { type: "integer" as const, minimum: 1 },
            default: Object.fromEntries(environments.map((e) => [e, capacityLimits[e].kinesisShards])),
            description: "Most shards per PROVISIONED stream, per environment. Defaults to the platform's capacity limits (infra/config/catalog.ts).",
        },
        allowedModes: {
            type: "object" as const,
            additionalProperties: { type: "array" as const, items: { type: "string" as const, enum: ["ON_DEMAND", "PROVISIONED"] } },
            default: Object.fromEntries(environments.map((e) => [e, ["ON_DEMAND", "PROVISIONED"]])),
            description: "Capacity modes allowed per environment. Defaults to both everywhere.",
        },
        environment: environmentOverrideProperty,
    },
};

/** @severity medium */
export const kinesisStreamCapacity: ResourceValidationPolicy = {
    name: "kinesis-stream-capacity",
    description: "Checks whether Kinesis data streams use a capacity mode allowed in their environment and, when provisioned, stay within the environment's shard cap.",
    enforcementLevel: "advisory",
    severity: "medium",
    tags: ["cost", "kinesis"],
    remediationSteps: "Lower shardCount (platform:kinesisShardCount) to the environment's cap, or use a capacity mode allowed there (platform:kinesisMode).",
    configSchema: capacitySchema,
    validateResource: validateResourceOfType(aws.kinesis.Stream, (stream, args, reportViolation) => {
        const config = policyConfig<{ maximumShards: Record<string, number>; allowedModes: Record<string, string[]>; environment?: string }>(args, capacitySchema);
        const environment = resourceEnvironment(args, config.environment);
        if (environment === undefined) {
            return args.notApplicable('the environment is unknown: tag the stream (or the provider\'s defaultTags) with "environment" or set the policy\'s "environment" config');
        }
        const mode = stream.streamModeDetails?.streamMode ?? (stream.shardCount !== undefined ? "PROVISIONED" : "ON_DEMAND");
        const modes = config.allowedModes[environment];
        if (modes && !modes.includes(mode)) {
            reportViolation(`The capacity mode must be one of ${modes.join(", ")} in ${environment}; found ${mode}.`);
        }
        const cap = config.maximumShards[environment];
        if (mode === "PROVISIONED" && cap !== undefined && typeof stream.shardCount === "number" && stream.shardCount > cap) {
            reportViolation(`shardCount must be at most ${cap} in ${environment}; found ${stream.shardCount}.`);
        }
    }),
};

export const kinesisPolicies = [kinesisStreamEncryption, kinesisStreamCmk, kinesisStreamRetention, kinesisStreamCapacity];
