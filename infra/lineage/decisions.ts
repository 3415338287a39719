import * as pulumi from "@pulumi/pulumi";
import { lineageEnvironmentVariables } from "../../runtime/lineage/settings";
import { AlarmSpec, anyOccurrence } from "../observability/alarms";

/** The settings an emitting function receives. */
export interface LineageFunctionSettings {
    readonly bucket: pulumi.Input<string>;
    readonly prefix: string;
    readonly namespace: string;
    readonly sseKmsKeyArn: pulumi.Input<string>;
    readonly httpEndpoint?: string;
    readonly apiKeySecretArn?: pulumi.Input<string>;
}

/**
 * The LINEAGE_* variables of an emitting function (runtime/lineage/settings.ts reads them). Which
 * variables exist is decided from plain config; the bucket, key and secret may be outputs.
 */
export function lineageEnvironment(settings: LineageFunctionSettings): Record<string, pulumi.Input<string>> {
    const names = lineageEnvironmentVariables;
    return {
        [names.bucket]: settings.bucket,
        [names.prefix]: settings.prefix,
        [names.namespace]: settings.namespace,
        [names.sseKmsKeyArn]: settings.sseKmsKeyArn,
        ...(settings.httpEndpoint !== undefined ? { [names.httpEndpoint]: settings.httpEndpoint } : {}),
        ...(settings.apiKeySecretArn !== undefined ? { [names.apiKeySecretArn]: settings.apiKeySecretArn } : {}),
    };
}

/** `s3://<bucket>/<prefix>`: where the Spark job writes its events (`transform_job.py --lineage-uri`). */
export function lineageUri(bucket: string, prefix: string): string {
    return `s3://${bucket}/${prefix}`;
}

/** The Secrets Manager name of the endpoint's API key when the stack creates it: `<prefix>/lineage-api-key`. */
export function apiKeySecretName(prefix: string): string {
    return `${prefix}/lineage-api-key`;
}

/** What counts a failed emission where a function only logs it (the API connectors, the warehouse load): its log line names this metric. */
export const lineageFailureMetricName = "LineageEmitFailures";

/** The metric filter pattern of those lines: the metric's name as a term, whatever the log format wraps it in. */
export const lineageFailureFilterPattern = `"${lineageFailureMetricName}"`;

/** `Platform/<project>-<stack>/Lineage`: where the metric filters count failed emissions. */
export function lineageMetricNamespace(prefix: string): string {
    return `Platform/${prefix}/Lineage`;
}

/**
 * The lineage alarm: any failed emission counted from the connectors' and the load's logs. A stage
 * is never failed by lineage, so nothing else would show that the lake prefix or the endpoint
 * stopped receiving events (a missing grant, a wrong key, an endpoint down).
 */
export function lineageAlarms(name: string, namespace: string): AlarmSpec[] {
    return [
        {
            ...anyOccurrence,
            name: `${name}-emit-failures`,
            stage: "audit",
            description: "Lineage events could not be delivered (the connectors' or the warehouse load's log line LineageEmitFailures): the stage ran, but its run is missing from the lineage prefix or the endpoint. The log line names the transport and the error.",
            namespace,
            metricName: lineageFailureMetricName,
            dimensions: {},
            statistic: "Sum",
        },
    ];
}
