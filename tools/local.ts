/**
 * `npm run local`: runs the whole platform on this machine from nothing, every kind of source
 * (database, API, file drop, stream), and prints what happened (see runtime/local/run.ts). Services are started with tools/services/*.sh, or reused when they
 * already answer on the configured ports (MOTO_PORT, KAFKA_PORT, KAFKA_CONTROLLER_PORT, PGPORT).
 *
 *   npm run local                         # 10,000 orders via Kafka, 1,000 via Kinesis, window 2024-05-01
 *   npm run local -- --json               # only the JSON summary on stdout (progress on stderr)
 *   npm run local -- --count 2000 --date 2024-06-01
 *   npm run local -- --down               # stop the services npm run local started
 */
import { format } from "util";
import { orders } from "../runtime/datasets";
import { formatLocalSummary } from "../runtime/local/format";
import { missingPrerequisites, prerequisiteMessage, systemProbe } from "../runtime/local/prerequisites";
import { runLocal, stopLocal } from "../runtime/local/run";
import { projectRoot } from "../runtime/local/services";
import { readLocalSettings } from "../runtime/local/settings";
import { flagsOrExit, FlagError, parseFlags } from "./offline/flags";

const usage =
    "npm run local -- [--json] [--count N] [--kinesis-count N] [--date YYYY-MM-DD] [--seed N] [--bad-ratio R] [--resend-every N] | --down\n\n" +
    "Runs every kind of source on this machine, in dependency order: customers by change data capture from PostgreSQL, fx_rates by the API\n" +
    "connector against a local HTTP API, store_inventory by a partner file drop, then orders through Kafka and Kinesis (joined with customers,\n" +
    "converted to USD with fx_rates); each through its landing code, Spark, the warehouse load and the quality checks. Prints per-dataset counts\n" +
    "and invariants and a per-stage summary. A second run of the same window changes nothing. The flags size the orders stream: --count 10000 (Kafka), --kinesis-count count/10,\n" +
    "--date 2024-05-01, --seed 1, --bad-ratio 0.05, --resend-every 100 (every 100th valid order is sent twice). --down stops what npm run local started.";

const spec = {
    json: "boolean",
    down: "boolean",
    count: "number",
    "kinesis-count": "number",
    date: "string",
    seed: "number",
    "bad-ratio": "number",
    "resend-every": "number",
} as const;

interface Options {
    readonly json: boolean;
    readonly down: boolean;
    readonly count: number;
    readonly kinesisCount: number;
    readonly date: string;
    readonly seed: number;
    readonly badRatio: number;
    readonly resendEvery: number;
}

function readOptions(argv: readonly string[]): Options {
    const flags = parseFlags(argv, spec, usage);
    const count = flags.count("count", 10_000);
    const kinesisCount = flags.number("kinesis-count") ?? Math.max(1, Math.round(count / 10));
    const wholeAtLeast = (name: string, value: number, min: number) => {
        if (!Number.isInteger(value) || value < min) {
            throw new FlagError(`--${name}: expected a whole number of at least ${min}; found ${value}. Usage: ${usage}`);
        }
        return value;
    };
    const badRatio = flags.number("bad-ratio") ?? 0.05;
    if (!(badRatio >= 0 && badRatio <= 1)) {
        throw new FlagError(`--bad-ratio: expected a share from 0 to 1; found ${badRatio}. Usage: ${usage}`);
    }
    const date = flags.get("date") ?? "2024-05-01";
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`))) {
        throw new FlagError(`--date: expected a UTC date YYYY-MM-DD; found "${date}". Usage: ${usage}`);
    }
    return {
        json: flags.bool("json"),
        down: flags.bool("down"),
        count,
        kinesisCount: wholeAtLeast("kinesis-count", kinesisCount, 0),
        date,
        seed: wholeAtLeast("seed", flags.number("seed") ?? 1, 0),
        badRatio,
        resendEvery: wholeAtLeast("resend-every", flags.number("resend-every") ?? 100, 0),
    };
}

/** Progress bars on stderr when it is a terminal; one bar per stage, replaced when the stage changes. */
function progressReporter(): ((stage: string, done: number, total: number) => void) | undefined {
    if (!process.stderr.isTTY) {
        return undefined;
    }
    const cliProgress = require("cli-progress") as typeof import("cli-progress");
    let current: { stage: string; bar: import("cli-progress").SingleBar } | undefined;
    return (stage, done, total) => {
        if (current?.stage !== stage) {
            current?.bar.stop();
            const bar = new cliProgress.SingleBar({ format: `   ${stage} [{bar}] {value}/{total}`, stream: process.stderr, hideCursor: true, clearOnComplete: false }, cliProgress.Presets.shades_classic);
            bar.start(total, done);
            current = { stage, bar };
        } else {
            current.bar.setTotal(total);
            current.bar.update(done);
        }
        if (done >= total) {
            current.bar.stop();
            current = undefined;
        }
    };
}

async function main(): Promise<number> {
    const options = flagsOrExit("local", () => readOptions(process.argv.slice(2)));
    const log = (text: string) => {
        process.stderr.write(text);
    };
    if (options.json) {
        // Only the summary goes to stdout; anything a library prints there goes to stderr instead.
        console.log = (...args: unknown[]) => log(`${format(...args)}\n`);
        console.info = console.log;
    }
    if (options.down) {
        const stopped = await stopLocal(log);
        process.stdout.write(options.json ? `${JSON.stringify({ stopped })}\n` : `stopped: ${stopped.length > 0 ? stopped.join(", ") : "nothing (npm run local started no service that is still recorded)"}\n`);
        return 0;
    }
    const missing = missingPrerequisites(systemProbe(projectRoot));
    if (missing.length > 0) {
        process.stderr.write(`local: missing prerequisites, nothing was started:\n${prerequisiteMessage(missing)}\n`);
        return 2;
    }
    // Local runs talk to moto only: never sign with whatever real AWS credentials the shell has.
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", AWS_REGION: process.env.AWS_REGION ?? "us-east-1", AWS_EC2_METADATA_DISABLED: "true" });
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;
    // The summary reports every quality check; the EMF documents the deployed step prints are for CloudWatch.
    process.env.POWERTOOLS_METRICS_DISABLED = "true";
    const progress = progressReporter();
    const summary = await runLocal({
        settings: readLocalSettings(),
        dataset: orders,
        date: options.date,
        kafkaCount: options.count,
        kinesisCount: options.kinesisCount,
        seed: options.seed,
        badRatio: options.badRatio,
        resendEvery: options.resendEvery,
        log,
        ...(progress ? { onProgress: progress } : {}),
    });
    process.stdout.write(options.json ? `${JSON.stringify(summary, null, 2)}\n` : formatLocalSummary(summary));
    return summary.ok ? 0 : 1;
}

main().then(
    (code) => process.exit(code),
    (error: unknown) => {
        process.stderr.write(`local: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
    },
);
