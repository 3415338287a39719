import { Environment, getStringFromEnv } from "../common/env";
import { DatasetDefinition } from "../datasets/types";
import { ingestEnvironmentVariables, readDatasetFromEnv, readMaxRecordBytes } from "../ingest/settings";
import { defaultMetricsNamespace } from "../ingest/telemetry";
import { compileValidator } from "../ingest/validate";
import { createFirehoseTelemetry, FirehoseTelemetry } from "./telemetry";
import { FirehoseTransformPipeline, transformFirehoseEvent } from "./transform";
import { FirehoseTransformationEvent, FirehoseTransformationResponse } from "./types";

/**
 * The Firehose data-transformation handler factory. `infra/firehose` deploys it with
 * `aws.lambda.CallbackFunction({ callbackFactory: createFirehoseTransformHandler, ... })`; the
 * factory runs once per cold start (reads DATASET, MAX_RECORD_BYTES, METRICS_NAMESPACE and
 * POWERTOOLS_SERVICE_NAME, compiles the validator, creates Powertools), and the handler makes no
 * AWS calls: Firehose itself writes what it returns.
 */

export interface FirehoseHandlerOptions {
    /** Datasets DATASET is looked up in. Defaults to the platform's. */
    readonly datasets?: readonly DatasetDefinition[];
    /** Environment to read settings from. Defaults to `process.env` when the factory runs. */
    readonly env?: Environment;
    /** Where logs and metrics go. Defaults to Powertools Logger and Metrics. */
    readonly telemetry?: FirehoseTelemetry;
}

export type FirehoseTransformHandler = (event: FirehoseTransformationEvent, context?: unknown) => Promise<FirehoseTransformationResponse>;

export function createFirehoseTransformHandlerWith(options: FirehoseHandlerOptions): FirehoseTransformHandler {
    const env = options.env ?? process.env;
    const dataset = readDatasetFromEnv(env, options.datasets);
    const pipeline: FirehoseTransformPipeline = { validator: compileValidator(dataset), maxRecordBytes: readMaxRecordBytes(env) };
    const names = ingestEnvironmentVariables;
    const telemetry =
        options.telemetry ??
        createFirehoseTelemetry({
            namespace: getStringFromEnv({ key: names.metricsNamespace, env, defaultValue: defaultMetricsNamespace }),
            serviceName: getStringFromEnv({ key: names.serviceName, env, defaultValue: "firehose-transform" }),
            dataset: dataset.name,
        });
    return async (event, context) => {
        const started = Date.now();
        telemetry.setContext(context);
        try {
            const transformation = transformFirehoseEvent(event, pipeline);
            telemetry.batchTransformed(transformation, { invocationId: String((event as { invocationId?: unknown })?.invocationId ?? ""), durationMs: Date.now() - started });
            return transformation.response;
        } catch (error) {
            telemetry.batchErrored(error, Date.now() - started);
            throw error;
        }
    };
}

/** Zero-argument factory for `CallbackFunction.callbackFactory`. */
export function createFirehoseTransformHandler(): FirehoseTransformHandler {
    return createFirehoseTransformHandlerWith({});
}
