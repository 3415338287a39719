import { CostDiff } from "../diff";
import { BudgetVerdict, CostReport } from "../model";
import { percent, signedUsd, usd } from "./money";

/**
 * `--format markdown`: a pull-request comment. With a baseline (a preview's state before the
 * change, or --compare): the sentence of the change, a table of baseline, change and new monthly
 * total (fixed, usage, total), and the resources that changed. Without one: the totals and the
 * most expensive resources.
 */

function escape(text: string): string {
    return text.replace(/\|/g, "\\|");
}

export function formatMarkdown(report: CostReport, diff?: CostDiff, budget?: BudgetVerdict): string {
    const lines: string[] = [`### 💰 Monthly cost estimate: stack \`${report.stack}\``, ""];
    if (diff) {
        const d = diff.delta.total;
        const sentence =
            Math.abs(d) < 0.005
                ? "Monthly estimate did not change."
                : `Monthly estimate ${d > 0 ? "increased" : "decreased"} by **${usd(Math.abs(d))}** (${percent(diff.percent)}) ${d > 0 ? "📈" : "📉"}`;
        lines.push(
            sentence,
            "",
            "| | Baseline | Change | New monthly total |",
            "|---|---:|---:|---:|",
            `| Fixed | ${usd(diff.baseline.fixed)} | ${signedUsd(diff.delta.fixed)} | ${usd(diff.current.fixed)} |`,
            `| Usage* | ${usd(diff.baseline.usage)} | ${signedUsd(diff.delta.usage)} | ${usd(diff.current.usage)} |`,
            `| **Total** | **${usd(diff.baseline.total)}** | **${signedUsd(diff.delta.total)}** | **${usd(diff.current.total)}** |`,
            "",
        );
        if (diff.resources.length > 0) {
            lines.push(
                `<details><summary>Resources that changed (${diff.resources.length})</summary>`,
                "",
                "| | Resource | Type | Baseline | New | Change |",
                "|---|---|---|---:|---:|---:|",
                ...diff.resources.map(
                    (r) =>
                        `| ${r.change === "added" ? "➕" : r.change === "removed" ? "➖" : "✏️"} | ${escape(r.name)} | \`${r.type}\` | ${usd(r.baseline)} | ${usd(r.current)} | ${signedUsd(r.delta)} (${percent(r.percent)}) |`,
                ),
                "",
                "</details>",
                "",
            );
        } else {
            lines.push("No resource changed cost.", "");
        }
    } else {
        lines.push(
            "| | Monthly |",
            "|---|---:|",
            `| Fixed | ${usd(report.monthly.fixed)} |`,
            `| Usage* | ${usd(report.monthly.usage)} |`,
            `| **Total** | **${usd(report.monthly.total)}** |`,
            "",
        );
        const top = [...report.resources].sort((a, b) => b.monthly - a.monthly).slice(0, 10);
        lines.push(
            `<details><summary>Most expensive resources (${top.length} of ${report.resources.length})</summary>`,
            "",
            "| Resource | Type | Monthly |",
            "|---|---|---:|",
            ...top.map((r) => `| ${escape(r.name)} | \`${r.type}\` | ${usd(r.monthly)} |`),
            "",
            "</details>",
            "",
        );
    }
    if (report.notPriced.length > 0) {
        lines.push(`⚠️ **Not priced (${report.notPriced.length})**, so the total is a lower bound:`, "", ...report.notPriced.map((r) => `- \`${r.type}\` ${escape(r.name)}: ${escape(r.reason)}`), "");
    }
    if (report.perMillion) {
        const pm = report.perMillion;
        lines.push(
            `<details><summary>Per million records: ${usd(pm.totalPerMillionRecords)} (${pm.recordsPerSecond} records/s)</summary>`,
            "",
            "| Stage | Monthly | Per million records |",
            "|---|---:|---:|",
            ...pm.stages.map((s) => `| ${s.stage} | ${usd(s.monthly)} | ${usd(s.perMillionRecords)} |`),
            "",
            ...(pm.delivery
                ? [
                      `Delivery into the raw zone, the same records: ingest function ${usd(pm.delivery.ingestFunction.monthly)} (${usd(pm.delivery.ingestFunction.perMillionRecords)} per million) vs Firehose ${usd(pm.delivery.firehose.monthly)} (${usd(pm.delivery.firehose.perMillionRecords)} per million; ${escape(pm.delivery.firehoseAssumes)}).`,
                      "",
                  ]
                : []),
            "</details>",
            "",
        );
    }
    if (budget) {
        lines.push(
            budget.within
                ? `✅ Within budget: ${usd(report.monthly.total)} is ${(budget.share * 100).toFixed(0)}% of ${usd(budget.limitUsd)} (${escape(budget.source)}).`
                : `❌ **Over budget**: ${usd(report.monthly.total)} is ${(budget.share * 100).toFixed(0)}% of ${usd(budget.limitUsd)} (${escape(budget.source)}); the pack's \`cost-stack-monthly-budget\` policy reports it.`,
            "",
        );
    }
    if (report.freeTiers.upTo > 0) {
        lines.push(`Always-free tiers could cover up to ${usd(report.freeTiers.upTo)} of this total; they are per account, so the total does not subtract them.`, "");
    }
    for (const w of report.warnings) {
        lines.push(`⚠️ ${escape(w)}`, "");
    }
    lines.push(`<sub>* usage-based cost, from ${report.usageSource === "none" ? "no usage file ($0)" : `\`${report.usageSource}\``}. Prices: \`cost/prices/${report.region}.json\`. Generated by \`npm run cost\`.</sub>`);
    return lines.join("\n");
}
