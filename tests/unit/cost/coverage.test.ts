import * as assert from "assert";
import { coverage, estimateRun } from "../../../cost";
import { OfflineRun, runOffline } from "../../../tools/offline/program";
import { stackRun } from "./helpers";

describe("every resource the stacks declare is priced, free with a reason, or not priced with a reason", function () {
    this.timeout(240_000);
    const runs: Record<string, OfflineRun> = {};

    before(async () => {
        runs.dev = await stackRun("dev");
        runs.prod = await stackRun("prod");
    });

    for (const stack of ["dev", "prod"]) {
        describe(stack, () => {
            it("has a cost rule or a free entry for every declared type", () => {
                const uncovered = [...new Set(runs[stack].resources.map((r) => r.type))].filter((t) => coverage(t).kind === "none");
                assert.deepStrictEqual(uncovered, [], `types without a rule or a free reason: add them to cost/rules/`);
            });

            it("accounts for each resource exactly once", () => {
                const report = estimateRun(runs[stack]);
                const seen = [...report.resources, ...report.free, ...report.notPriced].map((r) => r.urn).sort();
                assert.deepStrictEqual(seen, runs[stack].resources.map((r) => r.urn).sort());
            });

            it("never prices a resource at a silent $0: every component has a quantity, or shows its unit price for usage", () => {
                const report = estimateRun(runs[stack]);
                for (const r of report.resources) {
                    assert.ok(r.components.length > 0, `${r.urn} has no components`);
                    for (const c of r.components) {
                        assert.ok(c.unitPrice > 0, `${r.name} / ${c.name}: unit price ${c.unitPrice}`);
                        if (c.quantity === null) {
                            assert.ok(c.usageBased, `${r.name} / ${c.name}: only usage components may lack a quantity`);
                        }
                    }
                }
            });

            it("gives every free and not-priced resource a reason", () => {
                const report = estimateRun(runs[stack]);
                for (const r of [...report.free, ...report.notPriced]) {
                    assert.ok(r.reason.length > 10, `${r.urn}: reason "${r.reason}"`);
                }
            });

            it("uses a usage file whose entries all match and validate", () => {
                const report = estimateRun(runs[stack]);
                assert.strictEqual(report.usageSource.endsWith(`cost/usage.${stack}.yaml`), true, report.usageSource);
                assert.deepStrictEqual(report.warnings, []);
            });
        });
    }

    describe("the other modes the config can choose", () => {
        const modes: Record<string, { stack: "dev" | "prod"; overrides: Record<string, string> }> = {
            "prod with Spark on an EMR cluster and a serverless warehouse": {
                stack: "prod",
                overrides: { "platform:sparkMode": "cluster", "platform:warehouseMode": "serverless", "platform:warehouseBaseRpu": "32", "platform:warehouseMaxRpu": "128" },
            },
            "dev with MSK, a provisioned warehouse and no NAT gateway": {
                stack: "dev",
                overrides: {
                    "platform:streamingEngine": "msk",
                    "platform:mskInstanceType": "kafka.t3.small",
                    "platform:warehouseMode": "provisioned",
                    "platform:warehouseNodeType": "ra3.large",
                    "platform:natGateways": "None",
                    "platform:interfaceEndpoints": '["kms","logs","sts"]',
                    "platform:batchCompute": "FARGATE",
                },
            },
            "dev with Spark on Glue jobs": { stack: "dev", overrides: { "platform:sparkMode": "glue" } },
            "dev with provisioned Kinesis": {
                stack: "dev",
                overrides: { "platform:kinesisMode": "PROVISIONED", "platform:kinesisShardCount": "2", "platform:kinesisRetentionHours": "48" },
            },
        };
        for (const [title, mode] of Object.entries(modes)) {
            it(`covers every type: ${title}`, async () => {
                const run = await runOffline(mode);
                const uncovered = [...new Set(run.resources.map((r) => r.type))].filter((t) => coverage(t).kind === "none");
                assert.deepStrictEqual(uncovered, []);
                const report = estimateRun(run);
                assert.deepStrictEqual(report.notPriced, [], "every resource is priced or free with a reason");
                assert.ok(report.monthly.fixed > 0);
            });
        }
    });

    it("leaves nothing not priced in either stack", () => {
        assert.deepStrictEqual(estimateRun(runs.prod).notPriced, []);
        assert.deepStrictEqual(estimateRun(runs.dev).notPriced, []);
    });
});
