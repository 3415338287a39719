import * as assert from "assert";
import { execFile } from "child_process";
import * as path from "path";
import { promisify } from "util";
import { FlagError, parseFlags } from "../../../tools/offline/flags";

const run = promisify(execFile);
const root = path.resolve(__dirname, "..", "..", "..");
const tsNode = path.join(root, "node_modules", ".bin", "ts-node");

/** Runs a benchmark with flags; bad flags are refused before any service is contacted. */
async function bench(script: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
        const { stdout, stderr } = await run(tsNode, ["--transpile-only", script, ...args], { cwd: root, env: { ...process.env, MOTO_ENDPOINT: "http://127.0.0.1:9", KAFKA_BROKERS: "127.0.0.1:9" } });
        return { code: 0, stdout, stderr };
    } catch (err) {
        const e = err as { code: number; stdout: string; stderr: string };
        return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
}

describe("benchmark flags", () => {
    it("reads counts and refuses anything that is not a positive whole number, naming the flag", () => {
        const flags = parseFlags(["--batches", "4", "--rounds=0", "--share", "1.5"], { batches: "number", rounds: "number", share: "number", absent: "number" }, "usage");
        assert.strictEqual(flags.count("batches", 8), 4);
        assert.strictEqual(flags.count("absent", 8), 8);
        assert.throws(() => flags.count("rounds", 5), (error: unknown) => error instanceof FlagError && /--rounds: expected a positive whole number; found 0\. Usage: usage/.test(error.message));
        assert.throws(() => flags.count("share", 5), /--share: expected a positive whole number; found 1\.5/);
    });

    const cases: { readonly script: string; readonly args: string[]; readonly message: RegExp }[] = [
        { script: "bench/ingest.ts", args: ["--bad-ratio", "2"], message: /^bench:ingest: --bad-ratio: expected a share between 0 and 1, such as 0\.05; found 2\. Usage: npm run bench:ingest/ },
        { script: "bench/ingest.ts", args: ["--batches", "0"], message: /^bench:ingest: --batches: expected a positive whole number; found 0\./ },
        { script: "bench/ingest.ts", args: ["--frobnicate", "1"], message: /^bench:ingest: unknown flag --frobnicate: expected one of --batches, --batch-size, --bad-ratio, --naive-records, --rounds\./ },
        { script: "bench/produce.ts", args: ["--messages", "-3"], message: /^bench:produce: --messages: expected a positive whole number; found -3\./ },
    ];
    it("--help prints the usage and every flag on stdout and exits 0, before any service is contacted", async () => {
        const result = await bench("bench/ingest.ts", ["--help"]);
        assert.strictEqual(result.code, 0, result.stderr);
        assert.match(result.stdout, /^usage: npm run bench:ingest -- /);
        assert.match(result.stdout, /--batch-size <number>/);
        assert.strictEqual(result.stderr, "");
    });

    it("the warehouse CLI answers --help with its commands on stdout and exit 0", async () => {
        const result = await bench("runtime/warehouse/cli.ts", ["--help"]);
        assert.strictEqual(result.code, 0, result.stderr);
        assert.match(result.stdout, /^usage: ts-node --transpile-only runtime\/warehouse\/cli\.ts <command>/);
        assert.match(result.stdout, /\n  load +load the curated files/);
    });

    for (const [script, message] of [
        ["bench/ingest.ts", /^bench:ingest: moto \(local S3\/Kinesis\) is not reachable at http:\/\/127\.0\.0\.1:9; start it with: MOTO_PORT=\d+ tools\/services\/moto\.sh start/],
        ["bench/produce.ts", /^bench:produce: Kafka is not reachable at 127\.0\.0\.1:9; start it with: KAFKA_PORT=\d+ KAFKA_CONTROLLER_PORT=\d+ tools\/services\/kafka\.sh start/],
    ] as const) {
        it(`${script} without its service: one line naming the service and the command that starts it, no retry noise`, async () => {
            const result = await bench(script, []);
            assert.strictEqual(result.code, 1, result.stderr);
            assert.match(result.stderr, message);
            assert.strictEqual(result.stderr.trim().split("\n").length, 1, result.stderr);
        });
    }

    for (const { script, args, message } of cases) {
        it(`${script} ${args.join(" ")}: exits 2 with one line naming the flag, and no stack trace`, async () => {
            const result = await bench(script, args);
            assert.strictEqual(result.code, 2, result.stderr);
            assert.match(result.stderr, message);
            assert.strictEqual(result.stderr.trim().split("\n").length, 1, result.stderr);
            assert.strictEqual(result.stdout, "");
        });
    }
});
