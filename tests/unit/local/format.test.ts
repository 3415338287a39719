import * as assert from "assert";
import { formatLocalSummary } from "../../../runtime/local/format";
import { LocalDatasetRun, LocalRunSummary } from "../../../runtime/local/summary";

const customersRun: LocalDatasetRun = {
    dataset: "customers",
    source: "database",
    sources: [{ name: "customers via cdc (public.customers)", produced: 50120, landed: 50120, rejected: 0 }],
    counts: { produced: 50120, landed: 50120, rejected: 0, rejectedByErrorType: {}, curated: 50018, dropped: 0, duplicates: 0, loaded: 50018 },
    invariants: [
        { name: "loaded = curated", holds: true, detail: "50,018 = 50,018" },
        { name: "warehouse = source table, row by row", holds: true, detail: "50,018 warehouse rows, 50,018 source rows, 0 differences" },
    ],
    quality: [],
};

const summary: LocalRunSummary = {
    ok: true,
    dataset: "orders",
    datasets: [customersRun],
    window: { from: "2024-05-01", to: "2024-05-01" },
    services: [
        { name: "moto", endpoint: "http://127.0.0.1:5055", startedByThisRun: true },
        { name: "kafka", endpoint: "127.0.0.1:9092", startedByThisRun: false },
    ],
    stages: [
        { name: "produce", seconds: 2.5, detail: "2,000 records" },
        { name: "transform", seconds: 61.25, detail: "Spark read 1,900 rows" },
    ],
    sources: [{ name: "orders via msk", produced: 2000, landed: 1900, rejected: 100 }],
    counts: { produced: 2000, landed: 1900, rejected: 100, rejectedByErrorType: { cross_field: 60, not_json: 40 }, curated: 1880, dropped: 0, duplicates: 20, loaded: 1880 },
    quality: [
        { check: "orders_present (spark run)", passed: true, detail: "[error] row count is 1880; expected >= 1" },
        { check: "orders_fresh (warehouse)", passed: false, detail: "[warn] newest event is 30 hours old" },
    ],
    query: { sql: "SELECT 1", rows: [{ region: "NA", day: "2024-05-01", orders: 1234, sales: 98765.5 }] },
    lineage: { events: 0, emitFailures: 0, jobs: [], datasets: [], edges: [], sources: [], warehouseTables: [], unreachedTables: [], strandedSources: [] },
    changedSincePreviousRun: { objects: 0, rows: 0 },
};

describe("npm run local: the printed summary", () => {
    const text = formatLocalSummary(summary);

    it("says whether the run held, per stage with its time, and which services it started", () => {
        assert.match(text, /^npm run local: orders, window 2024-05-01 \(UTC\) — OK\n/);
        assert.match(text, /moto {5}http:\/\/127\.0\.0\.1:5055 \(started by this run\)/);
        assert.match(text, /kafka {4}127\.0\.0\.1:9092 \(reused\)/);
        assert.match(text, /transform {2}61\.3 s {2}Spark read 1,900 rows/);
    });

    it("lists every dataset with its source, counts and invariants", () => {
        assert.match(text, /datasets \(in the order they ran\):\n {2}dataset +source +produced +landed +rejected +dropped +de-duplicated +curated +loaded +invariants\n {2}customers +database +50,120 +50,120 +0 +0 +0 +50,018 +50,018 +all 2 hold\n/);
        assert.match(text, /customers \(database\):\n {2}customers via cdc \(public\.customers\) +produced 50,120 +landed 50,120 +rejected 0\n/);
        assert.match(text, / {2}warehouse = source table, row by row: holds \(50,018 warehouse rows, 50,018 source rows, 0 differences\)/);
        const broken = formatLocalSummary({ ...summary, datasets: [{ ...customersRun, invariants: [{ name: "loaded = curated", holds: false, detail: "50,017 = 50,018" }] }] });
        assert.match(broken, /customers +database .* 1 DO NOT HOLD\n/);
        assert.match(broken, /loaded = curated: DOES NOT HOLD \(50,017 = 50,018\)/);
    });

    it("checks each equation between the counts", () => {
        assert.match(text, /produced = landed \+ rejected: holds/);
        assert.match(text, /curated = landed - dropped - de-duplicated: holds/);
        assert.match(text, /loaded = curated: holds/);
        const broken = formatLocalSummary({ ...summary, ok: false, counts: { ...summary.counts, loaded: 1879 } });
        assert.match(broken, /— FAILED\n/);
        assert.match(broken, /loaded = curated: DOES NOT HOLD/);
    });

    it("lists rejects by error type, quality verdicts and the query's rows", () => {
        assert.match(text, /cross_field {2}60\n {2}not_json {5}40/);
        assert.match(text, /pass {2}orders_present \(spark run\): \[error\] row count is 1880/);
        assert.match(text, /FAIL {2}orders_fresh \(warehouse\)/);
        assert.match(text, /2024-05-01 {2}NA {7}1,234 {2}98,765\.50/);
    });

    it("reports what a second run changed, or that this was the first run of the window", () => {
        assert.match(text, /second run of this window: 0 objects and 0 rows changed \(exactly once end to end\)/);
        const { changedSincePreviousRun: _ignored, ...first } = summary;
        assert.match(formatLocalSummary(first), /first run of this window: run again to see that nothing changes/);
    });
});
