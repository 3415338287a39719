import type * as pulumi from "@pulumi/pulumi";
import { firehoseMetricsEngine } from "../../runtime/firehose/telemetry";
import { objectSuffix } from "../../runtime/ingest/layout";
import { defaultMetricsNamespace, ingestMetricNames } from "../../runtime/ingest/telemetry";
import { AlarmSpec, anyOccurrence, MetricRef } from "../observability/alarms";

/**
 * Firehose delivery decisions as pure functions: names, the S3 prefixes (the raw zone's layout
 * through dynamic partitioning, and the error prefix nearest the rejects zone's), the processor
 * settings and the alarms. Tested with tables in tests/unit/infra/firehose.test.ts.
 */

/** Physical names of one dataset's delivery: the stream, the transformation function, the delivery log group and stream. */
export interface FirehoseNames {
    readonly deliveryStreamName: string;
    readonly functionName: string;
    readonly serviceName: string;
    readonly deliveryLogGroupName: string;
    readonly deliveryLogStreamName: string;
}

export function firehoseNames(prefix: string, dataset: string): FirehoseNames {
    const deliveryStreamName = `${prefix}-deliver-${dataset}`;
    return {
        deliveryStreamName,
        functionName: `${prefix}-firehose-transform-${dataset}`,
        serviceName: `firehose-transform-${dataset}`,
        deliveryLogGroupName: `/aws/kinesisfirehose/${deliveryStreamName}`,
        deliveryLogStreamName: "DestinationDelivery",
    };
}

/**
 * The raw-zone prefix of a dataset's records: `<dataset>/dt=<dt>/hour=<hour>/`, with `dt` and
 * `hour` the partition keys the transformation function returns for each record (its event time,
 * as the Lambda path partitions). The same directories the ingest function writes to
 * (runtime/ingest/layout.ts `rawObjectKey`).
 */
export function rawPrefixTemplate(dataset: string): string {
    return `${dataset}/dt=!{partitionKeyFromLambda:dt}/hour=!{partitionKeyFromLambda:hour}/`;
}

/**
 * Where Firehose writes what it could not deliver, in the raw bucket (an error prefix cannot name
 * another bucket): `_firehose_errors/<dataset>/error_type=<processing-failed|...>/dt=/hour=/`.
 * Nearest to the rejects zone's `<dataset>/error_type=<type>/dt=/hour=/` that Firehose allows:
 * the error type is Firehose's (`!{firehose:error-output-type}`), not the validation rule (that is
 * in the transformation function's log), and dt/hour are the delivery attempt's time, because an
 * error prefix cannot use partition keys. The leading underscore keeps Spark and Glue, which skip
 * `_` paths, from reading them as raw data.
 */
export function errorPrefixTemplate(dataset: string): string {
    return `${firehoseErrorsRoot}/${dataset}/error_type=!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/hour=!{timestamp:HH}/`;
}

/** The raw bucket's top-level prefix of Firehose's failed records. */
export const firehoseErrorsRoot = "_firehose_errors";

/** Objects end like the ingest function's: gzip NDJSON. */
export const firehoseFileExtension = objectSuffix;

/**
 * The prefix a delivered object gets from `template` for a record's partition keys, as Firehose
 * evaluates `!{partitionKeyFromLambda:<key>}`; other expressions are refused, so a test of the
 * layout cannot pass by ignoring part of it.
 */
export function evaluatePrefix(template: string, partitionKeys: Readonly<Record<string, string>>): string {
    return template.replace(/!\{([^}:]+):([^}]+)\}/g, (expression: string, namespace: string, key: string) => {
        if (namespace !== "partitionKeyFromLambda") {
            throw new Error(`evaluatePrefix: ${expression} is not a partitionKeyFromLambda expression; only those depend on the record`);
        }
        const value = partitionKeys[key];
        if (value === undefined) {
            throw new Error(`evaluatePrefix: the record has no partition key "${key}" for ${expression}; found ${JSON.stringify(Object.keys(partitionKeys))}`);
        }
        return value;
    });
}

/**
 * The Lambda processor's settings beyond the function: Firehose's defaults (1 MiB or 60 s of
 * records per invocation, 3 retries) are kept, and left out because the provider does not store
 * default values (they would show as a change on every preview). 1 MiB of input stays far under
 * the 6 MB response limit although each line gains its `_ingest` metadata.
 */
export function transformProcessorParameters(functionArn: string): { parameterName: string; parameterValue: string }[] {
    // Qualified with $LATEST, as the provider asks, so the processor names one version.
    return [{ parameterName: "LambdaArn", parameterValue: `${functionArn}:$LATEST` }];
}

/** How long Firehose retries delivering a partition to S3 before it writes the records to the error prefix (the maximum). */
export const deliveryRetrySeconds = 7200;

/** What the alarms of one dataset's delivery watch. */
export interface FirehoseAlarmTargets {
    /** Pulumi name prefix of the alarms (`<component>-<dataset>`). */
    readonly base: string;
    readonly dataset: string;
    readonly deliveryStreamName: pulumi.Input<string>;
    readonly deliveryStreamAwsName: string;
    readonly functionName: pulumi.Input<string>;
    readonly functionAwsName: string;
    readonly serviceName: string;
    /** The configured buffer interval: delivery is late when the oldest record waits much longer. */
    readonly bufferIntervalSeconds: number;
}

/** Data freshness that means delivery is stuck: the buffer interval three times over (multi-stage buffering adds about half) plus 5 minutes of retries. */
export function freshnessThresholdSeconds(bufferIntervalSeconds: number): number {
    return bufferIntervalSeconds * 3 + 300;
}

/**
 * The alarms of one dataset's delivery: records wait too long to reach S3 (DataFreshness), S3
 * deliveries fail, transformation invocations fail or are throttled, the Kinesis source is read
 * too slowly or throttled, dynamic partitioning exceeds its active partition quota, and the share
 * of records the validation failed.
 */
export function firehoseAlarms(t: FirehoseAlarmTargets): AlarmSpec[] {
    const firehose = { namespace: "AWS/Firehose", dimensions: { DeliveryStreamName: t.deliveryStreamName } } as const;
    const lambda = { namespace: "AWS/Lambda", dimensions: { FunctionName: t.functionName } } as const;
    const own = (metricName: string): MetricRef => ({ namespace: defaultMetricsNamespace, metricName, dimensions: { service: t.serviceName, dataset: t.dataset, engine: firehoseMetricsEngine } });
    return [
        {
            ...firehose,
            name: `${t.base}-freshness`,
            stage: "ingest",
            description: `The oldest ${t.dataset} record in ${t.deliveryStreamAwsName} has waited more than ${freshnessThresholdSeconds(t.bufferIntervalSeconds)} s to reach S3: delivery is stuck or failing. Read the delivery stream's error log (${t.deliveryStreamAwsName}, DestinationDelivery).`,
            metricName: "DeliveryToS3.DataFreshness",
            statistic: "Maximum",
            comparisonOperator: "GreaterThanThreshold",
            threshold: freshnessThresholdSeconds(t.bufferIntervalSeconds),
            evaluationPeriods: 2,
        },
        {
            ...firehose,
            name: `${t.base}-s3-delivery`,
            stage: "lake",
            description: `Deliveries of ${t.dataset} to the raw bucket failed (S3 or KMS access); Firehose retries for ${deliveryRetrySeconds / 3600} hours, then writes the records under ${firehoseErrorsRoot}/. Check the delivery role's S3 and lake-key access.`,
            metricName: "DeliveryToS3.Success",
            statistic: "Minimum",
            comparisonOperator: "LessThanThreshold",
            threshold: 1,
        },
        {
            ...firehose,
            name: `${t.base}-processing`,
            stage: "ingest",
            description: `Invocations of ${t.functionAwsName} by ${t.deliveryStreamAwsName} failed; after 3 retries their records go to ${firehoseErrorsRoot}/${t.dataset}/error_type=processing-failed/. Read the function's logs.`,
            metricName: "ExecuteProcessing.Success",
            statistic: "Minimum",
            comparisonOperator: "LessThanThreshold",
            threshold: 1,
        },
        {
            ...lambda,
            ...anyOccurrence,
            name: `${t.base}-transform-errors`,
            stage: "ingest",
            description: `The ${t.dataset} transformation function raised errors (a malformed Firehose event or a crash); Firehose retries the invocation. Read the function's logs.`,
            metricName: "Errors",
            statistic: "Sum",
        },
        {
            ...lambda,
            ...anyOccurrence,
            name: `${t.base}-transform-throttles`,
            stage: "ingest",
            description: `The ${t.dataset} transformation function is throttled: raise ingestReservedConcurrency or the account limit.`,
            metricName: "Throttles",
            statistic: "Sum",
            evaluationPeriods: 2,
        },
        {
            ...firehose,
            ...anyOccurrence,
            name: `${t.base}-source-throttles`,
            stage: "ingest",
            description: `${t.deliveryStreamAwsName} is throttled reading the ${t.dataset} Kinesis stream (another consumer shares its read throughput); it falls behind.`,
            metricName: "ThrottledGetRecords",
            statistic: "Sum",
            evaluationPeriods: 2,
        },
        {
            ...firehose,
            name: `${t.base}-lag`,
            stage: "ingest",
            description: `${t.deliveryStreamAwsName} reads the ${t.dataset} stream more than 5 minutes behind: delivery is falling behind.`,
            metricName: "KinesisMillisBehindLatest",
            statistic: "Maximum",
            comparisonOperator: "GreaterThanThreshold",
            threshold: 300_000,
            evaluationPeriods: 3,
        },
        {
            ...firehose,
            ...anyOccurrence,
            name: `${t.base}-partitions`,
            stage: "ingest",
            description: `${t.deliveryStreamAwsName} has more active dt/hour partitions than its quota (late events spread over many hours); records beyond it go to the error prefix. Ask for a higher active partition quota.`,
            metricName: "PartitionCountExceeded",
            statistic: "Maximum",
        },
        {
            name: `${t.base}-rejects-rate`,
            stage: "ingest",
            description: `More than 5% of ${t.dataset} records failed validation in 15 minutes; they are under ${firehoseErrorsRoot}/${t.dataset}/error_type=processing-failed/ and their reasons in ${t.functionAwsName}'s log.`,
            ratio: { numerator: own(ingestMetricNames.recordsRejected), denominator: own(ingestMetricNames.recordsIn) },
            comparisonOperator: "GreaterThanThreshold",
            threshold: 5,
            periodSeconds: 900,
        },
    ];
}

/** Firehose reads Kinesis data streams only (here); the component refuses anything else before creating a resource. */
export function validateFirehoseSource(componentName: string, engine: "kinesis" | "msk"): void {
    if (engine !== "kinesis") {
        throw new Error(
            `FirehoseDelivery "${componentName}": streaming.engine: expected "kinesis" (a Firehose delivery stream reads a Kinesis data stream); found "${engine}". Fix: set platform:ingestDelivery lambda, or platform:streamingEngine kinesis`,
        );
    }
}
