import * as assert from "assert";
import { DatasetDefinition, orders } from "../../../runtime/datasets";
import {
    LoadBatch,
    ledgerQuerySql,
    ledgerTableDdl,
    loadBatchStatements,
    quoteIdentifier,
    quoteLiteral,
    spectrumSchemaSql,
    targetTableDdl,
    warehouseSetupStatements,
    WarehouseConfigError,
} from "../../../runtime/warehouse";

const redshift = { engine: "redshift" as const, copyRoleArn: "arn:aws:iam::123456789012:role/etl-dev-redshift-copy" };
const postgres = { engine: "postgres" as const, stageSourceTable: "fixtures.curated_files" };

const columns =
    '"order_id", "customer_id", "store_id", "region", "channel", "status", "currency", "amount", "line_items", "coupon_code", "event_time", "shipped_time", "store_name", "country", "opened_date", "customer_segment", "customer_country", "amount_usd"';

/** The provenance columns every curated file ends with (runtime/datasets/provenance.ts), then what the stage holds. */
const provenance = '"_raw_object", "_source_engine", "_source_name", "_source_partition", "_source_position", "_source_object", "_source_object_version", "_source_line"';
const staged = `${columns}, ${provenance}`;
const provenanceTieBreak = provenance.split(", ").map((column) => `${column} DESC NULLS LAST`).join(", ");

const batch: LoadBatch = {
    batchId: "orders-20240502T030000Z-0123456789ab",
    manifestUri: "s3://etl-dev-curated/curated/_manifests/orders/orders-20240502T030000Z-0123456789ab.manifest.json",
    files: [
        { uri: "s3://etl-dev-curated/curated/orders/dt=2024-05-01/part-00000-a.snappy.parquet", etag: "9b2cf535f27731c974343645a3985328", size: 4096 },
        { uri: "s3://etl-dev-curated/curated/orders/dt=2024-05-02/part-00000-b.snappy.parquet", etag: "d41d8cd98f00b204e9800998ecf8427e", size: 2048 },
    ],
    loadedAt: new Date("2024-05-02T03:00:00Z"),
};

/** A dataset with no arrays, EVEN distribution and a compound key, to exercise the other branches. */
const payments: DatasetDefinition = {
    ...orders,
    conversions: [],
    name: "payments",
    fields: [
        { name: "payment_id", type: "string", description: "id", required: true },
        { name: "attempt", type: "int", description: "attempt", required: true },
        { name: "paid_at", type: "timestamp", description: "when", required: true },
        { name: "total", type: "double", description: "amount" },
    ],
    key: ["payment_id", "attempt"],
    eventTimeField: "paid_at",
    crossFieldRules: [],
    quality: [],
    aggregates: [],
    enrichments: [],
    warehouse: { distStyle: "EVEN", sortKeys: [] },
};

describe("warehouse SQL generation", () => {
    describe("target table DDL", () => {
        it("declares the curated columns in Parquet order with dist and sort keys on Redshift", () => {
            assert.strictEqual(
                targetTableDdl(orders, "analytics", redshift),
                [
                    'CREATE TABLE IF NOT EXISTS "analytics"."orders" (',
                    '    "order_id" VARCHAR(256) NOT NULL,',
                    '    "customer_id" VARCHAR(256) NOT NULL,',
                    '    "store_id" VARCHAR(256) NOT NULL,',
                    '    "region" VARCHAR(256) NOT NULL,',
                    '    "channel" VARCHAR(256) NOT NULL,',
                    '    "status" VARCHAR(256) NOT NULL,',
                    '    "currency" VARCHAR(256) NOT NULL,',
                    '    "amount" DECIMAL(12,2) NOT NULL,',
                    '    "line_items" SUPER NOT NULL,',
                    '    "coupon_code" VARCHAR(20),',
                    '    "event_time" TIMESTAMPTZ NOT NULL,',
                    '    "shipped_time" TIMESTAMPTZ,',
                    '    "store_name" VARCHAR(256),',
                    '    "country" VARCHAR(2),',
                    '    "opened_date" DATE,',
                    '    "customer_segment" VARCHAR(256),',
                    '    "customer_country" VARCHAR(256),',
                    '    "amount_usd" DECIMAL(14,2),',
                    '    "_raw_object" VARCHAR(1024),',
                    '    "_source_engine" VARCHAR(16),',
                    '    "_source_name" VARCHAR(256),',
                    '    "_source_partition" VARCHAR(256),',
                    '    "_source_position" VARCHAR(128),',
                    '    "_source_object" VARCHAR(1024),',
                    '    "_source_object_version" VARCHAR(256),',
                    '    "_source_line" BIGINT,',
                    '    "_load_id" VARCHAR(128),',
                    '    PRIMARY KEY ("order_id")',
                    ")",
                    "DISTSTYLE KEY",
                    'DISTKEY ("customer_id")',
                    'COMPOUND SORTKEY ("event_time", "region")',
                ].join("\n"),
            );
        });

        it("uses JSONB for arrays and no physical design on PostgreSQL", () => {
            const ddl = targetTableDdl(orders, "analytics", postgres);
            assert.ok(ddl.includes('    "line_items" JSONB NOT NULL,\n'));
            assert.ok(ddl.endsWith('    PRIMARY KEY ("order_id")\n)'));
            assert.ok(!/SUPER|DIST|SORTKEY/.test(ddl));
        });

        it("writes EVEN distribution, compound keys and no sort key when the design says so", () => {
            assert.strictEqual(
                targetTableDdl(payments, "finance", redshift),
                'CREATE TABLE IF NOT EXISTS "finance"."payments" (\n    "payment_id" VARCHAR(256) NOT NULL,\n    "attempt" INTEGER NOT NULL,\n    "paid_at" TIMESTAMPTZ NOT NULL,\n    "total" DOUBLE PRECISION,\n' +
                    '    "_raw_object" VARCHAR(1024),\n    "_source_engine" VARCHAR(16),\n    "_source_name" VARCHAR(256),\n    "_source_partition" VARCHAR(256),\n    "_source_position" VARCHAR(128),\n' +
                    '    "_source_object" VARCHAR(1024),\n    "_source_object_version" VARCHAR(256),\n    "_source_line" BIGINT,\n    "_load_id" VARCHAR(128),\n    PRIMARY KEY ("payment_id", "attempt")\n)\nDISTSTYLE EVEN',
            );
        });

        it("creates the schema, the target and the ledger, in that order", () => {
            const statements = warehouseSetupStatements(orders, "analytics", redshift);
            assert.deepStrictEqual(statements.map((sql) => sql.split("\n")[0]), [
                'CREATE SCHEMA IF NOT EXISTS "analytics"',
                'CREATE TABLE IF NOT EXISTS "analytics"."orders" (',
                'CREATE TABLE IF NOT EXISTS "analytics"."load_ledger" (',
            ]);
        });

        it("keys the ledger by file URI and ETag", () => {
            assert.strictEqual(
                ledgerTableDdl("analytics", redshift),
                'CREATE TABLE IF NOT EXISTS "analytics"."load_ledger" (\n    "file_uri" VARCHAR(1024) NOT NULL,\n    "etag" VARCHAR(128) NOT NULL,\n    "loaded_at" TIMESTAMP NOT NULL,\n    "batch_id" VARCHAR(128) NOT NULL,\n    PRIMARY KEY ("file_uri", "etag")\n)\nDISTSTYLE AUTO\nSORTKEY ("file_uri")',
            );
            assert.ok(!ledgerTableDdl("analytics", postgres).includes("SORTKEY"));
        });
    });

    describe("load batch", () => {
        const statements = loadBatchStatements(orders, batch, "analytics", redshift);

        it("runs lock, stage, dedup, guard, merge, ledger and cleanup in one list", () => {
            assert.deepStrictEqual(
                statements.map((sql) => sql.split(" ").slice(0, 3).join(" ")),
                [
                    'LOCK TABLE "analytics"."load_ledger"',
                    "CREATE TEMP TABLE",
                    'COPY "stage_orders" FROM',
                    "CREATE TEMP TABLE",
                    'INSERT INTO "stage_orders_latest"',
                    'DELETE FROM "stage_orders_latest"',
                    'MERGE INTO "analytics"."orders"',
                    "CREATE TEMP TABLE",
                    'INSERT INTO "stage_orders_files"',
                    'INSERT INTO "analytics"."load_ledger"',
                    'DROP TABLE "stage_orders_files"',
                    'DROP TABLE "stage_orders_latest"',
                    'DROP TABLE "stage_orders"',
                ],
            );
            assert.strictEqual(
                statements[1],
                'CREATE TEMP TABLE "stage_orders" ("order_id" VARCHAR(256) NOT NULL, "customer_id" VARCHAR(256) NOT NULL, "store_id" VARCHAR(256) NOT NULL, "region" VARCHAR(256) NOT NULL, ' +
                    '"channel" VARCHAR(256) NOT NULL, "status" VARCHAR(256) NOT NULL, "currency" VARCHAR(256) NOT NULL, "amount" DECIMAL(12,2) NOT NULL, "line_items" SUPER NOT NULL, ' +
                    '"coupon_code" VARCHAR(20), "event_time" TIMESTAMPTZ NOT NULL, ' +
                    '"shipped_time" TIMESTAMPTZ, "store_name" VARCHAR(256), "country" VARCHAR(2), "opened_date" DATE, "customer_segment" VARCHAR(256), "customer_country" VARCHAR(256), ' +
                    '"amount_usd" DECIMAL(14,2), "_raw_object" VARCHAR(1024), "_source_engine" VARCHAR(16), "_source_name" VARCHAR(256), "_source_partition" VARCHAR(256), ' +
                    '"_source_position" VARCHAR(128), "_source_object" VARCHAR(1024), "_source_object_version" VARCHAR(256), "_source_line" BIGINT)',
            );
            assert.strictEqual(statements[3], 'CREATE TEMP TABLE "stage_orders_latest" (LIKE "analytics"."orders")');
        });

        it("copies exactly the manifest's files as Parquet, nested columns into SUPER", () => {
            assert.strictEqual(
                statements[2],
                "COPY \"stage_orders\" FROM 's3://etl-dev-curated/curated/_manifests/orders/orders-20240502T030000Z-0123456789ab.manifest.json' " +
                    "IAM_ROLE 'arn:aws:iam::123456789012:role/etl-dev-redshift-copy' FORMAT AS PARQUET SERIALIZETOJSON MANIFEST",
            );
        });

        it("keeps the latest event time per key, breaking ties on the other scalar columns, and stamps the batch id as the load id", () => {
            assert.strictEqual(
                statements[4],
                `INSERT INTO "stage_orders_latest" (${staged}, "_load_id") SELECT ${staged}, 'orders-20240502T030000Z-0123456789ab' AS "_load_id" FROM (SELECT ${staged}, ROW_NUMBER() OVER (PARTITION BY "order_id" ORDER BY "event_time" DESC, ` +
                    '"customer_id" DESC NULLS LAST, "store_id" DESC NULLS LAST, "region" DESC NULLS LAST, "channel" DESC NULLS LAST, "status" DESC NULLS LAST, "currency" DESC NULLS LAST, ' +
                    '"amount" DESC NULLS LAST, "coupon_code" DESC NULLS LAST, "shipped_time" DESC NULLS LAST, "store_name" DESC NULLS LAST, "country" DESC NULLS LAST, "opened_date" DESC NULLS LAST, "customer_segment" DESC NULLS LAST, ' +
                    '"customer_country" DESC NULLS LAST, "amount_usd" DESC NULLS LAST, ' +
                    `${provenanceTieBreak}) ` +
                    'AS "row_rank" FROM "stage_orders") AS ranked WHERE "row_rank" = 1',
            );
        });

        it("drops stage rows older than the target's and merges the rest", () => {
            assert.strictEqual(
                statements[5],
                'DELETE FROM "stage_orders_latest" USING "analytics"."orders" WHERE "orders"."order_id" = "stage_orders_latest"."order_id" AND "orders"."event_time" > "stage_orders_latest"."event_time"',
            );
            assert.strictEqual(
                statements[6],
                'MERGE INTO "analytics"."orders" USING "stage_orders_latest" AS s ON "orders"."order_id" = s."order_id" WHEN MATCHED THEN UPDATE SET ' +
                    '"customer_id" = s."customer_id", "store_id" = s."store_id", "region" = s."region", "channel" = s."channel", "status" = s."status", "currency" = s."currency", ' +
                    '"amount" = s."amount", "line_items" = s."line_items", "coupon_code" = s."coupon_code", "event_time" = s."event_time", "shipped_time" = s."shipped_time", ' +
                    '"store_name" = s."store_name", "country" = s."country", "opened_date" = s."opened_date", ' +
                    '"customer_segment" = s."customer_segment", "customer_country" = s."customer_country", "amount_usd" = s."amount_usd", ' +
                    `${provenance.split(", ").map((c) => `${c} = s.${c}`).join(", ")}, "_load_id" = s."_load_id" ` +
                    `WHEN NOT MATCHED THEN INSERT (${staged}, "_load_id") VALUES (${`${staged}, "_load_id"`.split(", ").map((c) => `s.${c}`).join(", ")})`,
            );
        });

        it("records each file once in the ledger with the batch's time and id", () => {
            assert.strictEqual(
                statements[8],
                'INSERT INTO "stage_orders_files" ("file_uri", "etag") VALUES ' +
                    "('s3://etl-dev-curated/curated/orders/dt=2024-05-01/part-00000-a.snappy.parquet', '9b2cf535f27731c974343645a3985328'), " +
                    "('s3://etl-dev-curated/curated/orders/dt=2024-05-02/part-00000-b.snappy.parquet', 'd41d8cd98f00b204e9800998ecf8427e')",
            );
            assert.strictEqual(
                statements[9],
                'INSERT INTO "analytics"."load_ledger" ("file_uri", "etag", "loaded_at", "batch_id") SELECT f."file_uri", f."etag", ' +
                    "CAST('2024-05-02 03:00:00.000' AS TIMESTAMP), 'orders-20240502T030000Z-0123456789ab' FROM \"stage_orders_files\" AS f " +
                    'WHERE NOT EXISTS (SELECT 1 FROM "analytics"."load_ledger" AS l WHERE l."file_uri" = f."file_uri" AND l."etag" = f."etag")',
            );
        });

        it("differs on PostgreSQL only in how the stage is filled and in the stage's array type", () => {
            const pg = loadBatchStatements(orders, batch, "analytics", postgres);
            assert.strictEqual(
                pg[2],
                `INSERT INTO "stage_orders" (${staged}) SELECT ${staged} FROM "fixtures"."curated_files" WHERE "file_uri" IN ` +
                    "('s3://etl-dev-curated/curated/orders/dt=2024-05-01/part-00000-a.snappy.parquet', 's3://etl-dev-curated/curated/orders/dt=2024-05-02/part-00000-b.snappy.parquet')",
            );
            assert.strictEqual(pg[1], statements[1].replace('"line_items" SUPER', '"line_items" JSONB'));
            assert.deepStrictEqual(pg.filter((_, index) => index > 2), statements.filter((_, index) => index > 2));
        });

        it("omits SERIALIZETOJSON when the dataset has no arrays and matches on every key column", () => {
            const sqls = loadBatchStatements(payments, { ...batch, batchId: "p1" }, "finance", redshift);
            assert.ok(sqls[2].endsWith("FORMAT AS PARQUET MANIFEST"));
            assert.ok(sqls[6].startsWith('MERGE INTO "finance"."payments" USING "stage_payments_latest" AS s ON "payments"."payment_id" = s."payment_id" AND "payments"."attempt" = s."attempt" WHEN MATCHED THEN UPDATE SET "paid_at" = s."paid_at", "total" = s."total", "_raw_object" = s."_raw_object", '));
            assert.ok(sqls[4].includes(`PARTITION BY "payment_id", "attempt" ORDER BY "paid_at" DESC, "total" DESC NULLS LAST, ${provenanceTieBreak})`));
        });

        it("refuses an empty batch and a copy role that is not a role ARN", () => {
            assert.throws(() => loadBatchStatements(orders, { ...batch, files: [] }, "analytics", redshift), {
                message: "batch orders-20240502T030000Z-0123456789ab has no files; plan batches only for new files",
            });
            assert.throws(() => loadBatchStatements(orders, batch, "analytics", { engine: "redshift", copyRoleArn: "etl-copy" }), {
                message: "copy role 'etl-copy' is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)",
            });
        });
    });

    describe("ledger query", () => {
        it("selects the ledger rows under the table prefix in a stable order", () => {
            assert.strictEqual(
                ledgerQuerySql("analytics", "s3://etl-dev-curated/curated/orders/"),
                'SELECT "file_uri", "etag" FROM "analytics"."load_ledger" WHERE LEFT("file_uri", 36) = \'s3://etl-dev-curated/curated/orders/\' ORDER BY "file_uri", "etag"',
            );
        });
    });

    describe("identifiers and literals", () => {
        it("quotes lower-case identifiers and refuses anything else", () => {
            assert.strictEqual(quoteIdentifier("load_ledger"), '"load_ledger"');
            for (const bad of ["Orders", "a-b", 'x"y', "", "1st"]) {
                assert.throws(() => quoteIdentifier(bad), WarehouseConfigError);
            }
        });

        it("doubles single quotes and refuses backslashes", () => {
            assert.strictEqual(quoteLiteral("s3://b/o'brien.parquet"), "'s3://b/o''brien.parquet'");
            assert.throws(() => quoteLiteral("s3://b/a\\b"), {
                message: 'string literal "s3://b/a\\\\b" contains a backslash or NUL; rename the object or value without them',
            });
        });
    });

    describe("Spectrum", () => {
        it("creates the external schema over the Glue database with the role", () => {
            assert.strictEqual(
                spectrumSchemaSql({ schema: "lake", catalogDatabase: "etl_dev_curated", iamRoleArns: ["arn:aws:iam::123456789012:role/etl-dev-spectrum"] }),
                "CREATE EXTERNAL SCHEMA IF NOT EXISTS \"lake\"\nFROM DATA CATALOG DATABASE 'etl_dev_curated'\nIAM_ROLE 'arn:aws:iam::123456789012:role/etl-dev-spectrum'",
            );
        });

        it("chains roles and adds region and catalog account when given", () => {
            assert.strictEqual(
                spectrumSchemaSql({
                    schema: "lake",
                    catalogDatabase: "shared_curated",
                    iamRoleArns: ["arn:aws:iam::123456789012:role/a", "arn:aws:iam::210987654321:role/b"],
                    region: "eu-west-1",
                    catalogId: "210987654321",
                }),
                "CREATE EXTERNAL SCHEMA IF NOT EXISTS \"lake\"\nFROM DATA CATALOG DATABASE 'shared_curated'\nREGION 'eu-west-1'\n" +
                    "IAM_ROLE 'arn:aws:iam::123456789012:role/a,arn:aws:iam::210987654321:role/b'\nCATALOG_ID '210987654321'",
            );
        });

        const invalid: [string, Parameters<typeof spectrumSchemaSql>[0], string][] = [
            ["no role", { schema: "lake", catalogDatabase: "db", iamRoleArns: [] }, "spectrum schema needs at least one IAM role ARN"],
            ["a user ARN", { schema: "lake", catalogDatabase: "db", iamRoleArns: ["arn:aws:iam::123456789012:user/x"] }, "'arn:aws:iam::123456789012:user/x' is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)"],
            ["an upper-case database", { schema: "lake", catalogDatabase: "Curated", iamRoleArns: ["arn:aws:iam::123456789012:role/a"] }, "Glue database 'Curated' must be lower case letters, digits and underscores"],
            ["a bad region", { schema: "lake", catalogDatabase: "db", iamRoleArns: ["arn:aws:iam::123456789012:role/a"], region: "mars" }, "'mars' is not an AWS region name (like us-east-1)"],
            ["a short catalog id", { schema: "lake", catalogDatabase: "db", iamRoleArns: ["arn:aws:iam::123456789012:role/a"], catalogId: "123" }, "catalog id '123' must be a 12-digit AWS account id"],
        ];
        for (const [what, options, message] of invalid) {
            it(`refuses ${what}`, () => {
                assert.throws(() => spectrumSchemaSql(options), { name: "WarehouseConfigError", message });
            });
        }
    });
});
