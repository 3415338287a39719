import type * as pulumi from "@pulumi/pulumi";
import { defaultMetricsNamespace, ingestMetricNames } from "../../runtime/ingest/telemetry";
import { AlarmSpec, anyOccurrence, MetricRef } from "../observability/alarms";

/** What the alarms of one dataset's ingest function watch. */
export interface IngestAlarmTargets {
    /** Pulumi name of the function, the prefix of its alarms' names. */
    readonly base: string;
    readonly dataset: string;
    readonly engine: "kinesis" | "msk";
    /** The function's AWS name, for the text. */
    readonly functionAwsName: string;
    /** The function's live name, for the metric. */
    readonly functionName: pulumi.Input<string>;
    /** The on-failure queue: its AWS name for the text, its live name for the metric. */
    readonly queueName: string;
    readonly queue: pulumi.Input<string>;
    /** The Powertools service name the function's own metrics carry. */
    readonly serviceName: string;
}

/**
 * The alarms of one ingest function: errors, throttles, lag (iterator age on Kinesis, offset lag
 * on MSK), exhausted batches on the failure queue, the lake writes and key conflicts its own
 * metrics report, and the share of records rejected.
 */
export function ingestAlarms(t: IngestAlarmTargets): AlarmSpec[] {
    const lambda = { namespace: "AWS/Lambda", dimensions: { FunctionName: t.functionName } } as const;
    const own = (metricName: string): MetricRef => ({
        namespace: defaultMetricsNamespace,
        metricName,
        dimensions: { service: t.serviceName, dataset: t.dataset, engine: t.engine === "kinesis" ? "kinesis" : "kafka" },
    });
    const lag: AlarmSpec =
        t.engine === "kinesis"
            ? {
                  ...lambda,
                  name: `${t.base}-lag`,
                  stage: "ingest",
                  description: `Records of ${t.dataset} wait more than 5 minutes in the stream: ingest is falling behind.`,
                  metricName: "IteratorAge",
                  statistic: "Maximum",
                  comparisonOperator: "GreaterThanThreshold",
                  threshold: 300_000,
                  evaluationPeriods: 3,
              }
            : {
                  ...lambda,
                  name: `${t.base}-lag`,
                  stage: "ingest",
                  description: `The ${t.dataset} consumer group is more than 100,000 records behind: ingest is falling behind.`,
                  metricName: "OffsetLag",
                  statistic: "Maximum",
                  comparisonOperator: "GreaterThanThreshold",
                  threshold: 100_000,
                  evaluationPeriods: 3,
              };
    return [
        {
            ...lambda,
            ...anyOccurrence,
            name: `${t.base}-errors`,
            stage: "ingest",
            description: `The ${t.dataset} ingest function failed batches; they are retried and then sent to ${t.queueName}. Read the function's logs.`,
            metricName: "Errors",
            statistic: "Sum",
        },
        {
            ...lambda,
            ...anyOccurrence,
            name: `${t.base}-throttles`,
            stage: "ingest",
            description: `The ${t.dataset} ingest function is throttled: raise ingestReservedConcurrency or the account limit.`,
            metricName: "Throttles",
            statistic: "Sum",
            evaluationPeriods: 2,
        },
        lag,
        {
            ...anyOccurrence,
            name: `${t.base}-failed-batches`,
            stage: "ingest",
            description: `Batches of ${t.dataset} exhausted their retries; their coordinates are in ${t.queueName}. Fix the cause, then replay them with the batch job.`,
            namespace: "AWS/SQS",
            metricName: "ApproximateNumberOfMessagesVisible",
            dimensions: { QueueName: t.queue },
            statistic: "Maximum",
        },
        {
            ...own(ingestMetricNames.objectWriteFailures),
            ...anyOccurrence,
            name: `${t.base}-lake-writes`,
            stage: "lake",
            description: `Writes of ${t.dataset} objects to the raw or rejects zone failed (S3 errors or timeouts); the batches are retried. Check S3 and KMS access of ${t.functionAwsName}.`,
            statistic: "Sum",
            evaluationPeriods: 2,
        },
        {
            ...own(ingestMetricNames.objectKeyConflicts),
            ...anyOccurrence,
            name: `${t.base}-lake-key-conflicts`,
            stage: "lake",
            description: `A ${t.dataset} batch came back with other boundaries and found its object key taken by different content; it landed under a suffixed key, and downstream de-duplication by key applies. Look for changed event source mapping settings.`,
            statistic: "Sum",
        },
        {
            name: `${t.base}-rejects-rate`,
            stage: "ingest",
            description: `More than 5% of ${t.dataset} records were rejected in 15 minutes. Look at the rejects zone by error_type.`,
            ratio: { numerator: own(ingestMetricNames.recordsRejected), denominator: own(ingestMetricNames.recordsIn) },
            comparisonOperator: "GreaterThanThreshold",
            threshold: 5,
            periodSeconds: 900,
        },
    ];
}

/** The Kafka connection an engine needs: MSK functions run in the VPC to reach the brokers, Kinesis ones do not. */
export function validateIngestSource(componentName: string, engine: "kinesis" | "msk", hasKafkaConnection: boolean): void {
    if (engine === "msk" && !hasKafkaConnection) {
        throw new Error(
            `Ingest "${componentName}": streaming.kafka: expected the MSK connection (client security group and subnets) when engine is "msk"; found none. Fix: pass the Streaming component, or its kafka connection`,
        );
    }
    if (engine === "kinesis" && hasKafkaConnection) {
        throw new Error(`Ingest "${componentName}": streaming.kafka: expected no Kafka connection when engine is "kinesis"; found one. Fix: remove kafka, or set engine "msk"`);
    }
}
