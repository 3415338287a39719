import * as assert from "assert";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/**
 * The pack loads from a clean install of its OWN dependencies (policies/package.json and its lock),
 * the way `pulumi preview --policy-pack policies` runs it: `node` with the pack directory as cwd,
 * @pulumi/pulumi's run-policy-pack entry (ts-node with type checking, the pack's tsconfig) requiring
 * the package's main, which constructs the PolicyPack and prints the analyzer's gRPC port.
 *
 * The pack compiles the cost model (../cost) and the dataset catalogue (../infra/config) from the
 * checkout, so the copy keeps that layout and the install sits at its root, where those files resolve
 * packages too; nothing of the project's own node_modules is visible. A package the pack's sources
 * need but its package.json omits (js-yaml for the usage files, once) fails this test.
 */

const root = path.resolve(__dirname, "../../..");

describe("policy pack from a clean install of its own dependencies", function () {
    this.timeout(600_000);
    let dir: string;

    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "pack-install-"));
        const copy = (from: string) => fs.cpSync(path.join(root, from), path.join(dir, from), { recursive: true, filter: (src) => !src.includes(`${path.sep}node_modules`) });
        ["policies", "cost", "infra/config"].forEach(copy);
        fs.copyFileSync(path.join(root, "policies/package.json"), path.join(dir, "package.json"));
        fs.copyFileSync(path.join(root, "policies/package-lock.json"), path.join(dir, "package-lock.json"));
        // The lock pins every version; the local npm cache serves them, the registry only what it lacks.
        const install = spawnSync("npm", ["ci", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts"], { cwd: dir, encoding: "utf8" });
        assert.strictEqual(install.status, 0, `npm ci of the pack's dependencies failed:\n${install.stderr}`);
    });

    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("lists every package the pack's sources import", () => {
        const manifest = JSON.parse(fs.readFileSync(path.join(root, "policies/package.json"), "utf8")) as { dependencies: Record<string, string> };
        for (const needed of ["@pulumi/policy", "@pulumi/pulumi", "@pulumi/aws", "@pulumi/awsx", "js-yaml"]) {
            assert.ok(manifest.dependencies[needed], `policies/package.json: expected a dependency on ${needed}, found none; add it with npm install --save ${needed} in policies/`);
        }
    });

    it("loads, type-checks and serves the pack as the engine does", async () => {
        const entry = path.join(dir, "node_modules/@pulumi/pulumi/cmd/run-policy-pack/index.js");
        const child = spawn(process.execPath, [entry, "127.0.0.1:1", "."], { cwd: path.join(dir, "policies"), env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" } });
        let stdout = "";
        let stderr = "";
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        const port = await new Promise<string>((resolve, reject) => {
            child.stdout.on("data", (chunk: Buffer) => {
                stdout += chunk.toString();
                const line = /^(\d+)\s*$/m.exec(stdout);
                if (line) resolve(line[1]);
            });
            child.on("exit", (code) => reject(new Error(`the pack exited with ${code} before serving:\n${stderr}${stdout}`)));
        });
        child.kill();
        assert.ok(Number(port) > 0, `expected the analyzer's port on stdout, found ${JSON.stringify(stdout)}`);
    });
});
