import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Observability } from "../../../../infra/observability";
import { PlatformBase, PlatformContext } from "../../../../infra/shared/context";
import { observeRegistrations } from "../../../../tools/offline/internals";
import { mockAccountId, mockCall, mockResourceState } from "../../../../tools/offline/mocks";
import { unwrapSecrets } from "../../../../tools/offline/program";

/**
 * Constructs one component alone under Pulumi mocks, from the minimal args a test gives, and
 * records what it declared (the pattern of awsx's component tests). The context is a real
 * Observability (so alarms are real MetricAlarms) and plain key ARNs.
 */

export interface Declared {
    readonly type: string;
    readonly name: string;
    readonly parentUrn?: string;
    readonly urn: string;
    readonly inputs: Record<string, any>;
    readonly protect: boolean;
    readonly dependencies: readonly string[];
}

export const testBase: PlatformBase = {
    project: "platform",
    stack: "test",
    environment: "dev",
    region: "us-east-1",
    accountId: mockAccountId,
    partition: "aws",
    logRetentionDays: 30,
    lambdaArchitecture: "arm64",
    protectData: false,
};

export const testKeys = {
    lake: "arn:aws:kms:us-east-1:123456789012:key/lake",
    streaming: "arn:aws:kms:us-east-1:123456789012:key/streaming",
    warehouse: "arn:aws:kms:us-east-1:123456789012:key/warehouse",
    observability: "arn:aws:kms:us-east-1:123456789012:key/observability",
} as const;

export interface Construction<T> {
    readonly component: T;
    readonly resources: readonly Declared[];
}

/** Mocks are process-global: constructions (and the offline runs of other test files) never overlap. */
let running: Promise<unknown> = Promise.resolve();

export function construct<T>(build: (context: PlatformContext) => T, base: Partial<PlatformBase> = {}): Promise<Construction<T>> {
    const run = running.then(() => constructNow(build, base));
    running = run.catch(() => undefined);
    return run;
}

async function constructNow<T>(build: (context: PlatformContext) => T, base: Partial<PlatformBase>): Promise<Construction<T>> {
    const resources: Declared[] = [];
    await pulumi.runtime.setMocks({ newResource: (args) => mockResourceState(args, "us-east-1", 2), call: (args) => mockCall(args, "us-east-1", 2) }, "platform", "test", false);
    const pending = observeRegistrations((r) => {
        resources.push({
            type: r.options.type,
            name: r.options.name,
            ...(r.options.parent ? { parentUrn: r.options.parent } : {}),
            urn: r.urn,
            inputs: unwrapSecrets(r.inputs, "", []) as Record<string, any>,
            protect: r.options.protect,
            dependencies: r.options.dependencies,
        });
    });
    const platformBase = { ...testBase, ...base };
    const observability = new Observability("observability", { context: platformBase, kmsKeyArn: testKeys.observability, budgetMonthlyUsd: 100 });
    const component = build({ ...platformBase, keys: testKeys, alarms: observability });
    // A CallbackFunction registers only once its closure is serialized: wait for every output and
    // resource the component exposes, then until no new registration appears.
    await settle(component, 3);
    let seen = -1;
    while (seen !== pending.length) {
        seen = pending.length;
        await Promise.all(pending);
        await new Promise((resolve) => setImmediate(resolve));
    }
    return { component, resources };
}

async function settle(value: unknown, depth: number): Promise<void> {
    if (pulumi.Output.isInstance(value)) {
        await promiseOf(value as pulumi.Output<unknown>);
    } else if (pulumi.Resource.isInstance(value)) {
        await promiseOf((value as pulumi.Resource).urn);
        if (depth > 0 && value instanceof pulumi.ComponentResource) {
            await Promise.all(Object.values(value).map((v) => settle(v, depth - 1)));
        }
    } else if (depth > 0 && value !== null && typeof value === "object") {
        await Promise.all(Object.values(value).map((v) => settle(v, depth - 1)));
    }
}

/** A bucket to hand a component, declared under the same mocks. */
export function bucket(name: string): aws.s3.Bucket {
    return new aws.s3.Bucket(name, {});
}

export function ofType(resources: readonly Declared[], type: string): Declared[] {
    return resources.filter((r) => r.type === type);
}

export function named(resources: readonly Declared[], type: string, name: string): Declared {
    const found = resources.filter((r) => r.type === type && r.name === name);
    if (found.length !== 1) {
        throw new Error(`expected one ${type} named ${name}, found ${found.length}: ${ofType(resources, type).map((r) => r.name).join(", ")}`);
    }
    return found[0];
}

/** The names of the resources of one type, sorted. */
export function namesOf(resources: readonly Declared[], type: string): string[] {
    return ofType(resources, type)
        .map((r) => r.name)
        .sort();
}

export function promiseOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply((value) => resolve(value)));
}

export const types = {
    alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    bucket: "aws:s3/bucket:Bucket",
    function: "aws:lambda/function:Function",
    mapping: "aws:lambda/eventSourceMapping:EventSourceMapping",
    queue: "aws:sqs/queue:Queue",
    stream: "aws:kinesis/stream:Stream",
    mskCluster: "aws:msk/cluster:Cluster",
    topic: "aws:msk/topic:Topic",
    securityGroup: "aws:ec2/securityGroup:SecurityGroup",
    workgroup: "aws:redshiftserverless/workgroup:Workgroup",
    namespace: "aws:redshiftserverless/namespace:Namespace",
    usageLimit: "aws:redshiftserverless/usageLimit:UsageLimit",
    redshiftCluster: "aws:redshift/cluster:Cluster",
    emrApplication: "aws:emrserverless/application:Application",
    emrCluster: "aws:emr/cluster:Cluster",
    bucketObject: "aws:s3/bucketObjectv2:BucketObjectv2",
    lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    sse: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
} as const;
