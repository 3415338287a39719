import * as assert from "assert";
import { gzipSync } from "zlib";
import { customers, fxRates, orders, storeInventory } from "../../../runtime/datasets";
import { parseTraceKey, traceDataset, TraceInputError } from "../../../tools/trace/keys";
import { apiWindow, findRawRecord, formatTrace, provenanceDifferences, provenanceOf, sourceDifferences } from "../../../tools/trace/hops";
import { athenaTraceSql, keyLiteral, redshiftTraceSql } from "../../../tools/trace/sql";
import { compileValidator } from "../../../runtime/ingest/validate";
import { validOrder } from "../../helpers/ingest/events";

const sentOrder = {
    order_id: "ORD-2024-05-03-000042",
    customer_id: "CUST-00000042",
    store_id: "S0001",
    region: "NA",
    channel: "store",
    status: "placed",
    currency: "USD",
    amount: 20,
    line_items: [{ sku: "SKU-0001", quantity: 2, unit_price: 10 }],
    event_time: "2024-05-03T10:15:00Z",
};

const kafkaProvenance = {
    _raw_object: "orders/dt=2024-05-03/hour=10/orders-msk+0+000000000000000000041.ndjson.gz",
    _source_engine: "kafka",
    _source_name: "orders-msk-2024-05-03",
    _source_partition: "0",
    _source_position: "42",
    _source_object: null,
    _source_object_version: null,
    _source_line: null,
};

describe("npm run trace", () => {
    describe("--dataset and --key", () => {
        it("knows every dataset of the platform, stream or not", () => {
            assert.deepStrictEqual(["orders", "fx_rates", "store_inventory", "customers"].map((name) => traceDataset(name).name), ["orders", "fx_rates", "store_inventory", "customers"]);
        });

        it("names the known datasets when the dataset is unknown or missing", () => {
            assert.throws(() => traceDataset("nope"), (error: Error) => error instanceof TraceInputError && error.message === "--dataset: unknown dataset 'nope'; expected one of orders, fx_rates, store_inventory, customers");
            assert.throws(() => traceDataset(undefined), /--dataset is missing: expected one of orders, fx_rates, store_inventory, customers; for example --dataset orders/);
        });

        it("takes a bare value for a one-column key and column=value pairs for a composite key", () => {
            assert.deepStrictEqual(parseTraceKey(orders, "ORD-1").map((part) => [part.column, part.value]), [["order_id", "ORD-1"]]);
            assert.deepStrictEqual(parseTraceKey(orders, "order_id=ORD-1").map((part) => [part.column, part.value]), [["order_id", "ORD-1"]]);
            assert.deepStrictEqual(
                parseTraceKey(fxRates, "rate_date=2024-05-03,base_currency=USD,quote_currency=EUR").map((part) => [part.column, part.value]),
                [["base_currency", "USD"], ["quote_currency", "EUR"], ["rate_date", "2024-05-03"]],
            );
        });

        it("says which key columns are missing, unknown or repeated, with an example", () => {
            assert.throws(() => parseTraceKey(fxRates, "base_currency=USD"), {
                message: "--key: fx_rates's key is base_currency, quote_currency, rate_date; found no value for quote_currency, rate_date; use --key base_currency=<value>,quote_currency=<value>,rate_date=<value>",
            });
            assert.throws(() => parseTraceKey(storeInventory, "store=S1"), /--key: 'store=S1' is not <key column>=<value> with a key column of store_inventory \(store_id, sku, as_of\)/);
            assert.throws(() => parseTraceKey(orders, "order_id=A,order_id=B"), /column 'order_id' is given twice/);
            assert.throws(() => parseTraceKey(customers, undefined), /--key is missing: expected the key of a customers row \(id\); for example --key <id>/);
        });
    });

    describe("deployed-stack SQL", () => {
        const names = { project: "platform", stack: "prod" };

        it("joins the curated row to its raw record in the stack's Glue databases, pruned to the object's partition", () => {
            const sql = athenaTraceSql(orders, parseTraceKey(orders, "ORD-1"), names);
            assert.ok(sql.includes('FROM "platform_prod_curated"."orders" AS c\nLEFT JOIN "platform_prod_raw"."orders" AS r'), sql);
            assert.ok(sql.includes(`ON r."$path" LIKE concat('%/', c."_raw_object")`));
            assert.ok(sql.includes(`AND r."dt" = regexp_extract(c."_raw_object", '/dt=([^/]+)/', 1)`));
            assert.ok(sql.includes('AND r."order_id" = c."order_id"'));
            assert.ok(sql.endsWith(`WHERE c."order_id" = 'ORD-1'`));
            assert.ok(!sql.includes("cdc_change_seq"));
        });

        it("pins a change-data-capture row to its change sequence", () => {
            const sql = athenaTraceSql(customers, parseTraceKey(customers, "CUST-00000001"), { project: "platform", stack: "dev" });
            assert.ok(sql.includes('AND r."cdc_change_seq" = c."_source_position"'), sql);
            assert.ok(sql.includes('"platform_dev_curated"."customers"'));
        });

        it("reads the warehouse row with its load from the ledger", () => {
            assert.strictEqual(
                redshiftTraceSql(fxRates, parseTraceKey(fxRates, "base_currency=USD,quote_currency=EUR,rate_date=2024-05-03"), names),
                [
                    "-- fx_rates: the warehouse row, the load that wrote it and the curated files of that load",
                    'SELECT t.*, l."file_uri" AS "curated_file", l."loaded_at"',
                    'FROM "analytics"."fx_rates" AS t',
                    'LEFT JOIN "analytics"."load_ledger" AS l ON l."batch_id" = t."_load_id"',
                    `WHERE t."base_currency" = 'USD' AND t."quote_currency" = 'EUR' AND t."rate_date" = CAST('2024-05-03' AS DATE)`,
                ].join("\n"),
            );
        });

        it("types key literals per dialect, escapes quotes and refuses values of the wrong type", () => {
            const [asOf] = parseTraceKey(storeInventory, "store_id=S1,sku=K,as_of=2024-05-03T10:00:00Z").filter((part) => part.column === "as_of");
            assert.strictEqual(keyLiteral(asOf, "athena"), "CAST(from_iso8601_timestamp('2024-05-03T10:00:00Z') AS timestamp)");
            assert.strictEqual(keyLiteral(asOf, "redshift"), "CAST('2024-05-03T10:00:00Z' AS TIMESTAMPTZ)");
            assert.strictEqual(keyLiteral(parseTraceKey(orders, "O'Brien")[0], "athena"), "'O''Brien'");
            assert.throws(() => keyLiteral({ ...asOf, value: "yesterday" }, "athena"), /as_of is a timestamp column; expected an ISO-8601 time such as 2024-05-03T10:00:00Z, found 'yesterday'/);
            assert.throws(() => keyLiteral({ column: "n", field: { name: "n", type: "int", description: "" }, value: "1; DROP" }, "redshift"), /n is a int column; expected a number, found '1; DROP'/);
        });
    });

    describe("hops", () => {
        it("finds the raw record at the row's partition and position, not another version of the same key", () => {
            const lines = [
                { ...sentOrder, status: "placed", _ingest: { engine: "kafka", source: "orders-msk-2024-05-03", partition: "0", position: "41" } },
                { ...sentOrder, status: "paid", _ingest: { engine: "kafka", source: "orders-msk-2024-05-03", partition: "0", position: "42" } },
                { ...sentOrder, status: "shipped", _ingest: { engine: "kafka", source: "orders-msk-2024-05-03", partition: "1", position: "42" } },
            ];
            const hit = findRawRecord(orders, gzipSync(lines.map((line) => JSON.stringify(line)).join("\n") + "\n"), kafkaProvenance);
            assert.strictEqual(hit?.line, 2);
            assert.strictEqual(hit?.record.status, "paid");
            assert.strictEqual(findRawRecord(orders, JSON.stringify(lines[0]), kafkaProvenance), null);
        });

        it("finds a change-data-capture record by its change sequence", () => {
            const text = ["a", "b"].map((id, index) => JSON.stringify({ id, cdc_op: "U", cdc_change_seq: `0000000000000000000${index}000000000000001` })).join("\n");
            const hit = findRawRecord(customers, text, { ...kafkaProvenance, _source_position: "00000000000000000001000000000000001" });
            assert.deepStrictEqual([hit?.line, hit?.record.id], [2, "b"]);
        });

        it("matches the sent record to the raw record after the dataset's normalisation, and names the fields that differ", () => {
            const sent = validOrder();
            const landed = compileValidator(orders).validate(sent, { referenceTimeMs: null });
            assert.ok(landed.ok);
            const raw = { ...landed.record, _ingest: { position: "42" } };
            assert.deepStrictEqual(sourceDifferences(orders, { ...sent, region: ` ${String(sent.region).toLowerCase()} ` }, raw), []);
            const status = sent.status === "paid" ? "placed" : "paid";
            assert.deepStrictEqual(sourceDifferences(orders, { ...sent, status }, raw), [`status: source "${status}", raw ${JSON.stringify(landed.record.status)}`]);
            assert.match(sourceDifferences(orders, { order_id: "x" }, raw)[0] as string, /^the source record does not validate: /);
        });

        it("reads provenance as text and compares it column by column", () => {
            const fromParquet = provenanceOf({ ...kafkaProvenance, _source_line: 7n, order_id: "x" });
            assert.strictEqual(fromParquet._source_line, "7");
            assert.deepStrictEqual(provenanceDifferences(fromParquet, { ...fromParquet, _source_position: "43" }), ["_source_position"]);
            assert.deepStrictEqual(provenanceDifferences(fromParquet, fromParquet), []);
        });

        it("decodes an API window id and refuses anything else", () => {
            assert.deepStrictEqual(apiWindow("20240503T000000Z-20240504T000000Z"), { start: "2024-05-03T00:00:00Z", end: "2024-05-04T00:00:00Z" });
            assert.strictEqual(apiWindow("2024-05-03"), null);
        });

        it("prints every hop in order, then the SQL for the deployed stack", () => {
            const text = formatTrace("orders", "order_id=ORD-1", [
                { hop: "warehouse", where: "analytics.orders", summary: "row", details: { _load_id: "orders-1" } },
                { hop: "source", where: "Kafka topic t, partition 0, offset 42", summary: "sent", details: { matchesRaw: true } },
            ], { athena: "SELECT 1", redshift: "SELECT 2" }, "dev");
            assert.strictEqual(
                text,
                [
                    "trace orders order_id=ORD-1 (local platform)",
                    "1. warehouse: analytics.orders",
                    "   row",
                    "   _load_id: orders-1",
                    "2. source: Kafka topic t, partition 0, offset 42",
                    "   sent",
                    "   matchesRaw: true",
                    "",
                    "on the deployed stack 'dev', Athena:",
                    "SELECT 1",
                    "",
                    "Redshift:",
                    "SELECT 2",
                    "",
                ].join("\n"),
            );
        });
    });
});
