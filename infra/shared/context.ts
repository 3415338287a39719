import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AlarmSpec, PipelineStage } from "../observability/alarms";
import type { KeyDomain } from "../keys/iam";
import { namePrefix } from "./options";

/**
 * What every component of one stack shares: where it runs, how it names things, how long it keeps
 * logs, whether it protects data, and the keys and alarm registry of the platform. Built once in
 * `infra/index.ts` and handed to every component as its first argument after the name, so a new
 * component reads these instead of receiving each one again.
 */
export interface PlatformBase {
    /** The Pulumi project, first part of every physical name. */
    readonly project: string;
    /** The stack (`dev`, `prod`), second part of every physical name. */
    readonly stack: string;
    /** The environment the stack config declares; metric dimensions carry it. */
    readonly environment: string;
    /** The AWS region every resource is created in. */
    readonly region: string;
    /** The account the stack deploys to (trust policies pin roles to it). */
    readonly accountId: pulumi.Input<string>;
    /** The ARN partition (`aws`, `aws-cn`, `aws-us-gov`). */
    readonly partition: pulumi.Input<string>;
    /** Retention of every log group the platform creates. */
    readonly logRetentionDays: number;
    /** The instruction set of every platform function (`lambdaArchitecture`). */
    readonly lambdaArchitecture: "arm64" | "x86_64";
    /** Protect and retain data stores (true in prod): see `dataStoreOptions`. */
    readonly protectData: boolean;
}

/** A CloudWatch alarm as registered: its stage (for the dashboard) and its ARN. */
export interface RegisteredAlarm {
    readonly stage: PipelineStage;
    readonly name: string;
    readonly arn: pulumi.Output<string>;
}

/** Where components send their alarm specifications (implemented by the Observability component). */
export interface AlarmRegistry {
    /** The SNS topic every alarm notifies; EventBridge rules and the pipeline publish to it too. */
    readonly alarmTopicArn: pulumi.Output<string>;
    /** Declares one CloudWatch alarm per spec, children of `parent`. */
    registerAlarms(parent: pulumi.Resource, specs: readonly AlarmSpec[]): RegisteredAlarm[];
}

export interface PlatformContext extends PlatformBase {
    /** The customer-managed key ARN of each data domain (see infra/keys). */
    readonly keys: Readonly<Record<KeyDomain, pulumi.Input<string>>>;
    readonly alarms: AlarmRegistry;
}

/** `<project>-<stack>`, the prefix of every physical name of the stack. */
export function contextPrefix(context: Pick<PlatformBase, "project" | "stack">): string {
    return namePrefix(context.project, context.stack);
}

/** The key ARNs of a Keys component's keys, for the context. */
export function keyArns(keys: Readonly<Record<KeyDomain, aws.kms.Key>>): Record<KeyDomain, pulumi.Output<string>> {
    return Object.fromEntries(Object.entries(keys).map(([domain, key]) => [domain, key.arn])) as Record<KeyDomain, pulumi.Output<string>>;
}
