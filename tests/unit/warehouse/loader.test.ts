import * as assert from "assert";
import { ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import { orders } from "../../../runtime/datasets";
import { BatchOutcome, LoaderConfig, loadCurated, planLoad, ResultRow, StatementRunner } from "../../../runtime/warehouse";

/** An in-memory S3 that pages listings two keys at a time and stores put objects. */
class MemoryS3 {
    readonly objects = new Map<string, { body: string; etag: string }>();
    readonly puts: { bucket: string; key: string; body: string; contentType?: string }[] = [];

    constructor(keys: Record<string, string>) {
        for (const [key, etag] of Object.entries(keys)) {
            this.objects.set(key, { body: "x".repeat(etag.length), etag });
        }
    }

    async send(command: unknown): Promise<unknown> {
        if (command instanceof ListObjectsV2Command) {
            const { Prefix = "", ContinuationToken } = command.input;
            const keys = [...this.objects.keys()].filter((key) => key.startsWith(`curated-bucket/${Prefix}`)).map((key) => key.slice("curated-bucket/".length)).sort();
            const start = ContinuationToken ? Number(ContinuationToken) : 0;
            const page = keys.slice(start, start + 2);
            return {
                Contents: page.map((key) => ({ Key: key, ETag: `"${this.objects.get(`curated-bucket/${key}`)?.etag}"`, Size: 100 })),
                IsTruncated: start + 2 < keys.length,
                NextContinuationToken: start + 2 < keys.length ? String(start + 2) : undefined,
            };
        }
        if (command instanceof PutObjectCommand) {
            const { Bucket, Key, Body, ContentType } = command.input;
            this.puts.push({ bucket: Bucket as string, key: Key as string, body: String(Body), contentType: ContentType });
            return {};
        }
        throw new Error(`unexpected S3 command ${(command as object).constructor.name}`);
    }
}

/** Records statements; answers the ledger query with the given rows. */
class RecordingRunner implements StatementRunner {
    readonly batches: { sqls: readonly string[]; purpose: string }[] = [];
    readonly queries: { sql: string; purpose: string }[] = [];

    constructor(private readonly ledger: ResultRow[]) {}

    async executeBatch(sqls: readonly string[], purpose: string): Promise<BatchOutcome> {
        this.batches.push({ sqls, purpose });
        return { statementId: `stmt-${this.batches.length}`, subStatements: [] };
    }

    async query(sql: string, purpose: string): Promise<ResultRow[]> {
        this.queries.push({ sql, purpose });
        return this.ledger;
    }
}

const config: LoaderConfig = {
    dataset: orders,
    schema: "analytics",
    curatedUri: "s3://curated-bucket/curated",
    manifestUri: "s3://curated-bucket/curated/_manifests",
    dialect: { engine: "redshift", copyRoleArn: "arn:aws:iam::123456789012:role/copy" },
};
const clock = () => new Date("2024-05-02T03:00:00Z");

describe("warehouse/loader", () => {
    it("plans the listed data files minus the ledger, across listing pages", async () => {
        const s3 = new MemoryS3({
            "curated-bucket/curated/orders/_SUCCESS": "0",
            "curated-bucket/curated/orders/dt=2024-05-01/part-0.parquet": "a1",
            "curated-bucket/curated/orders/dt=2024-05-01/part-1.parquet": "b1",
            "curated-bucket/curated/orders/dt=2024-05-02/part-0.parquet": "c1",
            "curated-bucket/curated/orders_daily_sales_by_region/dt=2024-05-01/part-0.parquet": "d1",
        });
        const runner = new RecordingRunner([{ file_uri: "s3://curated-bucket/curated/orders/dt=2024-05-01/part-0.parquet", etag: "a1" }]);

        const plan = await planLoad({ s3, warehouse: runner, clock }, config);

        assert.strictEqual(plan.listed.length, 3);
        assert.strictEqual(plan.alreadyLoaded, 1);
        assert.deepStrictEqual(
            plan.batches.map((batch) => ({ files: batch.files.map((file) => file.uri), manifest: batch.manifestUri, at: batch.loadedAt.toISOString() })),
            [
                {
                    files: ["s3://curated-bucket/curated/orders/dt=2024-05-01/part-1.parquet", "s3://curated-bucket/curated/orders/dt=2024-05-02/part-0.parquet"],
                    manifest: `s3://curated-bucket/curated/_manifests/orders/${plan.batches[0].batchId}.manifest.json`,
                    at: "2024-05-02T03:00:00.000Z",
                },
            ],
        );
        assert.deepStrictEqual(runner.queries, [
            {
                sql: 'SELECT "file_uri", "etag" FROM "analytics"."load_ledger" WHERE LEFT("file_uri", 35) = \'s3://curated-bucket/curated/orders/\' ORDER BY "file_uri", "etag"',
                purpose: "orders: read load ledger",
            },
        ]);
    });

    it("creates tables, writes one manifest and runs one transaction per batch", async () => {
        const s3 = new MemoryS3({
            "curated-bucket/curated/orders/dt=2024-05-01/part-0.parquet": "a1",
            "curated-bucket/curated/orders/dt=2024-05-01/part-1.parquet": "b1",
            "curated-bucket/curated/orders/dt=2024-05-02/part-0.parquet": "c1",
        });
        const runner = new RecordingRunner([]);

        const result = await loadCurated({ s3, warehouse: runner, clock }, { ...config, batchLimits: { maxFiles: 2 } });

        assert.deepStrictEqual(
            runner.batches.map((batch) => batch.purpose),
            ["orders: create tables", `orders: load batch ${result.batches[0].batchId}`, `orders: load batch ${result.batches[1].batchId}`],
        );
        assert.deepStrictEqual(
            s3.puts.map((put) => [put.bucket, put.key, put.contentType]),
            result.batches.map((batch) => ["curated-bucket", `curated/_manifests/orders/${batch.batchId}.manifest.json`, "application/json"]),
        );
        assert.deepStrictEqual(JSON.parse(s3.puts[1].body), {
            entries: [{ url: "s3://curated-bucket/curated/orders/dt=2024-05-02/part-0.parquet", mandatory: true, meta: { content_length: 100 } }],
        });
        assert.ok(runner.batches[1].sqls[2].startsWith(`COPY "stage_orders" FROM 's3://curated-bucket/curated/_manifests/orders/${result.batches[0].batchId}.manifest.json'`));
        assert.deepStrictEqual(
            { ...result, batches: result.batches.map((batch) => ({ files: batch.files, statementId: batch.statementId })) },
            { dataset: "orders", filesListed: 3, filesAlreadyLoaded: 0, filesLoaded: 3, batches: [{ files: 2, statementId: "stmt-2" }, { files: 1, statementId: "stmt-3" }] },
        );
    });

    it("writes and runs nothing when every file is in the ledger", async () => {
        const s3 = new MemoryS3({ "curated-bucket/curated/orders/dt=2024-05-01/part-0.parquet": "a1" });
        const runner = new RecordingRunner([{ file_uri: "s3://curated-bucket/curated/orders/dt=2024-05-01/part-0.parquet", etag: "a1" }]);

        const result = await loadCurated({ s3, warehouse: runner, clock }, { ...config, ensureTables: false });

        assert.deepStrictEqual(result, { dataset: "orders", filesListed: 1, filesAlreadyLoaded: 1, filesLoaded: 0, batches: [] });
        assert.deepStrictEqual(runner.batches, []);
        assert.deepStrictEqual(s3.puts, []);
    });
});
