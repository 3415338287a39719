import { Advice, AdvisorRow, describeBreakEven } from "../advice";
import { signedUsd, usd } from "./money";

/**
 * The advisor's report (`npm run cost -- --stack <s> --advise`): each alternative's monthly change,
 * its trade-off, whether the policy pack still passes, and the traffic at which it overtakes the
 * current choice. Cheapest first.
 */

const assumption = (advice: Advice) =>
    `Break-even traffic assumes the usage part of the bill grows in proportion to traffic (${advice.recordsPerSecond} records/s in ${advice.usageSource}) and the fixed part does not.`;

function policyCell(row: AdvisorRow): string {
    if (row.outcome !== "priced") {
        return "—";
    }
    return row.policy!.passes ? "passes" : `fails: ${row.policy!.mandatoryPolicies.join(", ")}`;
}

function changeCell(row: AdvisorRow, current: number): string {
    return row.outcome === "priced" ? `${signedUsd(row.change!)} (${((row.change! / current) * 100).toFixed(1)}%)` : "refused by config";
}

export function formatAdviceText(advice: Advice): string {
    const lines = [`What-if advisor for stack ${advice.stack}: current total ${usd(advice.current.total)} a month (fixed ${usd(advice.current.fixed)}, usage ${usd(advice.current.usage)})`, ""];
    for (const row of advice.rows) {
        lines.push(`${row.outcome === "priced" ? signedUsd(row.change!).padStart(12) : "     refused"}  ${row.alternative.title}  [${row.alternative.id}]`);
        lines.push(`              ${Object.entries(row.alternative.overrides).map(([k, v]) => `${k}=${v}`).join(" ")}`);
        if (row.outcome === "priced") {
            lines.push(`              total ${usd(row.monthly!.total)}; policy pack ${policyCell(row)}; ${describeBreakEven(row.breakEven!)}`);
        } else {
            lines.push(`              ${row.refusal}`);
        }
        lines.push(`              trade-off: ${row.alternative.tradeOff}`, "");
    }
    lines.push(assumption(advice));
    return lines.join("\n");
}

/** The cheapest alternative that saves money and still passes the policy pack, if any. */
export function topSaving(advice: Advice): AdvisorRow | undefined {
    return advice.rows.filter((r) => r.outcome === "priced" && r.policy!.passes && (r.change ?? 0) < 0).sort((a, b) => a.change! - b.change!)[0];
}

/** One sentence on the top saving, for the pull-request comment. */
export function topSavingSentence(advice: Advice): string {
    const top = topSaving(advice);
    return top
        ? `Top saving that still passes the policy pack: **${top.alternative.title}** (${Object.entries(top.alternative.overrides).map(([k, v]) => `\`${k}=${v}\``).join(", ")}), ${signedUsd(top.change!)} a month; ${describeBreakEven(top.breakEven!)}. Trade-off: ${top.alternative.tradeOff}.`
        : "No alternative of this config saves money and still passes the policy pack.";
}

export function formatAdviceMarkdown(advice: Advice): string {
    const escape = (t: string) => t.replace(/\|/g, "\\|");
    return [
        `### 🔎 What-if advisor: stack \`${advice.stack}\` (now ${usd(advice.current.total)} a month)`,
        "",
        topSavingSentence(advice),
        "",
        "| Alternative | Config | Monthly change | Policy pack | Break-even | Trade-off |",
        "|---|---|---:|---|---|---|",
        ...advice.rows.map(
            (r) =>
                `| ${escape(r.alternative.title)} | ${Object.entries(r.alternative.overrides).map(([k, v]) => `\`${k}=${escape(v)}\``).join("<br>")} | ${changeCell(r, advice.current.total)} | ${escape(r.outcome === "priced" ? policyCell(r) : r.refusal!)} | ${r.outcome === "priced" ? describeBreakEven(r.breakEven!) : "—"} | ${escape(r.alternative.tradeOff)} |`,
        ),
        "",
        `<sub>${assumption(advice)}</sub>`,
    ].join("\n");
}
