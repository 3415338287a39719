/**
 * Warehouse loader from the command line (laptops, AWS Batch). Settings come from the environment
 * (see ./config.ts); AWS credentials and region from the usual SDK chain.
 *
 *   ts-node --transpile-only runtime/warehouse/cli.ts load --dataset orders
 *   ts-node --transpile-only runtime/warehouse/cli.ts setup --dataset orders
 *   ts-node --transpile-only runtime/warehouse/cli.ts sql --dataset orders [--dialect redshift|postgres]
 *       [--schema analytics] [--spectrum-schema lake --catalog-database <glue db> --role-arn <arn>]
 *
 * `load` and `setup` log each step as a Powertools JSON line (the same shape as the deployed load
 * function's log) and end with one JSON line that is the result.
 */
import { RedshiftDataClient } from "@aws-sdk/client-redshift-data";
import { S3Client } from "@aws-sdk/client-s3";
import { ConfigurationError, describeError } from "../common/errors";
import { createLogger } from "../common/telemetry";
import { getDataset } from "../datasets";
import { loaderSettingsFromEnv, warehouseSettingsFromEnv } from "./config";
import { DataApiExecutor } from "./dataApi";
import { warehouseSetupStatements } from "./ddl";
import { ensureWarehouseTables, loadCurated } from "./loader";
import { spectrumSchemaSql } from "./spectrum";
import { SqlDialect } from "./sql";

function options(argv: readonly string[]): { command: string; values: Map<string, string> } {
    const [command, ...rest] = argv;
    const values = new Map<string, string>();
    for (let i = 0; i < rest.length; i += 2) {
        if (!rest[i].startsWith("--") || rest[i + 1] === undefined) {
            throw new ConfigurationError(
                rest[i],
                `command line: expected --name value pairs after the command; found '${rest[i]}'${rest[i + 1] === undefined ? " without a value" : ""}. Write each flag as --name value, e.g. --dataset orders`,
            );
        }
        values.set(rest[i].slice(2), rest[i + 1]);
    }
    return { command: command ?? "", values };
}

const usage = `usage: ts-node --transpile-only runtime/warehouse/cli.ts <command> --dataset <name> [flags]

commands:
  load    load the curated files of the window into the warehouse (settings from the environment, see runtime/warehouse/config.ts)
  setup   create the schema, tables and load ledger if missing
  sql     print the setup SQL: [--dialect redshift|postgres] [--schema analytics]
          [--spectrum-schema lake --catalog-database <glue db> --role-arn <arn>]
`;

async function main(argv: readonly string[]): Promise<void> {
    if (argv.length === 0 || argv.includes("--help") || argv.includes("-h") || argv[0] === "help") {
        process.stdout.write(usage);
        return;
    }
    const { command, values } = options(argv);
    const datasetName = values.get("dataset");
    if (!datasetName) {
        throw new ConfigurationError("--dataset", `--dataset is required: expected a dataset name, found none; pass for example --dataset orders. ${usage}`);
    }
    const dataset = getDataset(datasetName);
    if (command === "sql") {
        const dialect: SqlDialect = values.get("dialect") === "postgres"
            ? { engine: "postgres", stageSourceTable: "curated_files" }
            : { engine: "redshift", copyRoleArn: values.get("role-arn") ?? "" };
        const statements = warehouseSetupStatements(dataset, values.get("schema") ?? "analytics", dialect);
        if (values.has("spectrum-schema")) {
            statements.push(
                spectrumSchemaSql({
                    schema: values.get("spectrum-schema") as string,
                    catalogDatabase: values.get("catalog-database") ?? "",
                    iamRoleArns: (values.get("role-arn") ?? "").split(",").filter(Boolean),
                }),
            );
        }
        process.stdout.write(`${statements.join(";\n\n")};\n`);
        return;
    }
    if (command !== "load" && command !== "setup") {
        throw new ConfigurationError("command", `unknown command '${command}': expected load, setup or sql; run with --help for the flags of each`);
    }
    const settings = command === "load" ? loaderSettingsFromEnv() : { ...warehouseSettingsFromEnv(), copyRoleArn: "", curatedUri: "", manifestUri: "", batchLimits: {} };
    const warehouse = new DataApiExecutor(new RedshiftDataClient({}), settings.target, { timeoutMs: settings.timeoutMs });
    const logger = createLogger({ serviceName: "warehouse-cli", persistentKeys: { command, dataset: dataset.name } });
    const deps = { s3: new S3Client({}), warehouse, log: (message: string, details: Record<string, unknown>) => logger.info(message, details) };
    const config = {
        dataset,
        schema: settings.schema,
        curatedUri: settings.curatedUri,
        manifestUri: settings.manifestUri,
        dialect: { engine: "redshift" as const, copyRoleArn: settings.copyRoleArn },
        batchLimits: settings.batchLimits,
    };
    if (command === "setup") {
        await ensureWarehouseTables(deps, config);
        process.stdout.write(`${JSON.stringify({ dataset: dataset.name, schema: settings.schema, created: "if missing" })}\n`);
        return;
    }
    process.stdout.write(`${JSON.stringify(await loadCurated(deps, config))}\n`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`warehouse: ${describeError(error)}\n`);
    process.exitCode = 1;
});
