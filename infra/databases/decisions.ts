import * as pulumi from "@pulumi/pulumi";
import { CapturedTableConfig, DatabaseSourceConfig } from "../config/databaseSources";
import { AlarmSpec, anyOccurrence } from "../observability/alarms";
import { changeSeqTransformationRule, dmsS3Settings } from "../../runtime/cdc/dms";
import { cdcMetricNames, defaultCdcMetricsNamespace } from "../../runtime/cdc/handler";

/** Raw-bucket folder DMS writes its change files to (`<folder>/<schema>/<table>/`); the landing step reads it. */
export const dmsBucketFolder = "_dms";

/** DMS engine names for the configured engines (Aurora MySQL is `aurora` in DMS). */
export function dmsEngineName(engine: DatabaseSourceConfig["engine"]): string {
    return { postgres: "postgres", mysql: "mysql", "aurora-postgresql": "aurora-postgresql", "aurora-mysql": "aurora" }[engine];
}

/**
 * Table mappings: one selection rule per captured table, and the transformation that adds the
 * change-sequence column every change file carries (runtime/cdc/dms.ts).
 */
export function tableMappings(tables: readonly CapturedTableConfig[]): string {
    const rules: Record<string, unknown>[] = [];
    tables.forEach((table, index) => {
        rules.push({
            "rule-type": "selection",
            "rule-id": String(index * 2 + 1),
            "rule-name": `include-${table.schema}-${table.table}`,
            "object-locator": { "schema-name": table.schema, "table-name": table.table },
            "rule-action": "include",
        });
        rules.push(changeSeqTransformationRule(String(index * 2 + 2), table.schema, table.table));
    });
    return JSON.stringify({ rules });
}

/** The S3 target's settings: the change-file format of runtime/cdc/dms.ts, under the DMS folder. */
export function s3TargetSettings() {
    return {
        ...dmsS3Settings,
        bucketFolder: dmsBucketFolder,
        encryptionMode: "SSE_KMS",
        // Full-load rows carry the task's start time, the same for every row of one load.
        useTaskStartTimeForFullLoadTimestamp: true,
    };
}

/** DCU range of the serverless replication: prod keeps headroom for a full reload, dev stays small. */
export function capacityUnits(environment: string): { min: number; max: number; multiAz: boolean } {
    return environment === "prod" ? { min: 1, max: 16, multiAz: true } : { min: 1, max: 4, multiAz: false };
}

/**
 * Alarms as data: replication failed or stopped (an EventBridge rule on DMS's state-change events,
 * counted by its invocation metric) and source/target CDC latency above 10 minutes for 15 minutes.
 * Table errors surface as a failed replication (DMS suspends the table and raises the event).
 */
export function replicationAlarms(name: string, replicationConfigId: pulumi.Input<string>, stateRuleName: pulumi.Input<string>): AlarmSpec[] {
    const latency = (metricName: "CDCLatencySource" | "CDCLatencyTarget", what: string): AlarmSpec => ({
        name: `${name}-${metricName === "CDCLatencySource" ? "source" : "target"}-latency`,
        stage: "ingest",
        description: `Change data capture is more than 10 minutes behind ${what} for 15 minutes. Check the source's log retention and the replication's capacity (DCU) in the DMS console.`,
        namespace: "AWS/DMS",
        metricName,
        dimensions: { ReplicationConfigId: replicationConfigId },
        statistic: "Average",
        comparisonOperator: "GreaterThanThreshold",
        threshold: 600,
        periodSeconds: 300,
        evaluationPeriods: 3,
    });
    return [
        {
            name: `${name}-replication-failed`,
            stage: "ingest",
            description: "The database replication failed, stopped or suspended a table (table error). Changes are retained at the source while the slot or binlog position is kept; see the replication's table statistics and logs, fix the cause and resume it.",
            namespace: "AWS/Events",
            metricName: "TriggeredRules",
            dimensions: { RuleName: stateRuleName },
            statistic: "Sum",
            ...anyOccurrence,
        },
        latency("CDCLatencySource", "the source database"),
        latency("CDCLatencyTarget", "the lake"),
    ];
}

/** Names of the change-file landing's resources. */
export function landingNames(prefix: string): { functionName: string; queueName: string; ruleName: string; serviceName: string } {
    return { functionName: `${prefix}-cdc-landing`, queueName: `${prefix}-cdc-landing-failed`, ruleName: `${prefix}-cdc-change-files`, serviceName: "cdc-landing" };
}

/**
 * The EventBridge pattern of the landing: S3 "Object Created" events of the raw bucket for CSV
 * change files under the DMS folder. The landing writes NDJSON under `<dataset>/`, outside the
 * folder, so its own writes never trigger it.
 */
export function changeFilePattern(bucket: string): Record<string, unknown> {
    return { source: ["aws.s3"], "detail-type": ["Object Created"], detail: { bucket: { name: [bucket] }, object: { key: [{ wildcard: `${dmsBucketFolder}/*.csv` }] } } };
}

/** Sizing of the landing function: change files are at most DMS's `CdcMaxBatchInterval`/`CdcMinFileSize` worth of rows, and full-load files up to `MaxFileSize`. */
export function landingSizing(environment: string): { memoryMb: number; timeoutSeconds: number; reservedConcurrency: number } {
    return environment === "prod" ? { memoryMb: 1024, timeoutSeconds: 300, reservedConcurrency: 10 } : { memoryMb: 512, timeoutSeconds: 300, reservedConcurrency: 2 };
}

/** What the landing's alarms watch. */
export interface LandingAlarmTargets {
    readonly base: string;
    readonly functionName: pulumi.Input<string>;
    readonly queue: pulumi.Input<string>;
    readonly queueName: string;
    readonly serviceName: string;
    readonly tables: readonly string[];
}

/** Alarms of the landing: function errors, events in the dead-letter queue, and per table a high share of rejected rows. */
export function landingAlarms(t: LandingAlarmTargets): AlarmSpec[] {
    const own = (table: string, metricName: string) => ({ namespace: defaultCdcMetricsNamespace, metricName, dimensions: { service: t.serviceName, table } });
    return [
        {
            ...anyOccurrence,
            name: `${t.base}-errors`,
            stage: "ingest",
            description: `The change-file landing function failed; EventBridge retries the event, then it goes to ${t.queueName}. Read the function's logs.`,
            namespace: "AWS/Lambda",
            dimensions: { FunctionName: t.functionName },
            metricName: "Errors",
            statistic: "Sum",
        },
        {
            ...anyOccurrence,
            name: `${t.base}-failed-files`,
            stage: "ingest",
            description: `Change-file events exhausted their retries and wait in ${t.queueName}. Fix the cause, then send each event to the function again (landing is idempotent).`,
            namespace: "AWS/SQS",
            metricName: "ApproximateNumberOfMessagesVisible",
            dimensions: { QueueName: t.queue },
            statistic: "Maximum",
        },
        ...t.tables.map(
            (table): AlarmSpec => ({
                name: `${t.base}-${table.replace(/[^a-z0-9]+/g, "-")}-rejects-rate`,
                stage: "ingest",
                description: `More than 5% of the captured rows of ${table} were rejected in an hour. Look at the rejects zone by error_type and source file; a changed source column type stops the apply.`,
                ratio: { numerator: own(table, cdcMetricNames.rowsRejected), denominator: own(table, cdcMetricNames.rowsIn) },
                comparisonOperator: "GreaterThanThreshold",
                threshold: 5,
                periodSeconds: 3600,
            }),
        ),
    ];
}
