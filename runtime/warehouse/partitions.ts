import type { GlueClient } from "@aws-sdk/client-glue";
import type { S3Client } from "@aws-sdk/client-s3";
import { aggregateTableName } from "../datasets/schema";
import { DatasetDefinition } from "../datasets/types";
import { WarehouseError } from "./errors";
import { childPrefix, parseS3Uri } from "./manifest";

/**
 * Registers the curated zone's date partitions in the Glue Data Catalog, for the dataset's table
 * and its daily aggregate tables. Athena finds them through partition projection; Redshift
 * Spectrum reads only registered partitions, so without this the `lake` schema would show empty
 * tables. Idempotent: a partition that already exists is left as it is.
 */

const datePrefix = /\/dt=(\d{4}-\d{2}-\d{2})\/$/;

/** The `dt=` folders under a table's location. */
export async function listDatePartitions(s3: Pick<S3Client, "send">, tableUri: string): Promise<string[]> {
    const s3Sdk = require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3"); // lazily: runtime/common/telemetry.ts says why
    const { bucket, key } = parseS3Uri(tableUri.endsWith("/") ? tableUri : `${tableUri}/`);
    const dates: string[] = [];
    let token: string | undefined;
    do {
        const page = await s3.send(new s3Sdk.ListObjectsV2Command({ Bucket: bucket, Prefix: key, Delimiter: "/", ContinuationToken: token }));
        for (const prefix of page.CommonPrefixes ?? []) {
            const match = datePrefix.exec(`/${prefix.Prefix ?? ""}`);
            if (match) {
                dates.push(match[1] as string);
            }
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return dates.sort();
}

export interface PartitionRegistration {
    readonly table: string;
    readonly dates: number;
    readonly created: number;
}

/** Adds the missing `dt` partitions of one Glue table, with the table's own storage descriptor. */
export async function registerDatePartitions(glue: Pick<GlueClient, "send">, database: string, table: string, dates: readonly string[]): Promise<PartitionRegistration> {
    if (dates.length === 0) {
        return { table, dates: 0, created: 0 };
    }
    const glueSdk = require("@aws-sdk/client-glue") as typeof import("@aws-sdk/client-glue"); // lazily: runtime/common/telemetry.ts says why
    const described = await glue.send(new glueSdk.GetTableCommand({ DatabaseName: database, Name: table }));
    const descriptor = described.Table?.StorageDescriptor;
    if (!descriptor?.Location) {
        throw new WarehouseError(`Glue table ${database}.${table} has no storage location; declare it with the platform's catalog (infra/catalog) before loading`);
    }
    const location = descriptor.Location.endsWith("/") ? descriptor.Location : `${descriptor.Location}/`;
    let created = 0;
    // BatchCreatePartition takes at most 100 partitions per call.
    for (let i = 0; i < dates.length; i += 100) {
        const chunk = dates.slice(i, i + 100);
        const result = await glue.send(
            new glueSdk.BatchCreatePartitionCommand({
                DatabaseName: database,
                TableName: table,
                PartitionInputList: chunk.map((dt) => ({ Values: [dt], StorageDescriptor: { ...descriptor, Location: `${location}dt=${dt}/` } })),
            }),
        );
        const failures = result.Errors ?? [];
        const unexpected = failures.filter((e) => e.ErrorDetail?.ErrorCode !== "AlreadyExistsException");
        if (unexpected.length > 0) {
            const first = unexpected[0];
            throw new WarehouseError(
                `registering ${unexpected.length} partition(s) of ${database}.${table} failed, first dt=${first?.PartitionValues?.join(",")}: ${first?.ErrorDetail?.ErrorCode}: ${first?.ErrorDetail?.ErrorMessage}`,
            );
        }
        created += chunk.length - failures.length;
    }
    return { table, dates: dates.length, created };
}

/** Registers the date partitions of a dataset's curated table and of each of its daily aggregates. */
export async function registerCuratedPartitions(
    deps: { readonly s3: Pick<S3Client, "send">; readonly glue: Pick<GlueClient, "send"> },
    options: { readonly dataset: DatasetDefinition; readonly curatedUri: string; readonly database: string },
): Promise<PartitionRegistration[]> {
    const tables = [options.dataset.name, ...options.dataset.aggregates.map((aggregate) => aggregateTableName(options.dataset, aggregate))];
    const results: PartitionRegistration[] = [];
    for (const table of tables) {
        const dates = await listDatePartitions(deps.s3, childPrefix(options.curatedUri, table));
        results.push(await registerDatePartitions(deps.glue, options.database, table, dates));
    }
    return results;
}
