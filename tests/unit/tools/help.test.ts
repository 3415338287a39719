import * as assert from "assert";
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { promisify } from "util";

const run = promisify(execFile);
const root = path.resolve(__dirname, "..", "..", "..");
const tsNode = path.join(root, "node_modules", ".bin", "ts-node");

/** Every command a user runs: the package scripts that start a TypeScript tool, and the runtime's own CLIs. */
function commands(): string[] {
    const scripts = (JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
    const tools = Object.values(scripts)
        .map((command) => /^ts-node --transpile-only (\S+\.ts)$/.exec(command)?.[1])
        .filter((file): file is string => file !== undefined);
    return [...tools, "runtime/batch/main.ts", "runtime/warehouse/cli.ts"];
}

describe("--help on every command", () => {
    it("lists at least the plan, cost, policy, produce and benchmark tools (the scan finds the scripts)", () => {
        const found = commands();
        for (const expected of ["tools/plan.ts", "tools/cost.ts", "tools/policy.ts", "tools/produce.ts", "bench/ingest.ts", "tools/spark-spec.ts"]) {
            assert.ok(found.includes(expected), `${expected} not among ${found.join(", ")}`);
        }
    });

    for (const file of commands()) {
        it(`${file} prints its usage on stdout and exits 0, without contacting a service`, async () => {
            // Unreachable endpoints: a command that tried to connect before reading --help would fail.
            const env = { ...process.env, MOTO_ENDPOINT: "http://127.0.0.1:9", KAFKA_BROKERS: "127.0.0.1:9", PGPORT: "9" };
            const { stdout } = await run(tsNode, ["--transpile-only", file, "--help"], { cwd: root, env, timeout: 60_000 });
            assert.match(stdout, /^usage:/im, `${file} --help printed: ${stdout.slice(0, 200)}`);
        });
    }
});
