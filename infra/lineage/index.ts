import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { LineageConfig } from "../config";
import { contextPrefix, PlatformContext, RegisteredAlarm } from "../shared/context";
import { apiKeySecretName, lineageAlarms, lineageEnvironment, lineageFailureFilterPattern, lineageFailureMetricName, lineageMetricNamespace, lineageUri } from "./decisions";
import { LineageAccess, withLineageStatements } from "./iam";
import { PolicyDocument } from "../shared/iam";

export { lineageStatements, sparkLineageStatements, withLineageStatements } from "./iam";
export type { LineageAccess } from "./iam";

/** What an emitting area receives from the Lineage component. */
export interface LineageWiring {
    /** The LINEAGE_* variables of its functions; empty when lineage is off. */
    readonly environment: Readonly<Record<string, pulumi.Input<string>>>;
    /** What its roles may touch; resolves to undefined when lineage is off. */
    readonly access: pulumi.Output<LineageAccess | undefined>;
    /** The Spark job's `--lineage-uri`; undefined when lineage is off. */
    readonly sparkUri?: pulumi.Output<string>;
    readonly namespace: string;
    /** Where the metric filters count failed emissions (`Platform/<prefix>/Lineage`); undefined when lineage is off. */
    readonly failureNamespace?: string;
}

/**
 * Counts the failed emissions a function only logs (`LineageEmitFailures` in the line) into the
 * lineage failure metric, which the Lineage component alarms on. Nothing when lineage is off.
 */
export function countLineageFailures(parent: pulumi.Resource, name: string, logGroupName: pulumi.Input<string>, lineage: LineageWiring | undefined): void {
    if (lineage?.failureNamespace === undefined) {
        return;
    }
    new aws.cloudwatch.LogMetricFilter(
        name,
        { logGroupName, pattern: lineageFailureFilterPattern, metricTransformation: { name: lineageFailureMetricName, namespace: lineage.failureNamespace, value: "1", defaultValue: "0", unit: "Count" } },
        { parent },
    );
}

/** A role policy with the lineage grants of `lineage` appended (none when it is absent or off); `spark` for the Spark job's role. */
export function policyWithLineage(policy: pulumi.Input<PolicyDocument>, lineage: LineageWiring | undefined, kind: "function" | "spark" = "function"): pulumi.Output<PolicyDocument> {
    return pulumi.all([policy, lineage?.access]).apply(([document, access]) => withLineageStatements(document as PolicyDocument, access, kind));
}

export interface LineageArgs {
    /** The stack's shared settings; the lake key encrypts the events and the endpoint's API key secret. */
    readonly context: PlatformContext;
    /** On or off, the prefix, the namespace and the optional endpoint, from the stack config. */
    readonly lineage: LineageConfig;
    /** The bucket that holds the lineage prefix: the raw zone, which every source already writes. */
    readonly rawBucket: aws.s3.Bucket;
    /** The endpoint's API key when the stack creates its secret (the `lineageApiKey` config secret). */
    readonly apiKey?: pulumi.Output<string>;
}

/**
 * Where the stages' OpenLineage events go, handed to every emitting area: the LINEAGE_* variables
 * of their functions, the Spark job's `--lineage-uri`, and what their roles may touch
 * (`lineageStatements`). With `lineageApiKey` it creates the endpoint's API key secret (lake key).
 * Switched off, it hands out nothing, so no function emits and no role gains a grant.
 */
export class Lineage extends pulumi.ComponentResource implements LineageWiring {
    readonly enabled: boolean;
    /** The LINEAGE_* variables of an emitting function; empty when lineage is off. */
    readonly environment: Readonly<Record<string, pulumi.Input<string>>>;
    /** What an emitting role may touch; resolves to undefined when lineage is off. */
    readonly access: pulumi.Output<LineageAccess | undefined>;
    /** `s3://<raw bucket>/<prefix>` for the Spark job; undefined when lineage is off. */
    readonly sparkUri?: pulumi.Output<string>;
    readonly namespace: string;
    /** The endpoint's API key secret, when the stack created it. */
    readonly apiKeySecret?: aws.secretsmanager.Secret;
    readonly failureNamespace?: string;
    /** Failed emissions counted from the logs of the functions that only log them (none when lineage is off). */
    readonly alarms: readonly RegisteredAlarm[];

    constructor(name: string, args: LineageArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:lineage:Lineage", name, {}, opts);
        const { context, lineage } = args;
        this.enabled = lineage.enabled;
        this.namespace = lineage.namespace;
        if (!lineage.enabled) {
            this.environment = {};
            this.access = pulumi.output(undefined);
            this.alarms = [];
            this.registerOutputs({ enabled: false });
            return;
        }
        const apiKey = lineage.http?.apiKey;
        let apiKeySecretArn: pulumi.Output<string> | undefined;
        if (apiKey?.kind === "existing") {
            apiKeySecretArn = pulumi.output(apiKey.secretArn);
        } else if (apiKey?.kind === "create") {
            if (args.apiKey === undefined) {
                throw new pulumi.ResourceError(`lineage: the config asks the stack to create the API key secret (${apiKey.configKey}) but no key value was passed as args.apiKey`, this);
            }
            this.apiKeySecret = new aws.secretsmanager.Secret(
                `${name}-api-key`,
                { name: apiKeySecretName(contextPrefix(context)), description: "API key of the OpenLineage endpoint the stages post their run events to", kmsKeyId: context.keys.lake },
                { parent: this },
            );
            new aws.secretsmanager.SecretVersion(
                `${name}-api-key`,
                { secretId: this.apiKeySecret.id, secretString: pulumi.secret(args.apiKey.apply((key) => JSON.stringify({ apiKey: key }))) },
                { parent: this },
            );
            apiKeySecretArn = this.apiKeySecret.arn;
        }
        this.environment = lineageEnvironment({
            bucket: args.rawBucket.bucket,
            prefix: lineage.prefix,
            namespace: lineage.namespace,
            sseKmsKeyArn: context.keys.lake,
            ...(lineage.http ? { httpEndpoint: lineage.http.endpoint } : {}),
            ...(apiKeySecretArn ? { apiKeySecretArn } : {}),
        });
        this.access = pulumi.all([args.rawBucket.arn, context.keys.lake, apiKeySecretArn]).apply(
            ([bucketArn, lakeKeyArn, secretArn]): LineageAccess => ({ bucketArn, prefix: lineage.prefix, lakeKeyArn, region: context.region, ...(secretArn ? { apiKeySecretArn: secretArn } : {}) }),
        );
        this.sparkUri = args.rawBucket.bucket.apply((bucket) => lineageUri(bucket, lineage.prefix));
        this.failureNamespace = lineageMetricNamespace(contextPrefix(context));
        this.alarms = context.alarms.registerAlarms(this, lineageAlarms(name, this.failureNamespace));
        this.registerOutputs({ enabled: true, prefix: lineage.prefix, namespace: lineage.namespace, sparkUri: this.sparkUri });
    }
}
