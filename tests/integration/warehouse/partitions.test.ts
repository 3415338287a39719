import * as assert from "assert";
import { CreateDatabaseCommand, CreateTableCommand, GetPartitionsCommand, GlueClient } from "@aws-sdk/client-glue";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { orders } from "../../../runtime/datasets";
import { aggregateTableName } from "../../../runtime/datasets/schema";
import { registerCuratedPartitions } from "../../../runtime/warehouse/partitions";
import { aggregateTables, curatedTable, storageFormat } from "../../../infra/catalog/decisions";
import { motoEndpoint as endpoint } from "./services";
import { recordAs } from "../../helpers/iam/recorder";
const clientConfig = { region: "us-east-1", endpoint, credentials: { accessKeyId: "test", secretAccessKey: "test" } };

/** The curated date partitions land in the Glue catalog (moto), with the tables' own storage descriptors. */
describe("registering curated partitions for Spectrum (moto S3 and Glue)", () => {
    const s3 = new S3Client({ ...clientConfig, forcePathStyle: true });
    const glue = new GlueClient(clientConfig);
    const stamp = Date.now().toString(36);
    const bucket = `curated-${stamp}`;
    const database = `curated_${stamp}`;
    const aggregate = aggregateTableName(orders, orders.aggregates[0]!);

    /** The load function registers the partitions with its role. */
    const loadRegisters = <T>(fn: () => Promise<T>) => recordAs({ component: "load", dataset: orders.name, buckets: { [bucket]: "curated" }, glueDatabases: [database] }, fn);

    before(async () => {
        await s3.send(new CreateBucketCommand({ Bucket: bucket }));
        const keys = [
            "orders/dt=2024-05-01/part-0.parquet",
            "orders/dt=2024-05-02/part-0.parquet",
            "orders/_SUCCESS",
            "orders/.spark-staging-1/x",
            `${aggregate}/dt=2024-05-02/part-0.parquet`,
        ];
        for (const key of keys) {
            await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: "x" }));
        }
        await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: database } }));
        for (const spec of [curatedTable(orders, bucket), ...aggregateTables(orders, bucket)]) {
            const formats = storageFormat("parquet");
            await glue.send(
                new CreateTableCommand({
                    DatabaseName: database,
                    TableInput: {
                        Name: spec.name,
                        TableType: "EXTERNAL_TABLE",
                        PartitionKeys: spec.partitionKeys.map((c) => ({ Name: c.name, Type: c.type })),
                        StorageDescriptor: {
                            Location: spec.location,
                            InputFormat: formats.inputFormat,
                            OutputFormat: formats.outputFormat,
                            SerdeInfo: { SerializationLibrary: formats.serializationLibrary },
                            Columns: spec.columns.map((c) => ({ Name: c.name, Type: c.type })),
                        },
                    },
                }),
            );
        }
    });

    it("adds one partition per dt folder of the table and of each aggregate, at the folder's location", async () => {
        const result = await loadRegisters(() => registerCuratedPartitions({ s3, glue }, { dataset: orders, curatedUri: `s3://${bucket}`, database }));
        assert.deepStrictEqual(result, [
            { table: "orders", dates: 2, created: 2 },
            { table: aggregate, dates: 1, created: 1 },
        ]);
        const partitions = await glue.send(new GetPartitionsCommand({ DatabaseName: database, TableName: "orders" }));
        const found = (partitions.Partitions ?? []).map((p) => [p.Values?.[0], p.StorageDescriptor?.Location, p.StorageDescriptor?.SerdeInfo?.SerializationLibrary]).sort();
        assert.deepStrictEqual(found, [
            ["2024-05-01", `s3://${bucket}/orders/dt=2024-05-01/`, "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"],
            ["2024-05-02", `s3://${bucket}/orders/dt=2024-05-02/`, "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"],
        ]);
    });

    it("is idempotent: a second run creates nothing and keeps the partitions", async () => {
        const again = await loadRegisters(() => registerCuratedPartitions({ s3, glue }, { dataset: orders, curatedUri: `s3://${bucket}`, database }));
        assert.deepStrictEqual(again.map((r) => r.created), [0, 0]);
        const partitions = await glue.send(new GetPartitionsCommand({ DatabaseName: database, TableName: "orders" }));
        assert.strictEqual(partitions.Partitions?.length, 2);
    });

    it("fails, naming the table, when date folders exist for a table the catalog does not have", async () => {
        await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "payments/dt=2024-05-01/part-0.parquet", Body: "x" }));
        await assert.rejects(
            registerCuratedPartitions({ s3, glue }, { dataset: { ...orders, name: "payments", aggregates: [] }, curatedUri: `s3://${bucket}`, database }),
            /payments/,
        );
    });
});
