import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { costSummary, estimateRun } from "../../../cost";
import { diffReports } from "../../../cost/diff";
import { parseJsonReport, toJsonReport } from "../../../cost/format/json";
import { formatMarkdown } from "../../../cost/format/markdown";
import { formatTable } from "../../../cost/format/table";
import { OfflineRun, projectRoot } from "../../../tools/offline/program";
import { budgetVerdict } from "../../../cost/budget";
import { inputsFromRun } from "../../../cost/adapters";
import { stackRun } from "./helpers";

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
    const result = spawnSync(process.execPath, [require.resolve("ts-node/dist/bin"), "--transpile-only", path.join(projectRoot, "tools", "cost.ts"), ...args], { cwd: projectRoot, encoding: "utf8" });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("cost report formats and the npm run cost command", function () {
    this.timeout(180000);
    let dev: OfflineRun;
    let prod: OfflineRun;

    before(async () => {
        dev = await stackRun("dev");
        prod = await stackRun("prod");
    });

    it("writes the JSON document with the fields the issue specifies", () => {
        const doc = toJsonReport(estimateRun(prod));
        assert.deepStrictEqual(Object.keys(doc).slice(0, 2), ["stack", "currency"]);
        assert.strictEqual(doc.stack, "prod");
        assert.strictEqual(doc.currency, "USD");
        assert.deepStrictEqual(Object.keys(doc.monthly), ["fixed", "usage", "total"]);
        const msk = doc.resources.find((r) => r.type === "aws:msk/cluster:Cluster")!;
        assert.deepStrictEqual(Object.keys(msk), ["urn", "type", "name", "monthly", "components"]);
        assert.deepStrictEqual(Object.keys(msk.components[0]), ["name", "unit", "quantity", "unitPrice", "monthly", "usageBased"]);
        assert.deepStrictEqual(doc.notPriced, []);
        assert.ok(doc.freeTiers.upTo > 0 && doc.freeTiers.credits.some((c) => c.id === "lambda.compute"));
        const total = doc.resources.reduce((s, r) => s + r.monthly, 0);
        assert.ok(Math.abs(total - doc.monthly.total) < 0.01, "resources add up to the total");
    });

    it("reads a JSON report back for --compare", () => {
        const back = parseJsonReport(JSON.parse(JSON.stringify(toJsonReport(estimateRun(prod)))), "prod.json");
        const diff = diffReports(back, estimateRun(prod));
        assert.strictEqual(diff.resources.length, 0);
        assert.deepStrictEqual(diff.baseline, estimateRun(prod).monthly);
    });

    it("refuses a --compare file that is not a report, saying how to make one", () => {
        assert.throws(() => parseJsonReport({ stack: "prod" }, "x.json"), /--compare x\.json: expected "currency": "USD"; found undefined\. Fix: pass a report written by npm run cost -- --format json/);
    });

    it("prints a table with components, usage lines, totals, free and not-priced resources", () => {
        const text = formatTable(estimateRun(prod));
        assert.match(text, /^Monthly cost of stack prod \(USD, us-east-1; usage: .*cost\/usage\.prod\.yaml\)/);
        // 3 × 730 h × 0.204 = 446.76 brokers + 3 × 100 GB × 0.10 = 30.00 storage; DEFAULT monitoring is free
        assert.match(text, /aws:msk\/cluster:Cluster streaming-cluster +\$476\.76/);
        assert.doesNotMatch(text, /Enhanced monitoring/);
        assert.match(text, /^Delivery into the raw zone, the same records: ingest function \$147\.91 \(\$0\.28 per million\) vs Firehose \$83\.7\d \(\$0\.16 per million; 1 KB records billed in 5 KB increments/m);
        assert.match(text, /├─ Broker instances \(3 × kafka\.m7g\.large\) +2,190 +hours +\$0\.204 +\$446\.76/);
        assert.match(text, /Monthly cost depends on usage: \$0\.004 per GB/);
        assert.match(text, /^Total +\$[\d,]+\.\d\d$/m);
        assert.match(text, /Free \(\d+ resources\):[\s\S]*platform:streaming:Streaming × 1: logical grouping/);
        assert.doesNotMatch(text, /Not priced/);
        assert.match(text, /Free tiers \(per account, not subtracted: other stacks and workloads share them\): up to \$[\d.]+ of the total\n  lambda\.requests: /);
    });

    it("writes a pull-request comment with baseline, change, new total and the resources that changed", () => {
        const diff = diffReports(estimateRun(dev), estimateRun(prod));
        const md = formatMarkdown(estimateRun(prod), diff);
        assert.match(md, /^### 💰 Monthly cost estimate: stack `prod`/);
        assert.match(md, /Monthly estimate increased by \*\*\$[\d,]+\.\d\d\*\* \(\+[\d.]+%\) 📈/);
        assert.match(md, /\| Baseline \| Change \| New monthly total \|/);
        assert.match(md, /\| \*\*Total\*\* \| \*\*\$[\d,.]+\*\* \| \*\*\+\$[\d,.]+\*\* \| \*\*\$[\d,.]+\*\* \|/);
        assert.match(md, /<summary>Resources that changed \(\d+\)<\/summary>/);
        assert.match(md, /\| ➕ \| streaming-cluster \| `aws:msk\/cluster:Cluster` \| \$0\.00 \| \$476\.76 \| \+\$476\.76 \(new\) \|/);
        assert.match(md, /\| ➖ \| streaming-orders \| `aws:kinesis\/stream:Stream` \|/);
        assert.match(md, /Delivery into the raw zone, the same records: ingest function \$147\.91 \(\$0\.28 per million\) vs Firehose \$83\.7\d/);
    });

    it("puts the stack's budget verdict in the comment and the table, from the stack's own Budget", () => {
        const report = estimateRun(prod);
        const verdict = budgetVerdict(inputsFromRun(prod), report)!;
        // prod's budget is platform:budgetMonthlyUsd = 2,000
        assert.strictEqual(verdict.limitUsd, 2000);
        assert.strictEqual(verdict.within, true);
        assert.strictEqual(verdict.share, report.monthly.total / 2000);
        assert.match(formatMarkdown(report, undefined, verdict), /✅ Within budget: \$[\d,.]+ is \d+% of \$2,000\.00 \(the aws:budgets Budget "[^"]+" \(platform:budgetMonthlyUsd\)\)\./);
        const over = { ...verdict, limitUsd: 1000, share: report.monthly.total / 1000, within: false };
        assert.match(formatMarkdown(report, undefined, over), /❌ \*\*Over budget\*\*: \$[\d,.]+ is \d+% of \$1,000\.00 .*cost-stack-monthly-budget/);
        assert.match(formatTable(report, undefined, undefined, over), /^Budget: \$1,000\.00 from the aws:budgets Budget .*; the total is \d+% of it \(OVER BUDGET\)\.$/m);
        assert.strictEqual(budgetVerdict([], report), undefined, "no budget, no verdict");
    });

    it("summarises a run for npm run plan: fixed, usage and total at the stack's usage", () => {
        const summary = costSummary(dev);
        const report = estimateRun(dev);
        assert.deepStrictEqual(summary, { currency: "USD", ...report.monthly, notPriced: 0, usageSource: report.usageSource });
        assert.ok(summary.total > summary.fixed && summary.fixed > 0);
    });

    describe("command line", () => {
        it("names a bad --format, what it expects and the fix", () => {
            const r = cli("--stack", "dev", "--format", "yaml");
            assert.strictEqual(r.status, 1);
            assert.match(r.stderr, /--format: expected one of table, json, markdown; found "yaml"\. Fix: --format table/);
        });

        it("requires exactly one input", () => {
            const r = cli("--format", "json");
            assert.strictEqual(r.status, 1);
            assert.match(r.stderr, /expected exactly one of --stack, --preview-json, --plan-json; found none/);
        });

        it("refuses an unknown flag", () => {
            const r = cli("--stack", "dev", "--budget", "5");
            assert.strictEqual(r.status, 1);
            assert.match(r.stderr, /unknown flag --budget: expected one of --stack, /);
        });

        it("refuses a missing usage file by path", () => {
            const r = cli("--preview-json", "tests/fixtures/cost/preview-prod.json", "--usage", "nope.yaml");
            assert.strictEqual(r.status, 1);
            assert.match(r.stderr, /--usage: expected a usage YAML file or "none"; found no file at "nope\.yaml"/);
        });

        it("prices a preview document as a pull-request comment", () => {
            const r = cli("--preview-json", "tests/fixtures/cost/preview-prod.json", "--usage", "none", "--format", "markdown");
            assert.strictEqual(r.status, 0, r.stderr);
            assert.match(r.stdout, /Monthly estimate increased by \*\*\$1,828\.92\*\* \(\+177\.3%\) 📈/);
            assert.match(r.stdout, /\| \*\*Total\*\* \| \*\*\$1,031\.46\*\* \| \*\*\+\$1,828\.92\*\* \| \*\*\$2,860\.38\*\* \|/);
        });

        it("prices a preview document as JSON with the baseline and the change", () => {
            const r = cli("--preview-json", "tests/fixtures/cost/preview-prod.json", "--usage", "none", "--format", "json");
            assert.strictEqual(r.status, 0, r.stderr);
            const doc = JSON.parse(r.stdout);
            assert.strictEqual(doc.monthly.total, 2860.38);
            assert.strictEqual(doc.baseline.monthly.total, 1031.46);
            assert.strictEqual(doc.change.delta.total, 1828.92);
        });

        it("prices a saved plan document (the reference design) with --plan-json", () => {
            const r = cli("--plan-json", "tests/fixtures/cost/reference-always-on.json", "--format", "json");
            assert.strictEqual(r.status, 0, r.stderr);
            const doc = JSON.parse(r.stdout);
            // no usage file for "reference": NAT 98.55 + 10.95, MSK 609.90, EMR 544.80, Redshift 4 × 730 × 0.25 = 730.00
            assert.strictEqual(doc.stack, "reference");
            assert.strictEqual(doc.usageSource, "none");
            assert.strictEqual(doc.monthly.total, 1994.2);
        });

        it("prices the dev stack as JSON and diffs it against a saved prod report with --compare", () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cost-"));
            const saved = path.join(dir, "prod.json");
            fs.writeFileSync(saved, JSON.stringify(toJsonReport(estimateRun(prod))));
            const r = cli("--stack", "dev", "--format", "json", "--compare", saved);
            assert.strictEqual(r.status, 0, r.stderr);
            const doc = JSON.parse(r.stdout);
            assert.strictEqual(doc.stack, "dev");
            assert.strictEqual(doc.monthly.total, estimateRun(dev).monthly.total);
            assert.strictEqual(doc.diff.baselineStack, "prod");
            assert.ok(doc.diff.delta.total < 0 && doc.diff.percent < 0, "dev costs less than prod");
            assert.ok(doc.diff.resources.some((x: { name: string; change: string }) => x.name === "streaming-cluster" && x.change === "removed"));
        });
    });
});
