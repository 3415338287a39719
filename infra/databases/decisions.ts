import * as pulumi from "@pulumi/pulumi";
import { CapturedTableConfig, DatabaseSourceConfig } from "../config/databaseSources";
import { AlarmSpec, anyOccurrence } from "../observability/alarms";
import { changeSeqTransformationRule, dmsS3Settings } from "../../runtime/cdc/dms";

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
    return environment === "prod" ? { min: 2, max: 16, multiAz: true } : { min: 1, max: 4, multiAz: false };
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
