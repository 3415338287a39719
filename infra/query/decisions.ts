import { DatasetDefinition } from "../../runtime/datasets";
import { rawPartitionColumns } from "../../runtime/datasets/schema";
import { arrivalsColumns, arrivalsTableName, lineageColumns, lineageTableName, QueryAudience, rejectErrorTypes, rejectsColumns, rejectsTableName } from "../../runtime/queries";
import { QueryConfig } from "../config";
import { datePartitionProjection, TableSpec } from "../catalog/decisions";
import { BucketLifecycleRule } from "../shared/bucket";
import { identifierPrefix, namePrefix } from "../shared/options";

export const audiences: readonly QueryAudience[] = ["analysts", "pipeline"];

/** Bytes in the config's GB: Athena's limit is in bytes, the console's GB are 1024^3 bytes. */
export const bytesPerGb = 1024 ** 3;

/** Athena's own floor for a per-query scan limit (10 MB). */
export const minimumScanLimitBytes = 10 * 1024 ** 2;

/** `<project>-<stack>-<audience>`: the Athena workgroup of one audience. */
export function workgroupName(project: string, stack: string, audience: QueryAudience): string {
    return `${namePrefix(project, stack)}-${audience}`;
}

/** The results bucket: fixed so the lake's access-log bucket can admit its logs; the account keeps it globally unique. */
export function resultsBucketName(project: string, stack: string, accountId: string): string {
    return `${namePrefix(project, stack)}-athena-results-${accountId}`;
}

/** The operations database (rejects and arrivals tables): `<project>_<stack>_operations`. */
export function operationsDatabaseName(project: string, stack: string): string {
    return `${identifierPrefix(project, stack)}_operations`;
}

/** The per-query scan limit of an audience, in bytes. */
export function scanLimitBytes(query: QueryConfig, audience: QueryAudience): number {
    const gb = audience === "analysts" ? query.analystsScanLimitGb : query.pipelineScanLimitGb;
    return Math.max(minimumScanLimitBytes, gb * bytesPerGb);
}

/**
 * A workgroup's configuration: engine version 3, its settings enforced over the client's (so no
 * client can lift the scan limit or write results elsewhere), results under `<audience>/` in the
 * results bucket encrypted with the lake key, CloudWatch metrics on.
 */
export function workgroupConfiguration(query: QueryConfig, audience: QueryAudience, resultsBucket: string, lakeKeyArn: string, accountId: string) {
    return {
        enforceWorkgroupConfiguration: true,
        publishCloudwatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: scanLimitBytes(query, audience),
        requesterPaysEnabled: false,
        engineVersion: { selectedEngineVersion: "Athena engine version 3" },
        resultConfiguration: {
            outputLocation: `s3://${resultsBucket}/${audience}/`,
            expectedBucketOwner: accountId,
            encryptionConfiguration: { encryptionOption: "SSE_KMS", kmsKeyArn: lakeKeyArn },
        },
    };
}

/** Results expire after the configured days; nothing else is kept there. */
export function resultsLifecycleRules(query: QueryConfig): BucketLifecycleRule[] {
    return [
        {
            id: "athena-results-expiry",
            status: "Enabled",
            filter: { prefix: "" },
            expiration: { days: query.resultsExpirationDays },
            noncurrentVersionExpiration: { noncurrentDays: 1 },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
        },
    ];
}

const jsonParameters = { classification: "json", compressionType: "gzip", "projection.enabled": "true" };

const dateProjection = {
    "projection.dt.type": "date",
    "projection.dt.format": "yyyy-MM-dd",
    "projection.dt.range": "2024-01-01,NOW",
    "projection.dt.interval": "1",
    "projection.dt.interval.unit": "DAYS",
    "projection.hour.type": "integer",
    "projection.hour.range": "0,23",
    "projection.hour.digits": "2",
};

/**
 * The rejects table of a dataset, over `<dataset>/error_type=/dt=/hour=` in the rejects zone, with
 * partition projection over the error types, dates and hours. Rejects whose stream time was
 * unknown sit under `dt=unknown`, which projection does not list; the rejects zone keeps them.
 */
export function rejectsTable(dataset: DatasetDefinition, bucket: string): TableSpec {
    const location = `s3://${bucket}/${dataset.name}/`;
    return {
        name: rejectsTableName(dataset),
        description: `Rejected ${dataset.name} records with the rule they broke and their source coordinates (rejects zone)`,
        location,
        columns: rejectsColumns,
        partitionKeys: [{ name: "error_type", type: "string", comment: "Why the record was rejected" }, ...rawPartitionColumns],
        format: "json",
        parameters: {
            ...jsonParameters,
            "projection.error_type.type": "enum",
            "projection.error_type.values": rejectErrorTypes.join(","),
            ...dateProjection,
            "storage.location.template": `${location}error_type=\${error_type}/dt=\${dt}/hour=\${hour}/`,
        },
    };
}

/** The arrivals table of a dataset: the raw zone's files read for their key, event time and `_ingest` metadata only. */
export function arrivalsTable(dataset: DatasetDefinition, bucket: string): TableSpec {
    const location = `s3://${bucket}/${dataset.name}/`;
    return {
        name: arrivalsTableName(dataset),
        description: `When each ${dataset.name} record arrived, against its event time (raw zone)`,
        location,
        columns: arrivalsColumns(dataset),
        partitionKeys: rawPartitionColumns,
        format: "json",
        parameters: { ...jsonParameters, ...dateProjection, "storage.location.template": `${location}dt=\${dt}/hour=\${hour}/` },
    };
}

/**
 * The lineage table: the OpenLineage run events every stage writes under `<prefix>/dt=<date>/` of
 * the raw bucket (plain NDJSON, one object per emission), with partition projection on `dt`.
 */
export function lineageTable(bucket: string, prefix: string): TableSpec {
    const location = `s3://${bucket}/${prefix}/`;
    return {
        name: lineageTableName,
        description: "OpenLineage run events of every stage (START, COMPLETE, FAIL, OTHER), with their jobs, runs, inputs and outputs (raw zone, lineage prefix)",
        location,
        columns: lineageColumns,
        partitionKeys: [{ name: "dt", type: "string", comment: "Event date (UTC), yyyy-MM-dd" }],
        format: "json",
        parameters: { classification: "json", ...datePartitionProjection(location) },
    };
}
