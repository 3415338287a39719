import * as assert from "assert";
import { breakEven, describeBreakEven } from "../../../cost/advice";
import { formatAdviceMarkdown, formatAdviceText, topSaving, topSavingSentence } from "../../../cost/format/advice";
import { defaultUsagePath, loadUsageFile } from "../../../cost/usage";
import { estimateRun } from "../../../cost";
import { advise, alternativesFor, refusalOf } from "../../../tools/offline/advisor";
import { stackRun, variantRun } from "../../helpers/stacks";

describe("the what-if advisor (npm run cost -- --advise)", function () {
    this.timeout(600_000);

    describe("break-even traffic", () => {
        const current = { fixed: 1000, usage: 500, total: 1500 };
        it("finds where the lines cross: cheaper below when the alternative saves fixed cost", () => {
            // (400 − 1000) + k × (800 − 500) = 0 → k = 2 → 2 × 200 = 400 records/s
            assert.deepStrictEqual(breakEven(current, { fixed: 400, usage: 800, total: 1200 }, 200), { kind: "cheaper-below", recordsPerSecond: 400 });
        });
        it("and cheaper above when it saves usage cost", () => {
            // (1200 − 1000) + k × (100 − 500) = 0 → k = 0.5 → 100 records/s
            const b = breakEven(current, { fixed: 1200, usage: 100, total: 1300 }, 200);
            assert.deepStrictEqual(b, { kind: "cheaper-above", recordsPerSecond: 100 });
            assert.strictEqual(describeBreakEven(b), "cheaper above 100 records/s, dearer below");
        });
        it("says when one choice wins at every traffic level", () => {
            assert.deepStrictEqual(breakEven(current, { fixed: 900, usage: 400, total: 1300 }, 200), { kind: "always-cheaper" });
            assert.deepStrictEqual(breakEven(current, { fixed: 1100, usage: 600, total: 1700 }, 200), { kind: "always-dearer" });
            assert.deepStrictEqual(breakEven(current, { ...current }, 200), { kind: "same" });
            // equal usage, lower fixed: no crossing
            assert.strictEqual(describeBreakEven(breakEven(current, { fixed: 990, usage: 500, total: 1490 }, 200)), "cheaper at any traffic");
        });
        it("needs the committed traffic", () => {
            assert.throws(() => breakEven(current, current, 0), /recordsPerSecond: expected the committed workload in records a second \(> 0\); found 0/);
        });
    });

    describe("the alternatives of a config", () => {
        it("offers the other choice of each decision, and each endpoint dropped, for prod's config", () => {
            const ids = alternativesFor({
                "platform:warehouseMode": "provisioned",
                "platform:streamingEngine": "msk",
                "platform:mskInstanceType": "kafka.m7g.large",
                "platform:mskVolumeGiB": "500",
                "platform:natGateways": "OnePerAz",
                "platform:interfaceEndpoints": '["kms","logs"]',
                "platform:sparkMode": "serverless",
            }).map((a) => a.id);
            assert.deepStrictEqual(ids, [
                "warehouse-serverless-4",
                "warehouse-serverless-8",
                "warehouse-serverless-16",
                "streaming-kinesis",
                "msk-broker-m5-large",
                "msk-volume-100",
                "msk-monitoring-per-topic-per-broker",
                "nat-single",
                "nat-none",
                "endpoint-drop-kms",
                "endpoint-drop-logs",
                "lambda-x86-64",
                "spark-cluster",
                "spark-glue",
            ]);
        });
        it("uses the config defaults for keys a stack omits", () => {
            const alternatives = alternativesFor({});
            assert.deepStrictEqual(
                alternatives.map((a) => a.id),
                [
                    "warehouse-serverless-4",
                    "warehouse-serverless-16",
                    "warehouse-provisioned-ra3-xlplus",
                    "streaming-msk",
                    "nat-none",
                    "endpoint-drop-kms",
                    "endpoint-drop-logs",
                    "endpoint-drop-monitoring",
                    "endpoint-drop-sts",
                    "endpoint-drop-sqs",
                    "lambda-x86-64",
                    "spark-cluster",
                    "spark-glue",
                    "ingest-firehose",
                ],
            );
            assert.deepStrictEqual(alternatives.find((a) => a.id === "endpoint-drop-sts")!.overrides, { "platform:interfaceEndpoints": '["kms","logs","monitoring","sqs"]' });
            assert.ok(alternatives.every((a) => a.tradeOff.length > 20 && Object.keys(a.overrides).length > 0));
        });
        it("sizes each alternative from the stack's own values: RPU maximums, the other volume, monitoring level and architecture", () => {
            const byId = (config: Record<string, string>) => new Map(alternativesFor(config).map((a) => [a.id, a.overrides]));
            const prod = byId({ "platform:warehouseMode": "serverless", "platform:warehouseBaseRpu": "4", "platform:warehouseMaxRpu": "64", "platform:streamingEngine": "msk", "platform:mskVolumeGiB": "100", "platform:lambdaArchitecture": "arm64" });
            assert.ok(!prod.has("warehouse-serverless-4"), "the current capacity is not an alternative");
            // the maximum is kept when it already covers four times the base, raised when it does not
            assert.deepStrictEqual(prod.get("warehouse-serverless-16"), { "platform:warehouseMode": "serverless", "platform:warehouseBaseRpu": "16", "platform:warehouseMaxRpu": "64" });
            assert.deepStrictEqual(byId({ "platform:warehouseBaseRpu": "4", "platform:warehouseMaxRpu": "32" }).get("warehouse-serverless-16")?.["platform:warehouseMaxRpu"], "64");
            assert.deepStrictEqual(prod.get("msk-volume-500"), { "platform:mskVolumeGiB": "500" });
            assert.deepStrictEqual(prod.get("msk-monitoring-per-topic-per-broker"), { "platform:mskEnhancedMonitoring": "PER_TOPIC_PER_BROKER" });
            assert.deepStrictEqual(prod.get("lambda-x86-64"), { "platform:lambdaArchitecture": "x86_64" });
            const x86 = byId({ "platform:lambdaArchitecture": "x86_64", "platform:streamingEngine": "msk", "platform:mskEnhancedMonitoring": "PER_BROKER" });
            assert.deepStrictEqual([x86.get("lambda-arm64"), x86.get("msk-monitoring-default")], [{ "platform:lambdaArchitecture": "arm64" }, { "platform:mskEnhancedMonitoring": "DEFAULT" }]);
        });
        it("names the cheapest alternative that still passes the pack as the top saving", () => {
            const alternative = (id: string, title: string) => ({ id, title, overrides: { [`platform:${id}`]: "x" }, tradeOff: `${title} trade-off` });
            const priced = (id: string, change: number, passes: boolean) => ({
                alternative: alternative(id, id.toUpperCase()),
                outcome: "priced" as const,
                monthly: { fixed: 0, usage: 0, total: 1000 + change },
                change,
                policy: { mandatory: passes ? 0 : 1, advisory: 0, passes, mandatoryPolicies: passes ? [] : ["p"] },
                breakEven: { kind: "always-cheaper" as const },
            });
            const advice = { stack: "s", usageSource: "u", recordsPerSecond: 1, current: { fixed: 0, usage: 0, total: 1000 }, rows: [priced("a", -500, false), priced("b", -120, true), priced("c", -80, true), priced("d", 40, true)] };
            // a saves more but breaks a mandatory policy; b is the cheapest that passes
            assert.strictEqual(topSaving(advice)!.alternative.id, "b");
            assert.strictEqual(topSavingSentence(advice), "Top saving that still passes the policy pack: **B** (`platform:b=x`), -$120.00 a month; cheaper at any traffic. Trade-off: B trade-off.");
            assert.strictEqual(topSavingSentence({ ...advice, rows: [priced("d", 40, true)] }), "No alternative of this config saves money and still passes the policy pack.");
        });
        it("reports a config refusal by its problems, in one line", () => {
            const err = new Error("Stack 'prod' has 1 invalid config value:\n  - platform:natGateways: expected OnePerAz in prod; found Single. Fix: pulumi config set platform:natGateways OnePerAz\n");
            assert.strictEqual(refusalOf(err), "platform:natGateways: expected OnePerAz in prod; found Single. Fix: pulumi config set platform:natGateways OnePerAz");
        });
    });

    describe("on prod's committed config, with answers computed by hand", () => {
        const run = (stack: string, overrides: Readonly<Record<string, string>>) => (Object.keys(overrides).length === 0 ? stackRun(stack as "prod") : variantRun({ stack: stack as "prod", overrides }));
        it("prices the monitoring level, the broker volume, the warehouse capacity and the Lambda architecture, and the pack passes each", async () => {
            const usage = loadUsageFile(defaultUsagePath("prod")!);
            const only = ["msk-monitoring-per-topic-per-broker", "msk-volume-500", "warehouse-serverless-8", "lambda-x86-64"];
            const advice = await advise("prod", { usage, usageSource: "cost/usage.prod.yaml", only, run });
            const row = (id: string) => advice.rows.find((r) => r.alternative.id === id)!;
            // 3 brokers × (40 broker metrics + 1 topic × 5) = 135 custom metrics × $0.30
            assert.strictEqual(row("msk-monitoring-per-topic-per-broker").change, 40.5);
            // 3 brokers × (500 − 100) GB × $0.10 per GB-month
            assert.strictEqual(row("msk-volume-500").change, 120);
            // 6 busy hours a day × (8 − 4) RPU × 730/24 days × $0.375 per RPU-hour
            assert.strictEqual(row("warehouse-serverless-8").change, 273.75);
            // 840,000 + 150,000 + 45,000 + 2 × 22,500 + 912.5 = 1,080,912.5 GB-seconds × ($0.0000166667 − $0.0000133334),
            // rounded per function: 11.20 → 14.00, 2.00 → 2.50, 0.60 → 0.75, 2 × 0.30 → 0.38, 0.01 → 0.02
            assert.ok(Math.abs(row("lambda-x86-64").change! - 3.6) <= 0.02, `lambda-x86-64: ${row("lambda-x86-64").change}`);
            for (const id of only) {
                assert.strictEqual(row(id).outcome, "priced", id);
                assert.deepStrictEqual([row(id).policy!.passes, row(id).breakEven], [true, { kind: "always-dearer" }], id);
            }
            // rows come cheapest first
            assert.deepStrictEqual(advice.rows.map((r) => r.alternative.id), ["lambda-x86-64", "msk-monitoring-per-topic-per-broker", "msk-volume-500", "warehouse-serverless-8"]);
        });
    });

    describe("on dev", () => {
        // The base run shares the cache of every other test; alternatives run as variants.
        const run = (stack: string, overrides: Readonly<Record<string, string>>) => (Object.keys(overrides).length === 0 ? stackRun(stack as "dev") : variantRun({ stack: stack as "dev", overrides }));
        it("prices an alternative with the same model and usage, runs the pack on it, and reports a refused one", async () => {
            const usage = loadUsageFile(defaultUsagePath("dev")!);
            const advice = await advise("dev", { usage, usageSource: "cost/usage.dev.yaml", only: ["spark-cluster", "nat-none"], run });
            const base = estimateRun(await stackRun("dev"), { usage }).monthly;
            assert.deepStrictEqual(advice.current, base);
            assert.strictEqual(advice.recordsPerSecond, 2);
            const spark = advice.rows.find((r) => r.alternative.id === "spark-cluster")!;
            assert.strictEqual(spark.outcome, "priced");
            const variant = estimateRun(await variantRun({ stack: "dev", overrides: { "platform:sparkMode": "cluster" } }), { usage }).monthly;
            assert.strictEqual(spark.change, Math.round((variant.total - base.total) * 100) / 100);
            assert.deepStrictEqual(spark.breakEven, breakEven(base, variant, 2));
            assert.strictEqual(typeof spark.policy!.passes, "boolean");
            assert.strictEqual(spark.policy!.passes, spark.policy!.mandatory === 0);
            const nat = advice.rows.find((r) => r.alternative.id === "nat-none")!;
            if (nat.outcome === "refused") {
                assert.match(nat.refusal!, /platform:/);
            } else {
                assert.ok(Number.isFinite(nat.change!));
            }
            assert.match(formatAdviceText(advice), /What-if advisor for stack dev: current total \$[\d,.]+ a month/);
            assert.match(formatAdviceMarkdown(advice), /\| Spark on an auto-terminating EMR cluster \| `platform:sparkMode=cluster` \| [+-]\$[\d,.]+ \([+-]?[\d.]+%\) \| (passes|fails: .+) \| /);
            const top = topSaving(advice);
            assert.ok(top === undefined || (top.change! < 0 && top.policy!.passes));
            assert.match(formatAdviceMarkdown(advice), top ? /Top saving that still passes the policy pack: \*\*/ : /No alternative of this config saves money and still passes the policy pack\./);
        });
        it("refuses an id the stack does not offer, naming the ones it does", async () => {
            const usage = loadUsageFile(defaultUsagePath("dev")!);
            await assert.rejects(advise("dev", { usage, usageSource: "u", only: ["warehouse-serverless-8"], run }), /--only: expected alternative ids of stack dev \(warehouse-serverless-4, warehouse-serverless-16, warehouse-provisioned-ra3-xlplus, .*\); found warehouse-serverless-8/);
            await assert.rejects(advise("dev", { usage: { ...usage, recordsPerSecond: undefined }, usageSource: "u.yaml", run }), /u\.yaml: expected recordsPerSecond/);
        });
    });
});
