import * as assert from "assert";
import { batchId, CuratedFile, filesToLoad, isCuratedDataKey, manifestDocument, parseS3Uri, planBatches } from "../../../runtime/warehouse";

const file = (name: string, etag = "e", size = 100): CuratedFile => ({ uri: `s3://curated/orders/${name}`, etag, size });

describe("warehouse/manifest", () => {
    describe("isCuratedDataKey", () => {
        const cases: [string, boolean][] = [
            ["curated/orders/dt=2024-05-01/part-00000-1f0e.c000.snappy.parquet", true],
            ["curated/orders/dt=2024-05-01/part-00001.parquet", true],
            ["curated/orders/_SUCCESS", false],
            ["curated/orders/dt=2024-05-01/_SUCCESS", false],
            ["curated/orders/_temporary/0/task/part-0.parquet", false],
            ["curated/orders/.spark-staging-7a/dt=2024-05-01/part-0.parquet", false],
            ["curated/orders/dt=2024-05-01/.part-0.parquet.crc", false],
            ["curated/orders/dt=2024-05-01/part-0.json", false],
            ["curated/orders_daily_sales_by_region/dt=2024-05-01/part-0.parquet", false],
            ["curated/orders//part-0.parquet", false],
        ];
        for (const [key, expected] of cases) {
            it(`${expected ? "takes" : "skips"} ${key}`, () => {
                assert.strictEqual(isCuratedDataKey(key, "curated/orders/"), expected);
            });
        }
    });

    it("parses S3 URIs and refuses anything else", () => {
        assert.deepStrictEqual(parseS3Uri("s3://etl-dev-curated/curated/orders/"), { bucket: "etl-dev-curated", key: "curated/orders/" });
        assert.deepStrictEqual(parseS3Uri("s3://etl-dev-curated"), { bucket: "etl-dev-curated", key: "" });
        assert.throws(() => parseS3Uri("https://etl-dev-curated.s3.amazonaws.com/x"), {
            name: "WarehouseConfigError",
            message: "'https://etl-dev-curated.s3.amazonaws.com/x' is not an S3 URI; expected s3://<bucket>/<key>",
        });
    });

    it("keeps only files whose URI and ETag are not both in the ledger", () => {
        const files = [file("a.parquet", "1"), file("b.parquet", "2"), file("c.parquet", "3")];
        const ledger = [
            { file_uri: "s3://curated/orders/a.parquet", etag: "1" },
            { file_uri: "s3://curated/orders/b.parquet", etag: "old" },
        ];
        assert.deepStrictEqual(filesToLoad(files, ledger), [file("b.parquet", "2"), file("c.parquet", "3")]);
    });

    it("writes a manifest of mandatory entries with content lengths", () => {
        assert.strictEqual(
            manifestDocument([file("dt=2024-05-01/a.parquet", "1", 4096), file("dt=2024-05-02/b.parquet", "2", 10)]),
            JSON.stringify(
                {
                    entries: [
                        { url: "s3://curated/orders/dt=2024-05-01/a.parquet", mandatory: true, meta: { content_length: 4096 } },
                        { url: "s3://curated/orders/dt=2024-05-02/b.parquet", mandatory: true, meta: { content_length: 10 } },
                    ],
                },
                null,
                2,
            ) + "\n",
        );
    });

    describe("planBatches", () => {
        const files = ["a", "b", "c", "d", "e"].map((name) => file(`${name}.parquet`));

        it("keeps everything in one batch within the limits", () => {
            assert.deepStrictEqual(planBatches(files), [files]);
        });

        it("splits by file count, keeping order", () => {
            assert.deepStrictEqual(planBatches(files, { maxFiles: 2 }), [files.slice(0, 2), files.slice(2, 4), files.slice(4)]);
        });

        it("splits by the characters the batch adds to its SQL", () => {
            // each file costs uri (30) + etag (1) + 8 = 39 characters
            assert.deepStrictEqual(planBatches(files, { maxChars: 80 }), [files.slice(0, 2), files.slice(2, 4), files.slice(4)]);
        });

        it("plans nothing for no files and refuses impossible limits", () => {
            assert.deepStrictEqual(planBatches([]), []);
            assert.throws(() => planBatches(files, { maxFiles: 0 }), { message: "maxFiles must be a positive integer; found 0" });
            assert.throws(() => planBatches(files, { maxChars: 10 }), { message: "file URI s3://curated/orders/a.parquet is longer than the per-batch SQL budget (10 characters)" });
        });
    });

    it("names a batch by dataset, load time and a digest of its files", () => {
        const at = new Date("2024-05-02T03:04:05.678Z");
        const id = batchId("orders", at, [file("a.parquet", "1")]);
        assert.match(id, /^orders-20240502T030405Z-[0-9a-f]{12}$/);
        assert.strictEqual(batchId("orders", at, [file("a.parquet", "1")]), id);
        assert.notStrictEqual(batchId("orders", at, [file("a.parquet", "2")]), id);
    });
});
