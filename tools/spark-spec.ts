/**
 * Renders the transform job's spec document for datasets, the file infra uploads next to
 * `runtime/spark/transform_job.py` (it can also use `renderSparkTransformSpec` directly).
 *
 *   npx ts-node --transpile-only tools/spark-spec.ts --dataset orders               # to stdout
 *   npx ts-node --transpile-only tools/spark-spec.ts --dataset orders --out o.json  # to a file
 *   npx ts-node --transpile-only tools/spark-spec.ts --all --out build/spark        # <dir>/<name>.spec.json
 */
import * as fs from "fs";
import * as path from "path";
import { checkDatasetDefinition, datasets, getDataset } from "../runtime/datasets";
import { renderSparkTransformSpec } from "../runtime/spark/spec";

const usage = "npm run spark-spec -- (--dataset <name>... | --all) [--out <file-or-dir>]";
const help = `usage: ${usage}

flags:
  --dataset <name>  a dataset of runtime/datasets (repeatable)
  --all             every dataset
  --out <path>      a file for one dataset, a directory for several (<dir>/<name>.spec.json); stdout when absent
  --help
`;

interface Options {
    readonly names: string[];
    readonly all: boolean;
    readonly out?: string;
}

function parseOptions(argv: readonly string[]): Options | "help" {
    if (argv.includes("--help") || argv.includes("-h")) {
        return "help";
    }
    const names: string[] = [];
    let all = false;
    let out: string | undefined;
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        const value = () => {
            const next = argv[++i];
            if (next === undefined || next.startsWith("--")) {
                throw new Error(`${arg} needs a value`);
            }
            return next;
        };
        if (arg === "--dataset") {
            names.push(value());
        } else if (arg === "--all") {
            all = true;
        } else if (arg === "--out") {
            out = value();
        } else {
            throw new Error(`unknown argument '${arg}'; usage: ${usage}`);
        }
    }
    if (all === names.length > 0) {
        throw new Error("give either --all or one or more --dataset <name>");
    }
    if (out === undefined && (all || names.length > 1)) {
        throw new Error("several datasets need --out <directory>");
    }
    return { names, all, out };
}

function main(argv: readonly string[]): void {
    const options = parseOptions(argv);
    if (options === "help") {
        process.stdout.write(help);
        return;
    }
    const selected = options.all ? [...datasets] : options.names.map((name) => getDataset(name));
    selected.forEach((dataset) => checkDatasetDefinition(dataset));
    if (options.out === undefined) {
        process.stdout.write(renderSparkTransformSpec(selected[0]));
        return;
    }
    const toDirectory = options.all || selected.length > 1 || options.out.endsWith("/") || (fs.existsSync(options.out) && fs.statSync(options.out).isDirectory());
    for (const dataset of selected) {
        const file = toDirectory ? path.join(options.out, `${dataset.name}.spec.json`) : options.out;
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, renderSparkTransformSpec(dataset));
        process.stdout.write(`${file}\n`);
    }
}

try {
    main(process.argv.slice(2));
} catch (error) {
    process.stderr.write(`spark-spec: ${(error as Error).message}\n`);
    process.exitCode = 1;
}
