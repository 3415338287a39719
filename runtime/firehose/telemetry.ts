import { describeError } from "../common/errors";
import { addLambdaContext, createLogger, createMetrics, metricUnits } from "../common/telemetry";
import { ingestMetricNames } from "../ingest/telemetry";
import { FirehoseTransformation } from "./transform";

/**
 * How the transformation function reports each invocation: one summary log line, the reasons of
 * its failed records (without payloads, which go to the error prefix), and EMF metrics named as
 * the ingest function's (`RecordsIn`, `RecordsLanded`, `RecordsRejected`, `RecordsRejectedByType`),
 * with `engine` = `firehose`, so the rejects-rate alarm reads the same way on both paths.
 */
export interface FirehoseTelemetry {
    setContext(context: unknown): void;
    batchTransformed(transformation: FirehoseTransformation, details: { readonly invocationId: string; readonly durationMs: number }): void;
    batchErrored(error: unknown, durationMs: number): void;
}

/** The `engine` dimension of the transformation function's metrics. */
export const firehoseMetricsEngine = "firehose";

/** Reject reasons per log line: a CloudWatch Logs event holds at most 256 KB. */
const rejectsPerLogLine = 100;

export interface FirehoseTelemetryOptions {
    readonly namespace: string;
    readonly serviceName: string;
    readonly dataset: string;
}

/** Telemetry through Powertools Logger and Metrics (loaded inside, so the handler stays serializable). */
export function createFirehoseTelemetry(options: FirehoseTelemetryOptions): FirehoseTelemetry {
    const logger = createLogger({ serviceName: options.serviceName, persistentKeys: { dataset: options.dataset, engine: firehoseMetricsEngine } });
    const metrics = createMetrics({ namespace: options.namespace, serviceName: options.serviceName, dimensions: { dataset: options.dataset, engine: firehoseMetricsEngine }, logger });
    const names = ingestMetricNames;
    return {
        setContext: (context) => addLambdaContext(logger, context),
        batchTransformed: (t, details) => {
            logger.info("firehose records transformed", { invocationId: details.invocationId, accounting: t.counts, rejectedByType: t.rejectedByType, durationMs: details.durationMs });
            for (let start = 0; start < t.rejects.length; start += rejectsPerLogLine) {
                logger.info("records failed validation; Firehose writes them to the error output prefix", { invocationId: details.invocationId, rejects: t.rejects.slice(start, start + rejectsPerLogLine) });
            }
            metrics.addMetric(names.recordsIn, metricUnits.count, t.counts.in);
            metrics.addMetric(names.recordsLanded, metricUnits.count, t.counts.ok);
            metrics.addMetric(names.recordsRejected, metricUnits.count, t.counts.failed);
            metrics.addMetric(names.batchDuration, metricUnits.milliseconds, details.durationMs);
            metrics.publishStoredMetrics();
            for (const [errorType, count] of Object.entries(t.rejectedByType)) {
                const single = metrics.singleMetric();
                single.addDimension("errorType", errorType);
                single.addMetric(names.recordsRejectedByType, metricUnits.count, count ?? 0);
            }
        },
        batchErrored: (error, durationMs) => {
            logger.error("firehose event could not be transformed; Firehose retries the invocation, then writes its records to the error output prefix", { error: describeError(error), durationMs });
            metrics.addMetric(names.batchFailures, metricUnits.count, 1);
            metrics.publishStoredMetrics();
        },
    };
}
