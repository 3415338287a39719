/**
 * `npm run trace`: follows one row back to its source.
 *
 *   npm run trace -- --dataset orders --key ORD-2024-05-03-000042
 *   npm run trace -- --dataset fx_rates --key base_currency=USD,quote_currency=EUR,rate_date=2024-05-03 --format json
 *   npm run trace -- --dataset orders --key ORD-1 --sql-only --stack prod
 *
 * On the local platform (after `npm run local`, with the same MOTO_PORT, KAFKA_PORT and PGPORT) it
 * walks warehouse row → load → curated row → raw record → source record and prints each hop; then
 * it prints the Athena and Redshift SQL that do the same on the deployed stack (`--stack`, dev by
 * default). `--sql-only` prints just the SQL and needs no local service.
 */
import * as fs from "fs";
import * as path from "path";
import { readLocalSettings } from "../runtime/local/settings";
import { flagsOrExit, FlagError, parseFlags } from "./offline/flags";
import { describeKey, parseTraceKey, traceDataset, TraceInputError } from "./trace/keys";
import { formatTrace } from "./trace/hops";
import { openLocalTrace, traceLocal, TraceError } from "./trace/local";
import { athenaTraceSql, redshiftTraceSql } from "./trace/sql";

const usage =
    "npm run trace -- --dataset <name> --key <value | column=value,...> [--format text|json] [--stack dev|prod] [--sql-only]\n\n" +
    "Follows one row from the local warehouse (after npm run local) back through its load, the curated row and the raw record to its\n" +
    "source coordinates (Kafka topic/partition/offset, Kinesis stream/shard/sequence number, source table and change sequence, API\n" +
    "window, dropped file and line), re-reading the source record where the source still holds it; then prints the Athena and\n" +
    "Redshift SQL that do the same on the deployed stack (--stack, default dev). --sql-only prints only the SQL.";

/** The usage line that bad-flag messages end with (`--help` prints all of `usage`). */
const usageLine = usage.split("\n")[0] as string;

const root = path.resolve(__dirname, "..");

function projectName(): string {
    const text = fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8");
    const yaml = require("js-yaml") as typeof import("js-yaml");
    return String((yaml.load(text) as { name: string }).name);
}

function readOptions(argv: readonly string[]) {
    const flags = parseFlags(argv, { dataset: "string", key: "string", format: "string", stack: "string", "sql-only": "boolean" }, usage);
    const format = flags.get("format") ?? "text";
    if (format !== "text" && format !== "json") {
        throw new FlagError(`--format: expected text or json; found "${format}". Usage: ${usageLine}`);
    }
    const stack = flags.get("stack") ?? "dev";
    if (!fs.existsSync(path.join(root, `Pulumi.${stack}.yaml`))) {
        const stacks = fs.readdirSync(root).flatMap((name) => /^Pulumi\.(.+)\.yaml$/.exec(name)?.[1] ?? []);
        throw new FlagError(`--stack: no Pulumi.${stack}.yaml; expected one of ${stacks.join(", ")}. Usage: ${usageLine}`);
    }
    try {
        const dataset = traceDataset(flags.get("dataset"));
        return { dataset, key: parseTraceKey(dataset, flags.get("key")), format, stack, sqlOnly: flags.bool("sql-only") };
    } catch (error) {
        throw error instanceof TraceInputError ? new FlagError(`${error.message}. Usage: ${usageLine}`) : error;
    }
}

async function main(): Promise<void> {
    const options = flagsOrExit("trace", () => readOptions(process.argv.slice(2)));
    const names = { project: projectName(), stack: options.stack };
    // A key value that does not fit its column's type (a number, a date) is a flag error too.
    const sql = flagsOrExit("trace", () => {
        try {
            return { athena: athenaTraceSql(options.dataset, options.key, names), redshift: redshiftTraceSql(options.dataset, options.key, names) };
        } catch (error) {
            throw error instanceof TraceInputError ? new FlagError(`${error.message}. Usage: ${usageLine}`) : error;
        }
    });
    const key = describeKey(options.key);
    if (options.sqlOnly) {
        process.stdout.write(options.format === "json" ? `${JSON.stringify({ dataset: options.dataset.name, key, stack: options.stack, sql }, null, 2)}\n` : `${sql.athena}\n\n${sql.redshift}\n`);
        return;
    }
    const deps = await openLocalTrace(readLocalSettings());
    try {
        const hops = await traceLocal(deps, options.dataset, options.key);
        process.stdout.write(
            options.format === "json"
                ? `${JSON.stringify({ dataset: options.dataset.name, key, stack: options.stack, hops, sql }, null, 2)}\n`
                : formatTrace(options.dataset.name, key, hops, sql, options.stack),
        );
    } finally {
        await deps.pool.end();
        deps.s3.destroy();
    }
}

main().catch((error: unknown) => {
    if (error instanceof TraceError) {
        process.stderr.write(`trace: ${error.message}\n`);
        process.exit(1);
    }
    process.stderr.write(`trace: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
});
