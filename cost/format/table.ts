import { CostDiff } from "../diff";
import { BudgetVerdict, CostComponent, CostReport } from "../model";
import { percent, quantity, signedUsd, unitPrice, usd } from "./money";

/**
 * `--format table`: every priced resource with its components (largest first), the fixed, usage
 * and total monthly cost, then the free resources grouped by type and reason, the resources not
 * priced, and warnings. With a diff, an Infracost-style change list follows.
 */

function componentLine(c: CostComponent, last: boolean): string[] {
    const branch = last ? "└─" : "├─";
    const star = c.usageBased ? " *" : "";
    if (c.quantity === null) {
        return [`  ${branch} ${c.name}${star}`, `${spanMarker}Monthly cost depends on usage: ${unitPrice(c.unitPrice)} per ${c.unit.replace(/s$/, "")}`];
    }
    return [`  ${branch} ${c.name}${star}`, quantity(c.quantity), c.unit, unitPrice(c.unitPrice), usd(c.monthly)];
}

/** A second cell starting with this marker spans the remaining columns (Infracost's "depends on usage" lines). */
const spanMarker = "\u0000";

function layout(rows: string[][], rightAligned: readonly number[]): string[] {
    const widths = rows
        .filter((row) => !row[1]?.startsWith(spanMarker))
        .reduce<number[]>((w, row) => row.map((cell, i) => Math.max(w[i] ?? 0, cell.length)), []);
    return rows.map((row) =>
        row[1]?.startsWith(spanMarker)
            ? `${row[0].padEnd(widths[0])}  ${row[1].slice(1)}`
            : row
            .map((cell, i) => (rightAligned.includes(i) ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
            .join("  ")
            .trimEnd(),
    );
}

export function formatTable(report: CostReport, diff?: CostDiff, heading?: string, budget?: BudgetVerdict): string {
    const lines: string[] = [];
    lines.push(heading ?? `Monthly cost of stack ${report.stack} (USD, ${report.region}; usage: ${report.usageSource})`, "");
    const rows: string[][] = [["Resource / component", "Quantity", "Unit", "Unit price", "Monthly"]];
    const sorted = [...report.resources].sort((a, b) => b.monthly - a.monthly || a.urn.localeCompare(b.urn));
    for (const r of sorted) {
        rows.push([`${r.type} ${r.name}`, "", "", "", usd(r.monthly)]);
        r.components.forEach((c, i) => rows.push(componentLine(c, i === r.components.length - 1)));
    }
    lines.push(...layout(rows, [1, 4]));
    lines.push(
        "",
        ...layout(
            [
                ["Fixed", usd(report.monthly.fixed)],
                ["Usage *", usd(report.monthly.usage)],
                ["Total", usd(report.monthly.total)],
            ],
            [1],
        ),
        "",
        report.usageSource === "none"
            ? "* usage-based: no usage file, so usage components add $0 and show their unit price (pass --usage <file>)."
            : `* usage-based, from ${report.usageSource}; "depends on usage" lines add $0.`,
    );
    if (budget) {
        lines.push(`Budget: ${usd(budget.limitUsd)} from ${budget.source}; the total is ${(budget.share * 100).toFixed(0)}% of it${budget.within ? "" : " (OVER BUDGET)"}.`);
    }
    if (report.free.length > 0) {
        const groups = new Map<string, number>();
        for (const f of report.free) {
            const key = `${f.type}\0${f.reason}`;
            groups.set(key, (groups.get(key) ?? 0) + 1);
        }
        lines.push("", `Free (${report.free.length} resources):`);
        for (const [key, count] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
            const [type, reason] = key.split("\0");
            lines.push(`  ${type} × ${count}: ${reason}`);
        }
    }
    if (report.notPriced.length > 0) {
        lines.push("", `Not priced (${report.notPriced.length} resources; the total is a lower bound):`);
        for (const r of report.notPriced) {
            lines.push(`  ${r.type} ${r.name}: ${r.reason}`);
        }
    }
    if (report.perMillion) {
        const pm = report.perMillion;
        lines.push("", `Per million records (${pm.recordsPerSecond} records/s, ${quantity(pm.recordsPerMonth / 1e6)} million a month): ${usd(pm.totalPerMillionRecords)} in all`);
        lines.push(...layout([["Stage", "Monthly", "Per million records"], ...pm.stages.map((s) => [`  ${s.stage}`, usd(s.monthly), usd(s.perMillionRecords)])], [1, 2]));
        if (pm.delivery) {
            const d = pm.delivery;
            lines.push(
                `Delivery into the raw zone, the same records: ingest function ${usd(d.ingestFunction.monthly)} (${usd(d.ingestFunction.perMillionRecords)} per million) vs Firehose ${usd(d.firehose.monthly)} (${usd(d.firehose.perMillionRecords)} per million; ${d.firehoseAssumes})`,
            );
        }
    }
    if (report.freeTiers.credits.length > 0) {
        lines.push("", `Free tiers (per account, not subtracted: other stacks and workloads share them): up to ${usd(report.freeTiers.upTo)} of the total`);
        for (const c of report.freeTiers.credits) {
            lines.push(`  ${c.id}: ${quantity(c.used)} of ${quantity(c.allowance)} ${c.unit} free, up to ${usd(c.upTo)}`);
        }
    }
    if (report.warnings.length > 0) {
        lines.push("", "Warnings:", ...report.warnings.map((w) => `  ${w}`));
    }
    if (diff) {
        lines.push("", formatDiffText(diff));
    }
    return lines.join("\n");
}

/** The change as text: `+ added`, `- removed`, `~ changed`, with component lines and the totals. */
export function formatDiffText(diff: CostDiff): string {
    const lines: string[] = [`Monthly cost change: ${diff.baselineStack} → ${diff.stack}`, "Key: + added, - removed, ~ changed", ""];
    if (diff.resources.length === 0) {
        lines.push("  (no resource changed cost)");
    }
    for (const r of diff.resources) {
        const mark = r.change === "added" ? "+" : r.change === "removed" ? "-" : "~";
        lines.push(`${mark} ${r.type} ${r.name}  ${signedUsd(r.delta)} (${usd(r.baseline)} → ${usd(r.current)})`);
        for (const c of r.components.filter((x) => x.baseline !== 0 || x.current !== 0 || x.baselineName !== undefined)) {
            const name = c.baselineName ? `${c.baselineName} → ${c.name}` : c.name;
            lines.push(`    ${name}  ${signedUsd(c.delta)} (${usd(c.baseline)} → ${usd(c.current)})`);
        }
    }
    lines.push(
        "",
        `Amount:  ${signedUsd(diff.delta.total)} (${usd(diff.baseline.total)} → ${usd(diff.current.total)})`,
        `Percent: ${percent(diff.percent)}`,
        `Fixed:   ${signedUsd(diff.delta.fixed)}   Usage: ${signedUsd(diff.delta.usage)}`,
    );
    return lines.join("\n");
}
