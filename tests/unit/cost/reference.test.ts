import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { inputsFromRun, loadUsageFile } from "../../../cost";
import { usd } from "../../../cost/format/money";
import { compareWithReference, parseReferenceDesign, withReferenceDesign } from "../../../cost/reference";
import { defaultUsagePath } from "../../../cost/usage";
import { assertMoney, stackRun } from "./helpers";

const fixture = path.join(__dirname, "..", "..", "fixtures", "cost", "reference-always-on.json");

describe("the classic always-on reference design", function () {
    this.timeout(240_000);
    const design = parseReferenceDesign(JSON.parse(fs.readFileSync(fixture, "utf8")), fixture);

    it("prices the design's own resources with the same model, at prod's usage", async () => {
        const prod = await stackRun("prod");
        const usage = loadUsageFile(defaultUsagePath("prod")!);
        const c = compareWithReference(inputsFromRun(prod), design, { stack: "prod", region: "us-east-1", usage, usageSource: "cost/usage.prod.yaml" });
        const byName = Object.fromEntries(c.designOnly.resources.map((r) => [r.name, r.monthly]));
        // NAT: 3 × 730 × 0.045 = 98.55, 3 × 20 GB × 0.045 = 2.70, 3 addresses 10.95
        assertMoney(byName.network, 112.2, "NAT gateways in 3 AZs");
        // MSK: 3 × 730 × 0.21 = 459.90 + 1,500 GB × 0.10 = 150
        assertMoney(byName["streaming-cluster"], 609.9, "MSK 3 × kafka.m5.large");
        // EMR: 3 × 730 × (0.192 + 0.048) = 525.60 + 3 × 64 GB gp2 × 0.10 = 19.20
        assertMoney(byName["spark-cluster"], 544.8, "EMR 1 primary + 2 core m5.xlarge");
        // Redshift sized to hold prod's 500 GB (4 × 160 GB): 4 × 730 × 0.25 = 730 + Spectrum 1 TB × 5 = 5
        // + snapshots beyond the free allowance 100 GB × 0.024 = 2.40
        assertMoney(byName["warehouse-cluster"], 737.4, "Redshift 4 × dc2.large");
        assertMoney(c.designOnly.monthly.total, 2004.3, "design total");

        const swapped = withReferenceDesign(inputsFromRun(prod), design);
        assert.ok(!swapped.some((r) => r.type === "aws:emrserverless/application:Application"), "prod's serverless Spark is replaced");
        assert.strictEqual(swapped.filter((r) => r.type === "aws:msk/cluster:Cluster").length, 1);

        const dev = await stackRun("dev");
        const devReport = compareWithReference(inputsFromRun(dev), design, { stack: "dev", region: "us-east-1", usage: loadUsageFile(defaultUsagePath("dev")!) }).stack;
        // The figures for the closing note.
        console.log(
            [
                `      dev  monthly at default usage: ${usd(devReport.monthly.total)} (fixed ${usd(devReport.monthly.fixed)}, usage ${usd(devReport.monthly.usage)})`,
                `      prod monthly at default usage: ${usd(c.stack.monthly.total)} (fixed ${usd(c.stack.monthly.fixed)}, usage ${usd(c.stack.monthly.usage)})`,
                `      reference design's own resources: ${usd(c.designOnly.monthly.total)}; prod with the reference design: ${usd(c.reference.monthly.total)}`,
                `      prod / reference = ${c.ratio.toFixed(3)}`,
            ].join("\n"),
        );
        assert.ok(c.ratio > 0 && Number.isFinite(c.ratio));
        const replaced = c.stack.resources.filter((r) => design.replacesTypes.includes(r.type)).reduce((sum, r) => sum + r.monthly, 0);
        assertMoney(c.reference.monthly.total, c.stack.monthly.total - replaced + c.designOnly.monthly.total, "prod minus what the design replaces plus the design");
    });

    it("refuses a design without the types it replaces", () => {
        assert.throws(() => parseReferenceDesign({ stack: "x", resources: [] }, "x.json"), /x\.json: expected "replacesTypes"/);
    });
});
