import * as assert from "assert";
import { execFile } from "child_process";
import * as path from "path";
import { promisify } from "util";

const run = promisify(execFile);
const root = path.resolve(__dirname, "..", "..", "..");
const tsNode = path.join(root, "node_modules", ".bin", "ts-node");

async function plan(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
        const { stdout, stderr } = await run(tsNode, ["--transpile-only", "tools/plan.ts", ...args], { cwd: root, maxBuffer: 64 * 1024 * 1024 });
        return { code: 0, stdout, stderr };
    } catch (err) {
        const e = err as { code: number; stdout: string; stderr: string };
        return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
}

describe("npm run plan", () => {
    it("prints the whole --json document, with counts per type and the monthly cost, even into a pipe", async () => {
        const result = await plan(["--stack", "dev", "--json"]);
        assert.strictEqual(result.code, 0, result.stderr);
        const doc = JSON.parse(result.stdout);
        assert.strictEqual(doc.stack, "dev");
        assert.strictEqual(doc.resources.length, Object.values(doc.counts as Record<string, number>).reduce((a, b) => a + b, 0));
        assert.strictEqual(doc.counts["aws:kinesis/stream:Stream"], 1);
        assert.ok(doc.cost.total > 0 && Math.abs(doc.cost.total - doc.cost.fixed - doc.cost.usage) < 1e-6);
        assert.strictEqual(doc.policy.mandatory, 0);
        assert.ok(doc.policy.policies > 50);
        const ingest = doc.resources.find((r: any) => r.type === "aws:lambda/function:Function" && r.name === "ingest-orders");
        assert.match(ingest.inputs.code.archive["__index.js"].sha256, /^[0-9a-f]{64}$/);
    });

    it("exits 1 naming the stacks it knows when the stack has no config file", async () => {
        const result = await plan(["--stack", "staging"]);
        assert.strictEqual(result.code, 1);
        assert.match(result.stderr, /--stack: expected one of dev, prod; found "staging" \(no Pulumi\.staging\.yaml\)\. Fix: pass --stack dev/);
    });

    it("exits 1 on an unknown flag, with the usage line", async () => {
        const result = await plan(["--stack", "dev", "--formt", "xml"]);
        assert.strictEqual(result.code, 1);
        assert.match(result.stderr, /unknown flag --formt: expected one of --stack, --json, --format\. Usage: npm run plan -- --stack <dev\|prod> \[--json \| --format terraform-plan\]/);
    });

    it("exits 1 on an output format it cannot write, naming the one it can", async () => {
        const result = await plan(["--stack", "dev", "--format", "xml"]);
        assert.strictEqual(result.code, 1);
        assert.match(result.stderr, /--format: expected terraform-plan; found "xml"\. Fix: npm run plan -- --stack <dev\|prod> \[--json \| --format terraform-plan\]/);
    });
});
