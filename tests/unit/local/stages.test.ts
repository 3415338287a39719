import * as assert from "assert";
import { apiSourceProblems } from "../../../runtime/connectors/api/settings";
import { customers, datasets, fxRates, orders, storeInventory } from "../../../runtime/datasets";
import { compileValidator } from "../../../runtime/ingest/validate";
import { fileRefOfEvent } from "../../../runtime/files/event";
import { localApiSource } from "../../../runtime/local/apiStage";
import { windowWorkload } from "../../../runtime/local/databaseStage";
import { objectCreatedEvent, partnerFiles } from "../../../runtime/local/fileStage";
import { localRatesFor } from "../../../runtime/local/ratesApi";
import { localSourceSizes } from "../../../runtime/local/run";
import { mergeCounts } from "../../../runtime/local/sourceStage";

const date = "2024-05-03";

describe("npm run local: the source stages' data", () => {
    describe("the local FX rates API", () => {
        const records = localRatesFor(date, { withoutRate: "MXN", badRecords: 2 });
        const validator = compileValidator(fxRates);

        it("serves two revisions of a USD rate for every order currency but the one left out, and the rejected records asked for", () => {
            const verdicts = records.map((record) => validator.validate(record, { referenceTimeMs: Date.parse("2024-05-04T00:00:00Z") }));
            assert.strictEqual(verdicts.filter((verdict) => !verdict.ok).length, 2);
            const quotes = records.filter((_, index) => verdicts[index]?.ok).map((record) => record.quote_currency);
            const orderCurrencies = (orders.fields.find((field) => field.name === "currency") as unknown as { rules: { allowed: string[] } }).rules.allowed;
            assert.deepStrictEqual([...new Set(quotes)].sort(), orderCurrencies.filter((code) => code !== "USD" && code !== "MXN").sort());
            assert.ok(quotes.every((quote) => quotes.filter((other) => other === quote).length === 2));
            assert.ok(records.every((record) => record.updated_at.startsWith(date) && record.rate_date === date));
        });

        it("is deterministic per day", () => {
            assert.deepStrictEqual(localRatesFor(date, { withoutRate: "MXN", badRecords: 2 }), records);
            assert.notDeepStrictEqual(localRatesFor("2024-05-04", { withoutRate: "MXN", badRecords: 2 }), records);
        });

        it("is reached with the stack's fx-rates source settings, valid for loopback http", () => {
            const source = localApiSource({ dataset: fxRates, ...localSourceSizes.fxRates }, "http://127.0.0.1:4000/v1/rates");
            assert.deepStrictEqual(apiSourceProblems(source, "local", datasets, true), []);
            assert.deepStrictEqual(source.pagination, { style: "cursor", cursorParam: "cursor", cursorField: "next_cursor" });
            assert.deepStrictEqual([source.lookBackSeconds, source.initialWindowSeconds], [0, 86_400]);
        });
    });

    describe("the partner files", () => {
        const files = partnerFiles(localSourceSizes.storeInventory, date, 1);
        const validator = compileValidator(storeInventory);

        it("are a CSV and a JSON Lines file of the window, each with broken rows the dataset rejects", () => {
            assert.deepStrictEqual(files.map((file) => file.key), [`incoming/store_inventory/${date}/stock-${date}-morning.csv`, `incoming/store_inventory/${date}/stock-${date}-evening.jsonl`]);
            const csv = (files[0]?.body ?? "").trim().split("\n");
            const header = (csv[0] ?? "").split(",");
            const csvRows = csv.slice(1).map((line) => Object.fromEntries(line.split(",").map((value, index) => [header[index], header[index] === "on_hand" ? Number(value) : value === "" ? undefined : value])));
            const jsonRows = (files[1]?.body ?? "").trim().split("\n").map((line) => JSON.parse(line) as unknown);
            const rejected = (rows: unknown[]) => rows.filter((row) => !validator.validate(row, { referenceTimeMs: null }).ok).length;
            assert.deepStrictEqual([files[0]?.rows, rejected(csvRows)], [csvRows.length, 2]);
            assert.deepStrictEqual([files[1]?.rows, rejected(jsonRows)], [jsonRows.length, 1]);
        });

        it("are the same bytes for the same window and seed, so a second run uploads nothing", () => {
            assert.deepStrictEqual(partnerFiles(localSourceSizes.storeInventory, date, 1), files);
            assert.notStrictEqual(partnerFiles(localSourceSizes.storeInventory, date, 2)[0]?.body, files[0]?.body);
        });

        it("are announced with the EventBridge Object Created event the file-ingest function reads", () => {
            const event = objectCreatedEvent("etl-local-landing", files[0]?.key ?? "", "v1", "abc", 10, "us-east-1");
            assert.deepStrictEqual(fileRefOfEvent(event), { bucket: "etl-local-landing", key: files[0]?.key, versionId: "v1" });
        });
    });

    describe("the customers workload", () => {
        const sizes = localSourceSizes.customers;
        const work = windowWorkload(sizes, date, 1);

        it("covers every customer the order generator draws with the initial rows", () => {
            assert.strictEqual(sizes.initialCustomers, 50_000);
            assert.ok(customers.sourceTable);
        });

        it("inserts new ids above them, deletes two, moves one to a new key and updates existing customers", () => {
            assert.strictEqual(work.inserted.length, sizes.insertsPerWindow);
            assert.ok(work.inserted.every((n) => n > sizes.initialCustomers && n < 100_000_000));
            assert.ok(work.deleted.every((n) => work.inserted.includes(n)));
            assert.ok(work.inserted.includes(work.moved.from) && !work.inserted.includes(work.moved.to) && !work.deleted.includes(work.moved.from));
            assert.ok(work.updated.length > 0 && work.updated.every((n) => n >= 1 && n <= sizes.initialCustomers));
        });

        it("gives each window its own ids and the same workload for the same window", () => {
            const next = windowWorkload(sizes, "2024-05-04", 1);
            assert.ok(next.inserted.every((n) => !work.inserted.includes(n) && n !== work.moved.to));
            assert.deepStrictEqual(windowWorkload(sizes, date, 1).updated, work.updated);
        });
    });

    it("adds rejects by error type across sources, sorted by type", () => {
        assert.deepStrictEqual(mergeCounts([{ range: 1, cross_field: 2 }, { range: 3 }]), { cross_field: 2, range: 4 });
    });
});
