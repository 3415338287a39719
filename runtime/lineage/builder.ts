import { createHash } from "crypto";
import { DatasetDefinition } from "../datasets/types";
import { LineageInputError } from "./errors";
import { defaultProducer, facetSchemaUrls, runEventSchemaUrl } from "./spec";
import {
    DataQualityAssertionsFacet,
    DataQualityMetricsFacet,
    DatasetRef,
    ErrorMessageFacet,
    InputDataset,
    JobRef,
    OutputDataset,
    OutputStatisticsFacet,
    ParentRunFacet,
    RunEvent,
    RunEventType,
    RunFacets,
    SchemaDatasetFacet,
} from "./types";

/**
 * Builds OpenLineage RunEvents: typed, plain-data events with the platform's producer and the
 * schemaURL of the targeted spec version (`spec.ts`). No npm OpenLineage client is maintained, so
 * events are built here and proven against the official schema in the tests.
 */

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * A name-based UUID (RFC 9562 version 5: SHA-1 of a namespace and a name) for runs that must be
 * idempotent: a replayed window or retried load yields the same run id, so it updates its run
 * instead of starting a second one. The parts are joined with a separator no part may contain.
 */
export function deterministicRunId(...parts: readonly string[]): string {
    if (parts.length === 0) {
        throw new LineageInputError("runId", "deterministicRunId: expected at least one part naming the run (stage, dataset, window...); found none");
    }
    parts.forEach((part, index) => {
        if (part.length === 0 || part.includes("\u001f")) {
            throw new LineageInputError("runId", `deterministicRunId: part ${index} must be non-empty text without U+001F; found ${JSON.stringify(part)}`);
        }
    });
    // The platform's fixed namespace UUID for run ids (random, chosen once).
    const namespace = Buffer.from("5f0c2a4e9b7d4c1e8a3f6d2b7e9c1a04", "hex");
    const digest = createHash("sha1").update(namespace).update(parts.join("\u001f")).digest();
    const bytes = digest.subarray(0, 16);
    bytes[6] = ((bytes[6] as number) & 0x0f) | 0x50;
    bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
    const hex = bytes.toString("hex");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Dataset identifiers following OpenLineage's dataset naming conventions. */
export const datasetNames = {
    /** An S3 prefix: namespace `s3://<bucket>`, name the prefix without leading or trailing `/`. */
    s3(bucket: string, prefix: string): DatasetRef {
        requireText("dataset.namespace", bucket, "an S3 bucket name");
        const name = prefix.replace(/^\/+|\/+$/g, "");
        requireText("dataset.name", name, "an S3 key prefix such as orders");
        return { namespace: `s3://${bucket}`, name };
    },
    /** A Kafka topic: namespace `kafka://<first bootstrap host>:<port>`, name the topic. */
    kafka(bootstrapServers: string, topic: string): DatasetRef {
        const first = bootstrapServers.split(",")[0]?.trim() ?? "";
        if (!/^[^\s:/]+:[0-9]+$/.test(first)) {
            throw new LineageInputError("dataset.namespace", `Kafka dataset: expected bootstrap servers as host:port[,host:port...]; found ${JSON.stringify(bootstrapServers)}`);
        }
        requireText("dataset.name", topic, "a Kafka topic name");
        return { namespace: `kafka://${first}`, name: topic };
    },
    /**
     * A Kinesis data stream. OpenLineage's naming table has no Kinesis row; like its AWS Glue row,
     * the namespace is the ARN prefix of the service in its region and account and the name the
     * rest of the stream's ARN.
     */
    kinesis(region: string, account: string, stream: string, partition = "aws"): DatasetRef {
        requireText("dataset.namespace", region, "an AWS region such as eu-west-1");
        requireText("dataset.namespace", account, "a 12-digit AWS account id");
        requireText("dataset.name", stream, "a Kinesis stream name");
        return { namespace: `arn:${partition}:kinesis:${region}:${account}`, name: `stream/${stream}` };
    },
    /** An HTTP API: namespace `<scheme>://<host>[:port]`, name the path (`/` for the root). */
    http(url: string): DatasetRef {
        let parsed: URL;
        try {
            parsed = new URL(url);
        } catch (error) {
            throw new LineageInputError("dataset.namespace", `HTTP dataset: expected an absolute URL such as https://api.example.com/v1/rates; found ${JSON.stringify(url)}`, { cause: error });
        }
        return { namespace: `${parsed.protocol}//${parsed.host}`, name: parsed.pathname || "/" };
    },
    /**
     * A table of an operational database: namespace `postgres://<host>:<port>` or
     * `mysql://<host>:<port>`, name `<database>.<schema>.<table>` (MySQL: `<database>.<table>`,
     * its schema being the database), as OpenLineage names them.
     */
    database(kind: "postgres" | "mysql", host: string, port: number, database: string, schema: string, table: string): DatasetRef {
        requireText("dataset.namespace", host, "the database host");
        return { namespace: `${kind}://${host}:${port}`, name: kind === "mysql" ? `${schema}.${table}` : `${database}.${schema}.${table}` };
    },
    /** A Redshift table: namespace `redshift://<cluster or workgroup>.<region>:<port>`, name `<database>.<schema>.<table>`. */
    redshift(identifier: string, region: string, database: string, schema: string, table: string, port = 5439): DatasetRef {
        requireText("dataset.namespace", identifier, "a Redshift cluster identifier or Serverless workgroup name");
        requireText("dataset.namespace", region, "an AWS region");
        return { namespace: `redshift://${identifier}.${region}:${port}`, name: `${database}.${schema}.${table}` };
    },
};

function requireText(field: string, value: string, expected: string): void {
    if (typeof value !== "string" || value.trim().length === 0) {
        throw new LineageInputError(field, `${field}: expected ${expected}; found ${JSON.stringify(value)}`);
    }
}

/** The facets of one event, all stamped with the same producer. */
export function createFacets(producer: string = defaultProducer) {
    const base = (schemaURL: string) => ({ _producer: producer, _schemaURL: schemaURL });
    return {
        /** The fields of a dataset definition, as OpenLineage's schema facet (arrays of structs as `array<struct<...>>`). */
        schema(dataset: DatasetDefinition): SchemaDatasetFacet {
            return {
                ...base(facetSchemaUrls.schema),
                fields: dataset.fields.map((field) => ({
                    name: field.name,
                    type: field.type === "array" ? `array<struct<${field.items.map((item) => `${item.name}:${item.type}`).join(",")}>>` : field.type,
                    description: field.description,
                })),
            };
        },
        outputStatistics(rowCount: number, size?: number): OutputStatisticsFacet {
            checkCount("outputStatistics.rowCount", rowCount);
            if (size !== undefined) {
                checkCount("outputStatistics.size", size);
            }
            return { ...base(facetSchemaUrls.outputStatistics), rowCount, ...(size !== undefined ? { size } : {}) };
        },
        dataQualityMetrics(metrics: Omit<DataQualityMetricsFacet, "_producer" | "_schemaURL">): DataQualityMetricsFacet {
            return { ...base(facetSchemaUrls.dataQualityMetrics), ...metrics };
        },
        dataQualityAssertions(assertions: DataQualityAssertionsFacet["assertions"]): DataQualityAssertionsFacet {
            return { ...base(facetSchemaUrls.dataQualityAssertions), assertions };
        },
        errorMessage(error: unknown): ErrorMessageFacet {
            const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
            const stack = error instanceof Error && typeof error.stack === "string" ? error.stack : undefined;
            return { ...base(facetSchemaUrls.errorMessage), message, programmingLanguage: "TypeScript", ...(stack ? { stackTrace: stack } : {}) };
        },
        parent(parentRunId: string, parentJob: JobRef): ParentRunFacet {
            checkRunId("run.facets.parent.run.runId", parentRunId);
            return { ...base(facetSchemaUrls.parent), run: { runId: parentRunId }, job: { namespace: parentJob.namespace, name: parentJob.name } };
        },
    };
}

function checkCount(field: string, value: number): void {
    if (!Number.isSafeInteger(value) || value < 0) {
        throw new LineageInputError(field, `${field}: expected a whole number ≥ 0; found ${value}`);
    }
}

function checkRunId(field: string, runId: string): void {
    if (!uuidPattern.test(runId)) {
        throw new LineageInputError(field, `${field}: expected a lower-case UUID such as 0b7d2c4e-...; found ${JSON.stringify(runId)}. Fix: use deterministicRunId(...) or crypto.randomUUID()`);
    }
}

export interface RunEventInput {
    readonly eventType: RunEventType;
    /** Defaults to now. */
    readonly eventTime?: Date;
    readonly runId: string;
    readonly job: JobRef;
    readonly inputs?: readonly InputDataset[];
    readonly outputs?: readonly OutputDataset[];
    readonly runFacets?: RunFacets;
    /** Defaults to `defaultProducer`. */
    readonly producer?: string;
}

/** One RunEvent. Throws a `LineageInputError` naming the field when the run id, job or a FAIL without error facet is wrong. */
export function buildRunEvent(input: RunEventInput): RunEvent {
    checkRunId("run.runId", input.runId);
    requireText("job.namespace", input.job.namespace, "the job namespace (the platform's lineage namespace)");
    requireText("job.name", input.job.name, "the job name such as ingest.orders");
    const eventTime = input.eventTime ?? new Date();
    if (Number.isNaN(eventTime.getTime())) {
        throw new LineageInputError("eventTime", "eventTime: expected a valid Date; found Invalid Date");
    }
    const facets = input.runFacets && Object.keys(input.runFacets).length > 0 ? input.runFacets : undefined;
    return {
        eventType: input.eventType,
        eventTime: eventTime.toISOString(),
        run: facets ? { runId: input.runId, facets } : { runId: input.runId },
        job: { namespace: input.job.namespace, name: input.job.name },
        inputs: input.inputs ?? [],
        outputs: input.outputs ?? [],
        producer: input.producer ?? defaultProducer,
        schemaURL: runEventSchemaUrl,
    };
}
