import type * as pulumi from "@pulumi/pulumi";
import { connectorMetricNames, connectorMetricsNamespace, connectorServiceName } from "../../runtime/connectors/api/telemetry";
import { AlarmSpec, anyOccurrence } from "../observability/alarms";

/** AWS names of one source's connector. */
export function connectorNames(prefix: string, source: string): { readonly functionName: string; readonly failureQueueName: string; readonly deadLetterQueueName: string; readonly scheduleName: string } {
    return {
        functionName: `${prefix}-connector-${source}`,
        failureQueueName: `${prefix}-connector-${source}-failed`,
        deadLetterQueueName: `${prefix}-connector-${source}-schedule-failed`,
        scheduleName: `${prefix}-connector-${source}`,
    };
}

/** A source is stale after this many schedule periods without a successful run. */
export const stalePeriods = 3;

/**
 * The staleness alarm's window: `stalePeriods` periods of the schedule, each an alarm period,
 * within CloudWatch's limit of one day for period × evaluation periods (a daily schedule is then
 * judged on one day). Periods are whole minutes. Undefined for a one-time schedule.
 */
export function stalenessWindow(schedulePeriodSeconds: number | undefined): { readonly periodSeconds: number; readonly evaluationPeriods: number } | undefined {
    if (schedulePeriodSeconds === undefined) {
        return undefined;
    }
    const periodSeconds = Math.min(86_400, Math.max(60, Math.round(schedulePeriodSeconds / 60) * 60));
    return { periodSeconds, evaluationPeriods: Math.max(1, Math.min(stalePeriods, Math.floor(86_400 / periodSeconds))) };
}

export interface ConnectorAlarmTargets {
    /** Pulumi name prefix of the alarms. */
    readonly base: string;
    readonly source: string;
    readonly dataset: string;
    readonly functionName: pulumi.Input<string>;
    /** The function's failed-invocation queue: its AWS name for the text, its live name for the metric. */
    readonly failureQueueName: string;
    readonly failureQueue: pulumi.Input<string>;
    readonly schedulePeriodSeconds: number | undefined;
}

/**
 * A connector's alarms: failed runs (the function's Errors; the window stays claimed and the next
 * run repeats it) and staleness (no successful run, from the connector's own `SuccessfulRuns`
 * metric, over `stalePeriods` schedule periods; missing data counts as breaching, since a run that
 * never starts reports nothing). The schedule's dead-letter alarm comes with the schedule.
 */
export function connectorAlarms(t: ConnectorAlarmTargets): AlarmSpec[] {
    const alarms: AlarmSpec[] = [
        {
            ...anyOccurrence,
            name: `${t.base}-errors`,
            stage: "ingest",
            description: `The ${t.source} API connector (${t.dataset}) failed a run; the claimed window is repeated by the next run. Read the function's logs for the API or S3 error.`,
            namespace: "AWS/Lambda",
            metricName: "Errors",
            dimensions: { FunctionName: t.functionName },
            statistic: "Sum",
        },
    ];
    alarms.push({
        ...anyOccurrence,
        name: `${t.base}-failed-invocations`,
        stage: "ingest",
        description: `Invocations of the ${t.source} API connector failed after Lambda's retries; they are in ${t.failureQueueName}. The next scheduled run repeats the window; fix the cause shown in the function's logs.`,
        namespace: "AWS/SQS",
        metricName: "ApproximateNumberOfMessagesVisible",
        dimensions: { QueueName: t.failureQueue },
        statistic: "Maximum",
    });
    const window = stalenessWindow(t.schedulePeriodSeconds);
    if (window) {
        alarms.push({
            name: `${t.base}-stale`,
            stage: "ingest",
            description: `No successful run of the ${t.source} API connector for ${window.evaluationPeriods} schedule period(s): ${t.dataset} is going stale. Check the schedule's dead-letter queue, the function's errors and the API.`,
            namespace: connectorMetricsNamespace,
            metricName: connectorMetricNames.successfulRuns,
            dimensions: { service: connectorServiceName(t.source), source: t.source },
            statistic: "Sum",
            comparisonOperator: "LessThanThreshold",
            threshold: 1,
            periodSeconds: window.periodSeconds,
            evaluationPeriods: window.evaluationPeriods,
            treatMissingData: "breaching",
        });
    }
    return alarms;
}
