import * as assert from "assert";
import { spawnSync } from "child_process";
import { projectRoot } from "../../../tools/offline/program";
import { formatJson, formatText } from "../../../tools/policy";
import { PolicyRunResult } from "../../../policies/runner/offline";

/** `npm run policy`: its output formats and exit codes. */

function runCli(...args: string[]) {
    return spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "tools/policy.ts", ...args], { cwd: projectRoot, encoding: "utf8", timeout: 120_000 });
}

const failing: PolicyRunResult = {
    stack: "prod",
    policies: 144,
    resources: 3,
    violations: [
        { policy: "redshift-warehouse-not-public", level: "mandatory", urn: "urn:pulumi:prod::platform::platform:warehouse:Warehouse$aws:redshift/cluster:Cluster::warehouse-cluster", message: "publiclyAccessible must be false; found true." },
        { policy: "cloudwatch-alarm-pipeline-stage-coverage", level: "mandatory", message: "The lake stage is deployed but no alarm tagged pipeline-stage=lake notifies the alarm topic." },
        { policy: "lambda-function-in-vpc", level: "advisory", urn: "urn:pulumi:prod::platform::aws:lambda/function:Function::load", message: "vpcConfig.subnetIds must place the function in the VPC's private subnets; none are set." },
    ],
    mandatory: 2,
    advisory: 1,
};

describe("npm run policy", function () {
    this.timeout(180_000);

    it("groups violations by level, names each resource by type and name, and ends with the verdict", () => {
        const text = formatText(failing, "policies/config/prod.json");
        assert.match(text, /^Policy check of stack prod: 144 policies on 3 resources \(pack config policies\/config\/prod.json\)/);
        assert.match(text, /Mandatory violations \(2\):\n {2}redshift-warehouse-not-public {2}aws:redshift\/cluster:Cluster warehouse-cluster\n {4}publiclyAccessible must be false; found true\./);
        assert.match(text, / {2}cloudwatch-alarm-pipeline-stage-coverage {2}\(the whole stack\)/);
        assert.match(text, /Advisory violations \(1\):\n {2}lambda-function-in-vpc {2}aws:lambda\/function:Function load/);
        assert.match(text, /FAIL: 2 mandatory violations block stack prod \(1 advisory\)\.$/);
    });

    it("prints the documented JSON document, urn null for stack-wide violations", () => {
        const doc = JSON.parse(formatJson(failing));
        assert.deepStrictEqual(Object.keys(doc), ["stack", "policies", "violations", "mandatory", "advisory"]);
        assert.deepStrictEqual(Object.keys(doc.violations[0]), ["policy", "level", "urn", "message"]);
        assert.strictEqual(doc.violations[1].urn, null);
        assert.strictEqual(doc.mandatory, 2);
    });

    it("checks dev from its offline plan: JSON on stdout, exit code 0 without mandatory violations", () => {
        const result = runCli("--stack", "dev", "--json");
        const doc = JSON.parse(result.stdout);
        assert.strictEqual(doc.stack, "dev");
        assert.strictEqual(doc.policies, 156);
        assert.strictEqual(doc.mandatory, doc.violations.filter((v: { level: string }) => v.level === "mandatory").length);
        assert.strictEqual(result.status, doc.mandatory > 0 ? 1 : 0, result.stderr);
    });

    it("exits 2 with the usage line when the flags are wrong", () => {
        const result = runCli("--stack");
        assert.strictEqual(result.status, 2);
        assert.match(result.stderr, /--stack: expected a value; found nothing\. Usage: npm run policy -- --stack <dev\|prod\|dev-firehose\|dev-airflow\|dev-glue\|dev-zero-etl\|prod-zero-etl\|prod-msk-client-auth> \[--json\]/);
    });
});
