import { describeError } from "../../common/errors";
import { addLambdaContext, createLogger, createMetrics, metricUnits } from "../../common/telemetry";
import { ConnectorRunSummary, ConnectorTelemetry } from "./run";

/** CloudWatch namespace of the connectors' EMF metrics. */
export const connectorMetricsNamespace = "DataPlatform/Connectors";

/** Metric names (dimensions `service` and `source`). Counts unless noted. */
export const connectorMetricNames = {
    recordsIn: "RecordsIn",
    recordsLanded: "RecordsLanded",
    recordsRejected: "RecordsRejected",
    pages: "Pages",
    apiErrors: "ApiErrors",
    /** Milliseconds per successful page request. */
    requestLatency: "RequestLatency",
    /** 1 per run that completed its window (or found nothing to do); the staleness alarm watches it. */
    successfulRuns: "SuccessfulRuns",
    /** 1 per run that found another run owning the checkpoint. */
    checkpointConflicts: "CheckpointConflicts",
} as const;

/** The Powertools service name of a source's connector (also the `service` dimension its alarms read). */
export function connectorServiceName(source: string): string {
    return `api-connector-${source}`;
}

export interface PowertoolsConnectorTelemetry extends ConnectorTelemetry {
    setContext(context: unknown): void;
    runFailed(error: unknown): void;
}

/** Logs (JSON lines) and EMF metrics through Powertools, created when the handler factory runs. */
export function createConnectorTelemetry(options: { readonly source: string; readonly dataset: string; readonly namespace?: string }): PowertoolsConnectorTelemetry {
    const serviceName = connectorServiceName(options.source);
    const logger = createLogger({ serviceName, persistentKeys: { source: options.source, dataset: options.dataset } });
    const metrics = createMetrics({ namespace: options.namespace ?? connectorMetricsNamespace, serviceName, dimensions: { source: options.source }, logger });
    const names = connectorMetricNames;
    return {
        setContext: (context) => addLambdaContext(logger, context),
        pageFetched: (page) => {
            logger.debug("page fetched", page);
            metrics.addMetric(names.pages, metricUnits.count, 1);
            metrics.addMetric(names.requestLatency, metricUnits.milliseconds, page.latencyMs);
        },
        apiError: (problem) => {
            logger.warn("API request failed; retrying", problem);
            metrics.addMetric(names.apiErrors, metricUnits.count, 1);
        },
        runFinished: (summary: ConnectorRunSummary) => {
            if (summary.outcome === "conflict") {
                logger.warn("another run owns the checkpoint; this run stops without advancing it", { ...summary });
            } else {
                logger.info("connector run finished", { ...summary });
            }
            metrics.addMetric(names.recordsIn, metricUnits.count, summary.recordsIn);
            metrics.addMetric(names.recordsLanded, metricUnits.count, summary.recordsLanded);
            metrics.addMetric(names.recordsRejected, metricUnits.count, summary.recordsRejected);
            metrics.addMetric(names.successfulRuns, metricUnits.count, summary.outcome === "conflict" ? 0 : 1);
            metrics.addMetric(names.checkpointConflicts, metricUnits.count, summary.outcome === "conflict" ? 1 : 0);
            metrics.publishStoredMetrics();
        },
        runFailed: (error) => {
            logger.error("connector run failed; the window stays claimed and the next run repeats it", { error: describeError(error) });
            metrics.publishStoredMetrics();
        },
    };
}
