/**
 * Prints, as JSON, what one Glue job run of the transform gets in the `sparkMode: glue` variant of
 * a stack, read from the offline plan (never restated): the job's name, script and default
 * arguments, and the run arguments of the state machine's Transform state for one dataset, with
 * their JSONata expressions evaluated exactly as Step Functions would for an execution started
 * with `{ start, end }`. Also the dataset's spec as uploaded and the lake's bucket names, so the
 * caller can stand local folders in for them. Used by tests/spark/test_glue_job.py.
 *
 * Usage: node -r ts-node/register/transpile-only tests/spark/glue_run.ts <stack> <dataset> <start> <end> <execution name>
 */
import jsonata from "jsonata";
import { runOffline } from "../../tools/offline/program";

const expression = /^\{% (.*) %\}$/s;

async function evaluate(value: unknown, bindings: Record<string, unknown>): Promise<unknown> {
    const match = typeof value === "string" ? expression.exec(value) : null;
    return match ? jsonata(match[1] as string).evaluate({}, bindings) : value;
}

async function main(): Promise<void> {
    const [stack, dataset, start, end, executionName] = process.argv.slice(2);
    if (!stack || !dataset || !start || !end || !executionName) {
        throw new Error("usage: glue_run.ts <stack> <dataset> <start> <end> <execution name>");
    }
    const run = await runOffline({ stack, overrides: { "platform:sparkMode": "glue" } });
    const job = run.resources.find((r) => r.type === "aws:glue/job:Job" && r.name === "transform-glue-transform");
    const machine = run.resources.find((r) => r.type === "aws:sfn/stateMachine:StateMachine");
    if (!job || !machine) {
        throw new Error(`the glue variant of ${stack} declares no transform Glue job or no state machine`);
    }
    const definition = JSON.parse(machine.inputs.definition as string);
    const perDataset = definition.States.PerDataset;
    const item = (perDataset.Items as { dataset: string; specUri: string }[]).find((i) => i.dataset === dataset);
    if (!item) {
        throw new Error(`the pipeline has no item for dataset ${dataset}`);
    }
    const context = { Execution: { Name: executionName, StartTime: "2024-05-03T00:00:00Z" } };
    const window = definition.States.DefineWindow.Assign as Record<string, string>;
    const outer = { states: { input: { start, end }, context } };
    const windowStart = await evaluate(window.windowStart, outer);
    const windowEnd = await evaluate(window.windowEnd, outer);
    const transform = perDataset.ItemProcessor.States.Transform;
    const bindings = { states: { input: item, context }, windowStart, windowEnd };
    const runArguments: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(transform.Arguments.Arguments as Record<string, unknown>)) {
        runArguments[name] = await evaluate(value, bindings);
    }
    const spec = run.resources.find((r) => r.type === "aws:s3/bucketObjectv2:BucketObjectv2" && r.name === `transform-spec-${dataset}`);
    const script = run.resources.find((r) => r.type === "aws:s3/bucketObjectv2:BucketObjectv2" && r.name === "transform-script");
    const bucketOf = (zone: string) => run.resources.find((r) => r.type === "aws:s3/bucket:Bucket" && r.name === `lake-${zone}`)?.state.bucket as string | undefined;
    const out = {
        resource: transform.Resource,
        jobName: transform.Arguments.JobName,
        declaredJobName: job.inputs.name,
        command: job.inputs.command,
        defaultArguments: job.inputs.defaultArguments,
        runArguments,
        spec: { uri: item.specUri, key: spec?.inputs.key, content: spec?.inputs.content },
        scriptKey: script?.inputs.key,
        buckets: { raw: bucketOf("raw"), curated: bucketOf("curated"), artifacts: bucketOf("artifacts") },
    };
    process.stdout.write(JSON.stringify(out));
}

main().then(
    () => process.exit(0),
    (error: Error) => {
        process.stderr.write(`${error.stack ?? error.message}\n`);
        process.exit(1);
    },
);
