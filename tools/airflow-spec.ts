/**
 * Writes what the Airflow tests compare, from offline runs of a stack: the DAG spec the program
 * uploads beside the DAG when the stack runs `orchestrator: airflow` (platform_pipeline.json) and
 * the state machine definition the same stack declares with Step Functions (state-machine.json).
 *
 *   npx ts-node --transpile-only tools/airflow-spec.ts --stack dev --out build/airflow
 */
import * as fs from "fs";
import * as path from "path";
import { airflowSpecKey } from "../infra/orchestration/airflow";
import { runOffline } from "./offline/program";

const usage = "npx ts-node --transpile-only tools/airflow-spec.ts --stack <dev|prod> --out <dir>";

function flag(argv: readonly string[], name: string): string {
    const i = argv.indexOf(name);
    const value = i >= 0 ? argv[i + 1] : undefined;
    if (value === undefined || value.startsWith("--")) {
        throw new Error(`${name} is required: ${usage}`);
    }
    return value;
}

async function main(argv: readonly string[]): Promise<void> {
    const stack = flag(argv, "--stack");
    const out = flag(argv, "--out");
    const airflow = await runOffline({ stack, overrides: { "platform:orchestrator": "airflow" } });
    const spec = airflow.resources.find((r) => r.type === "aws:s3/bucketObjectv2:BucketObjectv2" && r.inputs.key === airflowSpecKey);
    if (!spec || typeof spec.inputs.content !== "string") {
        throw new Error(`stack ${stack} with orchestrator airflow declares no ${airflowSpecKey} object`);
    }
    const stepFunctions = await runOffline({ stack, overrides: { "platform:orchestrator": "stepfunctions" } });
    const machine = stepFunctions.resources.find((r) => r.type === "aws:sfn/stateMachine:StateMachine");
    if (!machine || typeof machine.inputs.definition !== "string") {
        throw new Error(`stack ${stack} with orchestrator stepfunctions declares no state machine`);
    }
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, "platform_pipeline.json"), spec.inputs.content);
    fs.writeFileSync(path.join(out, "state-machine.json"), machine.inputs.definition);
    process.stdout.write(`${path.join(out, "platform_pipeline.json")}\n${path.join(out, "state-machine.json")}\n`);
}

main(process.argv.slice(2)).catch((error: Error) => {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
});
