import * as assert from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { Pool } from "pg";
import { readLocalSettings } from "../../../runtime/local/settings";
import { formatCount } from "../../../runtime/local/report";
import { sourceDatabaseUrl } from "../../../runtime/local/databaseStage";
import { LocalDatasetRun, LocalRunSummary } from "../../../runtime/local/summary";
import { orders } from "../../../runtime/datasets";
import { sourcePlans } from "../../../runtime/local/run";
import { sourceMessages, windowOf } from "../../../runtime/local/sources";
import { localBuckets } from "../../../runtime/local/lake";
import { localLakeStore, localLineagePrefix } from "../../../runtime/local/lineage";
import { assertValidEvents, parseLineageObjects } from "../../helpers/lineage/schema";

function datasetRun(summary: LocalRunSummary, name: string): LocalDatasetRun {
    const found = summary.datasets.find((run) => run.dataset === name);
    assert.ok(found, `the run reports dataset ${name}; found ${summary.datasets.map((run) => run.dataset).join(", ")}`);
    return found;
}

/**
 * `npm run local -- --json` end to end on this machine: the services on the ports in the
 * environment (started if they are down), a small window of its own (so a developer's own runs of
 * the default window do not interfere), run twice.
 */
const root = path.resolve(__dirname, "..", "..", "..");
const date = "2024-05-03";
const args = ["--json", "--count", "1000", "--kinesis-count", "150", "--date", date, "--bad-ratio", "0.05", "--resend-every", "50"];

interface Outcome {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
}

function runLocalCommand(extra: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<Outcome> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(root, "tools", "local.ts"), ...extra], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
        child.on("error", reject);
        child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
    });
}

function runTool(tool: string, extra: readonly string[]): Promise<Outcome> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(root, "tools", tool), ...extra], { cwd: root, env: process.env, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
        child.on("error", reject);
        child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
    });
}

interface TraceOutput {
    readonly hops: readonly { readonly hop: string; readonly details: Record<string, unknown> }[];
}

async function runTrace(extra: readonly string[]): Promise<TraceOutput> {
    const outcome = await runTool("trace.ts", extra);
    assert.strictEqual(outcome.code, 0, `npm run trace ${extra.join(" ")} failed (${outcome.code}):\n${outcome.stderr}`);
    return JSON.parse(outcome.stdout) as TraceOutput;
}

function parseSummary(outcome: Outcome): LocalRunSummary {
    assert.strictEqual(outcome.code, 0, `npm run local failed (${outcome.code}):\n${outcome.stderr.split("\n").slice(-25).join("\n")}`);
    // --json prints exactly one JSON document on stdout; anything else there would break JSON.parse.
    return JSON.parse(outcome.stdout) as LocalRunSummary;
}

describe("npm run local -- --json: the whole platform on this machine", function () {
    // Two runs: the first runs Spark four times (the second reuses every output).
    this.timeout(1_800_000);
    let first: LocalRunSummary;
    let second: LocalRunSummary;

    before(async () => {
        first = parseSummary(await runLocalCommand(args));
        second = parseSummary(await runLocalCommand(args));
    });

    it("accounts for every produced record: produced = landed + rejected, per source and in total", () => {
        const { counts } = first;
        assert.ok(counts.produced >= 1150, `produced ${counts.produced}`);
        assert.strictEqual(counts.produced, counts.landed + counts.rejected);
        for (const source of first.sources) {
            assert.strictEqual(source.produced, source.landed + source.rejected, source.name);
        }
        assert.deepStrictEqual(first.sources.map((source) => source.name), ["orders via msk", "orders via kinesis"]);
        assert.ok(counts.rejected > 0);
        assert.strictEqual(Object.values(counts.rejectedByErrorType).reduce((sum, value) => sum + value, 0), counts.rejected);
    });

    it("curates every landed record but the dropped and the duplicates: curated = landed - dropped - duplicates", () => {
        const { counts } = first;
        assert.ok(counts.duplicates > 0, "the producers re-send some orders, which the Spark job must remove");
        assert.strictEqual(counts.curated, counts.landed - counts.dropped - counts.duplicates);
    });

    it("loads exactly the curated rows into the warehouse for the window, as PostgreSQL itself counts them", async () => {
        assert.strictEqual(first.counts.loaded, first.counts.curated);
        const pool = new Pool({ connectionString: readLocalSettings().postgresUrl, max: 1 });
        try {
            const result = await pool.query(`SELECT COUNT(*)::int AS n FROM analytics.orders WHERE event_time >= $1 AND event_time < $2`, [`${date}T00:00:00Z`, "2024-05-04T00:00:00Z"]);
            assert.strictEqual(result.rows[0].n, first.counts.curated);
        } finally {
            await pool.end();
        }
    });

    it("passes every quality check, on the Spark run and on the warehouse", () => {
        assert.ok(first.quality.length >= 12);
        assert.deepStrictEqual(first.quality.filter((result) => !result.passed), []);
    });

    it("answers the final query with the loaded orders, per region and day", () => {
        assert.ok(first.query.rows.length > 0);
        assert.ok(first.query.rows.every((row) => row.day === date));
        assert.strictEqual(first.query.rows.reduce((sum, row) => sum + row.orders, 0), first.counts.loaded);
    });

    it("runs every kind of source, the datasets orders joins first", () => {
        assert.deepStrictEqual(
            first.datasets.map((run) => `${run.dataset}:${run.source}`),
            ["customers:database", "fx_rates:api", "store_inventory:file", "orders:stream"],
        );
        for (const run of first.datasets) {
            assert.deepStrictEqual(run.invariants.filter((check) => !check.holds), [], run.dataset);
            assert.ok(run.invariants.length >= 3, run.dataset);
        }
        assert.deepStrictEqual(datasetRun(first, "orders").counts, first.counts, "the top-level counts are the orders dataset's");
    });

    it("fx_rates: the connector lands every record the API serves for the window, and Spark keeps the latest revision per rate", () => {
        const { counts, sources } = datasetRun(first, "fx_rates");
        assert.deepStrictEqual(sources.map((source) => source.name), ["fx_rates via api"]);
        assert.strictEqual(counts.produced, counts.landed + counts.rejected);
        assert.strictEqual(counts.rejected, 2, "the API serves two records the fx_rates rules reject");
        assert.ok(counts.duplicates > 0, "each rate is revised once during the day");
        assert.strictEqual(counts.curated, counts.landed - counts.dropped - counts.duplicates);
        assert.strictEqual(counts.loaded, counts.curated);
    });

    it("store_inventory: rows in the dropped files = landed + rejected, per file and in total", () => {
        const { counts, sources } = datasetRun(first, "store_inventory");
        assert.deepStrictEqual(sources.map((source) => source.name.replace(/-\d{4}-\d{2}-\d{2}-/, "-D-")), ["store_inventory via file stock-D-morning.csv", "store_inventory via file stock-D-evening.jsonl"]);
        for (const source of sources) {
            assert.strictEqual(source.produced, source.landed + source.rejected, source.name);
            assert.ok(source.rejected > 0, `${source.name} has broken rows`);
        }
        assert.strictEqual(counts.curated, counts.landed - counts.dropped - counts.duplicates);
        assert.strictEqual(counts.loaded, counts.curated);
    });

    it("customers: every captured change lands, and the warehouse table equals the source table row by row", async () => {
        const { counts } = datasetRun(first, "customers");
        assert.ok(counts.produced >= 50_000, "the full load carries every customer the orders draw");
        assert.strictEqual(counts.produced, counts.landed + counts.rejected);
        assert.strictEqual(counts.loaded, counts.curated);
        const settings = readLocalSettings();
        const source = new Pool({ connectionString: sourceDatabaseUrl(settings.postgresUrl), max: 1 });
        const warehouse = new Pool({ connectionString: settings.postgresUrl, max: 1 });
        try {
            const columns = `id, name, email, country, segment, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS') AS created_at, to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS') AS updated_at`;
            const expected = (await source.query(`SELECT ${columns} FROM public.customers ORDER BY id`)).rows;
            const got = (await warehouse.query(`SELECT ${columns} FROM analytics.customers ORDER BY id`)).rows;
            assert.strictEqual(got.length, counts.loaded);
            assert.deepStrictEqual(got, expected);
            const workload = await source.query(`SELECT window_date::text AS d FROM local_run.workloads WHERE window_date = $1`, [date]);
            assert.strictEqual(workload.rowCount, 1, "the window's workload (inserts, updates, deletes, a key update) ran once");
        } finally {
            await source.end();
            await warehouse.end();
        }
    });

    it("orders carry amount_usd from the curated fx_rates, and the customer's segment and country from customers", async () => {
        const pool = new Pool({ connectionString: readLocalSettings().postgresUrl, max: 1 });
        try {
            const window = [`${date}T00:00:00Z`, "2024-05-04T00:00:00Z"];
            const rows = (
                await pool.query(
                    `SELECT o.currency, COUNT(*)::int AS orders, COUNT(o.amount_usd)::int AS converted, ` +
                        `COUNT(*) FILTER (WHERE o.customer_segment = c.segment AND o.customer_country IS NOT DISTINCT FROM c.country)::int AS with_customer ` +
                        `FROM analytics.orders o LEFT JOIN analytics.customers c ON c.id = o.customer_id WHERE o.event_time >= $1 AND o.event_time < $2 GROUP BY o.currency ORDER BY o.currency`,
                    window,
                )
            ).rows as { currency: string; orders: number; converted: number; with_customer: number }[];
            assert.ok(rows.length >= 5, `orders in several currencies: ${JSON.stringify(rows)}`);
            for (const row of rows) {
                // The local rates API serves a USD rate for every order currency but MXN.
                assert.strictEqual(row.converted, row.currency === "MXN" ? 0 : row.orders, `amount_usd of the ${row.currency} orders`);
                assert.strictEqual(row.with_customer, row.orders, `customer columns of the ${row.currency} orders`);
            }
            const usd = await pool.query(`SELECT COUNT(*)::int AS n FROM analytics.orders WHERE currency = 'USD' AND amount_usd <> amount AND event_time >= $1 AND event_time < $2`, window);
            assert.strictEqual(usd.rows[0].n, 0, "USD amounts are copied");
            const eur = await pool.query(
                `SELECT COUNT(*)::int AS n FROM analytics.orders o JOIN analytics.fx_rates r ON r.quote_currency = o.currency AND r.rate_date = (o.event_time AT TIME ZONE 'UTC')::date ` +
                    `WHERE o.currency = 'EUR' AND ABS(o.amount_usd - ROUND(o.amount / r.rate, 2)) > 0.01 AND o.event_time >= $1 AND o.event_time < $2`,
                window,
            );
            assert.strictEqual(eur.rows[0].n, 0, "EUR amounts are divided by the day's latest EUR rate");
        } finally {
            await pool.end();
        }
    });

    it("records every stage's OpenLineage events under lineage/ of the raw bucket, each valid under the official schema", async () => {
        const store = localLakeStore(readLocalSettings());
        const keys = await store.listKeys(localBuckets.raw, `${localLineagePrefix}/`);
        const events = parseLineageObjects(await Promise.all(keys.map(async (key) => (await store.getObject(localBuckets.raw, key))!)));
        assertValidEvents(events);
        assert.strictEqual(second.lineage.events, events.length);
        const jobs = new Set(events.map((event) => event.job.name));
        for (const job of ["api-connector.fx-rates", "file-ingest.store_inventory", "ingest.orders", "transform.fx_rates", "transform.store_inventory", "transform.orders", "warehouse-load.fx_rates", "warehouse-load.store_inventory", "warehouse-load.orders", "quality.orders.sparkRun", "quality.orders.warehouse"]) {
            assert.ok(jobs.has(job), `a ${job} event; found ${[...jobs].sort().join(", ")}`);
        }
        assert.deepStrictEqual([first.lineage.emitFailures, second.lineage.emitFailures], [0, 0]);
        // The stream's window runs are finished once the transform has read them: every ingest run has a COMPLETE.
        const ingestRuns = new Set(events.filter((event) => event.job.name === "ingest.orders").map((event) => event.run.runId));
        const completed = new Set(events.filter((event) => event.job.name === "ingest.orders" && event.eventType === "COMPLETE").map((event) => event.run.runId));
        assert.ok(ingestRuns.size > 0);
        assert.deepStrictEqual([...ingestRuns].filter((runId) => !completed.has(runId)), []);
    });

    it("draws a lineage graph that connects every source (Kafka, Kinesis, the API, the file drop, the database) to its warehouse tables", () => {
        const { lineage } = first;
        const reaches = (kind: string) => lineage.sources.filter((source) => source.kind === kind).flatMap((source) => source.reaches.map((table) => table.split(".").pop()));
        assert.deepStrictEqual([...new Set(reaches("kafka"))], ["orders"]);
        assert.deepStrictEqual([...new Set(reaches("kinesis"))], ["orders"]);
        assert.deepStrictEqual([...new Set(reaches("api"))], ["fx_rates"]);
        assert.deepStrictEqual([...new Set(reaches("file"))], ["store_inventory"]);
        // The captured table reaches its own warehouse table and, through the customers reference, orders.
        assert.deepStrictEqual([...new Set(reaches("database"))].sort(), ["customers", "orders"]);
        // Every source in the graph reaches a table, and every warehouse table in it is reached from a source.
        assert.deepStrictEqual([lineage.strandedSources, lineage.unreachedTables], [[], []]);
        assert.ok(lineage.warehouseTables.length >= 4, lineage.warehouseTables.join(", "));
        // The checks judge the datasets the transform and the load wrote: the same nodes, not look-alikes.
        for (const dataset of ["orders", "fx_rates", "store_inventory"]) {
            const curated = `s3://${localBuckets.curated}/${dataset}`;
            assert.ok(lineage.edges.some((edge) => edge.from === curated && edge.to.endsWith(`/quality.${dataset}.sparkRun`)), `quality.${dataset}.sparkRun reads ${curated}`);
            assert.ok(lineage.edges.some((edge) => edge.from.endsWith(`.${dataset}`) && edge.from.startsWith("redshift://") && edge.to.endsWith(`/quality.${dataset}.warehouse`)), `quality.${dataset}.warehouse reads the table`);
        }
    });

    it("reports every stage with its time, and is ok", () => {
        assert.deepStrictEqual(first.stages.map((stage) => stage.name), [
            "services",
            "setup",
            "customers: capture",
            "customers: apply",
            "customers: load",
            "fx_rates: fetch",
            "fx_rates: transform",
            "fx_rates: load",
            "fx_rates: quality",
            "store_inventory: drop",
            "store_inventory: transform",
            "store_inventory: load",
            "store_inventory: quality",
            "produce",
            "ingest",
            "transform",
            "load",
            "quality",
            "query",
            "lineage",
        ]);
        assert.ok(first.stages.every((stage) => stage.seconds >= 0 && stage.detail !== ""));
        assert.strictEqual(first.ok, true);
    });

    it("writes the HTML report of the run under .local/local-run/, with the run's own figures", () => {
        assert.strictEqual(first.report, path.join(".local", "local-run", "report.html"));
        const html = fs.readFileSync(path.join(root, second.report ?? ""), "utf8");
        assert.match(html, /^<!DOCTYPE html>/i);
        for (const figure of [second.counts.produced, second.counts.landed, second.counts.rejected, second.counts.loaded]) {
            assert.ok(html.includes(formatCount(figure)), `the report shows ${formatCount(figure)}`);
        }
    });

    it("changes no object and no row when run a second time, with the same figures", () => {
        assert.deepStrictEqual(second.changedSincePreviousRun, { objects: 0, rows: 0 });
        assert.deepStrictEqual(second.counts, first.counts);
        assert.deepStrictEqual(
            second.datasets.map((run) => [run.dataset, run.counts]),
            first.datasets.map((run) => [run.dataset, run.counts]),
        );
        assert.strictEqual(second.ok, true);
        const detail = (name: string) => second.stages.find((stage) => stage.name === name)?.detail ?? "";
        assert.match(detail("produce"), /already produced, nothing sent/);
        assert.match(detail("customers: capture"), /workload for 2024-05-03 already ran; captured 0 change rows now/);
        assert.match(detail("customers: apply"), /Spark not rerun/);
        assert.match(detail("fx_rates: fetch"), /window already fetched \(checkpoint at its end\), nothing requested/);
        assert.match(detail("store_inventory: drop"), /already dropped, nothing uploaded/);
    });

    it("traces an order of each stream from the warehouse back to the record the producer sent (npm run trace)", async () => {
        const plans = sourcePlans({ dataset: orders, date, kafkaCount: 1000, kinesisCount: 150, seed: 1, badRatio: 0.05, resendEvery: 50 });
        assert.deepStrictEqual(plans.map((plan) => plan.engine), ["msk", "kinesis"]);
        for (const plan of plans) {
            // The 7th valid order the producer sent once (re-sent ones have two coordinates; either may win).
            const sent = sourceMessages(plan, windowOf(date)).filter((message) => !message.defective && !message.resent);
            const resentKeys = new Set(sourceMessages(plan, windowOf(date)).filter((message) => message.resent).map((message) => message.key));
            const message = sent.filter((candidate) => !resentKeys.has(candidate.key))[7];
            assert.ok(message, `${plan.name}: a valid order`);
            const produced = JSON.parse(String(message.value)) as Record<string, unknown>;
            const trace = await runTrace(["--dataset", "orders", "--key", String(produced.order_id), "--format", "json"]);
            assert.deepStrictEqual(trace.hops.map((hop) => hop.hop), ["warehouse", "load", "curated", "raw", "source"]);
            const [warehouse, , , raw, source] = trace.hops;
            assert.strictEqual(warehouse.details._source_engine, plan.engine === "msk" ? "kafka" : "kinesis");
            assert.strictEqual(warehouse.details._source_name, plan.stream);
            assert.match(String(warehouse.details._load_id), /^orders-\d{8}T\d{6}Z-[0-9a-f]{12}$/);
            assert.deepStrictEqual(source.details.sent, produced, `${plan.name}: the source record at the row's coordinates is the one the producer sent`);
            assert.strictEqual(source.details.matchesRaw, true);
            assert.strictEqual((raw.details.record as Record<string, unknown>).order_id, produced.order_id);
        }
    });

    it("traces a row of every other dataset to its source coordinates", async () => {
        const pool = new Pool({ connectionString: readLocalSettings().postgresUrl, max: 1 });
        try {
            const keys: Record<string, string> = {
                customers: (await pool.query(`SELECT id FROM analytics.customers ORDER BY id LIMIT 1`)).rows[0].id,
                fx_rates: (await pool.query(`SELECT 'base_currency=' || base_currency || ',quote_currency=' || quote_currency || ',rate_date=' || rate_date::text AS k FROM analytics.fx_rates ORDER BY 1 LIMIT 1`)).rows[0].k,
                store_inventory: (await pool.query(`SELECT 'store_id=' || store_id || ',sku=' || sku || ',as_of=' || to_char(as_of AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS k FROM analytics.store_inventory ORDER BY 1 LIMIT 1`)).rows[0].k,
            };
            const engines: Record<string, string> = { customers: "dms", fx_rates: "api", store_inventory: "file" };
            for (const [dataset, key] of Object.entries(keys)) {
                const trace = await runTrace(["--dataset", dataset, "--key", key, "--format", "json"]);
                assert.deepStrictEqual(trace.hops.map((hop) => hop.hop), ["warehouse", "load", "curated", "raw", "source"], dataset);
                assert.strictEqual(trace.hops[0].details._source_engine, engines[dataset], dataset);
                assert.ok(String(trace.hops[0].details._load_id).startsWith(dataset), `${dataset}: the warehouse row carries its load id`);
            }
        } finally {
            await pool.end();
        }
    });

    it("fails trace with a clear message for a key the warehouse does not hold", async () => {
        const outcome = await runTool("trace.ts", ["--dataset", "orders", "--key", "ORD-000000000000"]);
        assert.strictEqual(outcome.code, 1);
        assert.match(outcome.stderr, /^trace: no orders row has key order_id=ORD-000000000000 in analytics\.orders; for example: order_id=ORD-/);
    });
});

describe("npm run local: prerequisites", function () {
    this.timeout(120_000);

    it("fails with exit code 2 and the install command when java is missing, starting nothing", async () => {
        const state = path.join(root, ".local", "local-run", "services.json");
        const before = fs.existsSync(state) ? fs.readFileSync(state, "utf8") : undefined;
        const outcome = await runLocalCommand(["--count", "10"], { ...process.env, PATH: "" });
        assert.strictEqual(outcome.code, 2);
        assert.strictEqual(outcome.stdout, "");
        assert.match(outcome.stderr, /java was not found on PATH \(the Kafka broker and Spark run on Java 17\+\); install it with: sudo apt-get install -y openjdk-17-jre-headless/);
        assert.strictEqual(fs.existsSync(state) ? fs.readFileSync(state, "utf8") : undefined, before);
    });
});
