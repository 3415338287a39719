import * as assert from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { Pool } from "pg";
import { readLocalSettings } from "../../../runtime/local/settings";
import { formatCount } from "../../../runtime/local/report";
import { LocalRunSummary } from "../../../runtime/local/summary";

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

function parseSummary(outcome: Outcome): LocalRunSummary {
    assert.strictEqual(outcome.code, 0, `npm run local failed (${outcome.code}):\n${outcome.stderr.split("\n").slice(-25).join("\n")}`);
    // --json prints exactly one JSON document on stdout; anything else there would break JSON.parse.
    return JSON.parse(outcome.stdout) as LocalRunSummary;
}

describe("npm run local -- --json: the whole platform on this machine", function () {
    this.timeout(900_000);
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

    it("reports every stage with its time, and is ok", () => {
        assert.deepStrictEqual(
            first.stages.map((stage) => stage.name),
            ["services", "setup", "produce", "ingest", "transform", "load", "quality", "query"],
        );
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
        assert.strictEqual(second.ok, true);
        assert.match(second.stages.find((stage) => stage.name === "produce")?.detail ?? "", /already produced, nothing sent/);
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
