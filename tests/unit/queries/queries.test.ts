import * as assert from "assert";
import { aggregateTables, curatedTable, TableSpec } from "../../../infra/catalog/decisions";
import { auditQueries, trailTable } from "../../../infra/audit/decisions";
import { arrivalsTable, lineageTable, rejectsTable } from "../../../infra/query/decisions";
import { datasets, DatasetDefinition, orders } from "../../../runtime/datasets";
import { datasetQueries, lineageQueries, lineageTableName, personalDataColumns, rejectErrorTypes } from "../../../runtime/queries";

const databases = { curated: "platform_dev_curated", operations: "platform_dev_operations" };

/** Every table the queries may read, as the program declares it, by `<database>.<table>`. */
function declaredTables(dataset: DatasetDefinition): Map<string, TableSpec> {
    const tables = new Map<string, TableSpec>();
    for (const spec of [curatedTable(dataset, "curated"), ...aggregateTables(dataset, "curated")]) {
        tables.set(`${databases.curated}.${spec.name}`, spec);
    }
    for (const spec of [rejectsTable(dataset, "rejects"), arrivalsTable(dataset, "raw")]) {
        tables.set(`${databases.operations}.${spec.name}`, spec);
    }
    return tables;
}

const columnNames = (spec: TableSpec) => [...spec.columns, ...spec.partitionKeys].map((c) => c.name);

describe("named queries, generated from the dataset definitions", () => {
    for (const dataset of datasets) {
        const queries = datasetQueries([dataset], databases);
        const tables = declaredTables(dataset);

        it(`${dataset.name}: every query reads a declared table and only columns that table has, each named in its SQL`, () => {
            assert.ok(queries.length > 0);
            for (const query of queries) {
                const table = tables.get(`${query.reads.database}.${query.reads.table}`);
                assert.ok(table, `${query.name} reads ${query.reads.database}.${query.reads.table}, which the program does not declare`);
                assert.ok(query.sql.includes(`"${query.reads.database}"."${query.reads.table}"`), `${query.name} names its table`);
                for (const column of query.reads.columns) {
                    assert.ok(columnNames(table).includes(column), `${query.name}: column ${column} is not in ${table.name} (${columnNames(table).join(", ")})`);
                    assert.ok(query.sql.includes(`"${column}"`), `${query.name}: ${column} does not appear quoted in the SQL`);
                }
            }
        });

        it(`${dataset.name}: quotes every identifier the SQL names, so a column missing from the table fails here`, () => {
            for (const query of queries) {
                const table = tables.get(`${query.reads.database}.${query.reads.table}`)!;
                const outputAliases = [...query.sql.matchAll(/AS "([a-z_]+)"/g)].map((m) => m[1]);
                const quoted = [...query.sql.matchAll(/"([A-Za-z_][A-Za-z0-9_]*)"/g)].map((m) => m[1]);
                for (const name of quoted) {
                    const known = name === query.reads.database || name === query.reads.table || columnNames(table).includes(name) || outputAliases.includes(name);
                    assert.ok(known, `${query.name}: "${name}" is neither the table, one of its columns nor an output alias`);
                }
            }
        });

        it(`${dataset.name}: filters every query on its partition, so projection prunes what it scans`, () => {
            for (const query of queries) {
                assert.match(query.sql, /WHERE "?dt"? >= date_format\(current_date - interval '\d+' day, '%Y-%m-%d'\)/, query.name);
            }
        });
    }

    it("answers the issue's questions for orders: sales per region and day for analysts; rejects of the last day and late records for the pipeline", () => {
        const queries = datasetQueries([orders], databases);
        assert.deepStrictEqual(
            queries.map((q) => [q.name, q.audience]),
            [
                ["orders-daily-sales-by-region", "analysts"],
                ["orders-rejects-last-day", "pipeline"],
                ["orders-late-records", "pipeline"],
            ],
        );
        const sales = queries[0].sql;
        assert.match(sales, /SELECT "dt", "region", "currency", "orders", "customers", "revenue", "average_order_value"/);
        assert.match(sales, /FROM "platform_dev_curated"\."orders_daily_sales_by_region"/);
        assert.match(queries[1].sql, /GROUP BY "error_type", "source", "rule"/);
        assert.match(queries[2].sql, /date\(from_iso8601_timestamp\("_ingest"\.ingest_time\)\) > date\(from_iso8601_timestamp\("event_time"\)\)/);
    });

    it("follows a renamed aggregate: the query and its table change together", () => {
        const renamed: DatasetDefinition = { ...orders, aggregates: [{ ...orders.aggregates[0], name: "daily_revenue" }] };
        const [query] = datasetQueries([renamed], databases);
        assert.strictEqual(query.name, "orders-daily-revenue");
        assert.match(query.sql, /"orders_daily_revenue"/);
    });

    it("marks customer_id and the joined customer_country as the orders dataset's personal-data columns", () => {
        assert.deepStrictEqual(personalDataColumns(orders), ["customer_id", "customer_country"]);
    });

    it("projects every reject error type the ingest function writes", () => {
        const projected = rejectsTable(orders, "rejects").parameters["projection.error_type.values"].split(",");
        assert.deepStrictEqual(projected, [...rejectErrorTypes]);
        assert.strictEqual(new Set(projected).size, 16);
    });
});

describe("audit trail queries", () => {
    const queries = auditQueries("platform_dev_audit", "platform-dev-curated-1a2b3c");
    const trail = trailTable("platform-dev-audit-trail-123456789012", "123456789012");
    const columns = [...trail.columns, ...trail.partitionKeys].map((c) => c.name);

    it("read only columns of the trail table and filter on its projected day", () => {
        const read = ["eventtime", "useridentity", "eventname", "eventsource", "sourceipaddress", "requestparameters", "event_day"];
        for (const query of queries) {
            assert.match(query.sql, /FROM "platform_dev_audit"\."cloudtrail"/);
            assert.match(query.sql, /"event_day" >= date_format\(current_date - interval '\d+' day, '%Y\/%m\/%d'\)/);
            for (const column of read) {
                assert.ok(columns.includes(column), `${column} is a trail column`);
                assert.ok(query.sql.includes(column), `${query.name} reads ${column}`);
            }
        }
        assert.ok(columns.includes("readonly") && queries[0].sql.includes("readonly = 'false'"));
    });

    it("ask who changed MSK and who deleted objects in the curated bucket", () => {
        assert.deepStrictEqual(queries.map((q) => q.name), ["who-changed-msk", "who-deleted-curated-objects"]);
        assert.match(queries[0].sql, /eventsource = 'kafka\.amazonaws\.com'/);
        assert.match(queries[1].sql, /eventname IN \('DeleteObject', 'DeleteObjects'\)/);
        assert.match(queries[1].sql, /'\$\.bucketName'\) = 'platform-dev-curated-1a2b3c'/);
    });
});

describe("lineage named queries, over the lineage_events table", () => {
    const table = lineageTable("raw-bucket", "lineage");
    const queries = lineageQueries(datasets, databases);
    // Struct fields the queries may name (job.name, run.facets.errormessage.message, ...), from the column types.
    const fields = new Set(table.columns.flatMap((column) => [...column.type.matchAll(/([a-z_]+):/g)].map((m) => m[1] as string)));

    it("has one lineage query per dataset and the failed runs of the last day, all for the pipeline workgroup", () => {
        assert.deepStrictEqual(queries.map((query) => query.name), [...datasets.map((dataset) => `${dataset.name.replace(/_/g, "-")}-lineage`), "lineage-failed-runs-last-day"]);
        assert.ok(queries.every((query) => query.audience === "pipeline" && query.reads.table === lineageTableName && query.reads.database === databases.operations));
    });

    it("reads only columns the table has, and names only its columns, their struct fields, the unnested rows or output aliases", () => {
        const columns = [...table.columns, ...table.partitionKeys].map((column) => column.name);
        for (const query of queries) {
            assert.ok(query.sql.includes(`"${databases.operations}"."${lineageTableName}"`), query.name);
            for (const column of query.reads.columns) {
                assert.ok(columns.includes(column), `${query.name}: ${column} is not a column of ${lineageTableName}`);
            }
            const aliases = [...query.sql.matchAll(/AS (?:[a-z] \()?"([a-z_]+)"/g)].map((m) => m[1]);
            for (const [, name] of query.sql.matchAll(/"([A-Za-z_][A-Za-z0-9_]*)"/g)) {
                const known = name === databases.operations || name === lineageTableName || columns.includes(name as string) || fields.has(name as string) || aliases.includes(name);
                assert.ok(known, `${query.name}: "${name}" is neither the table, a column, a struct field nor an alias`);
            }
            assert.match(query.sql, /WHERE "dt" >= date_format\(current_date - interval '\d+' day, '%Y-%m-%d'\)/, query.name);
        }
    });

    it("finds a dataset by each of its names: the S3 prefix, the topic or stream, the warehouse table", () => {
        const orders = queries.find((query) => query.name === "orders-lineage")!;
        const pattern = new RegExp(/regexp_like\("input"\."name", '([^']+)'\)/.exec(orders.sql)![1] as string);
        assert.deepStrictEqual(["orders", "stream/orders", "etl.analytics.orders", "orders_daily_sales_by_region", "curated/orders_x"].map((name) => pattern.test(name)), [true, true, true, false, false]);
    });

    it("reads the events as plain NDJSON with projection on dt, under the prefix", () => {
        assert.strictEqual(table.location, "s3://raw-bucket/lineage/");
        assert.strictEqual(table.parameters["storage.location.template"], "s3://raw-bucket/lineage/dt=${dt}/");
        assert.strictEqual(table.parameters.compressionType, undefined);
        assert.deepStrictEqual(table.partitionKeys.map((key) => key.name), ["dt"]);
    });
});
