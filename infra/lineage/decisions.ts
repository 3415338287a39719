import * as pulumi from "@pulumi/pulumi";
import { lineageEnvironmentVariables } from "../../runtime/lineage/settings";

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
