import { CostDiff } from "../diff";
import { PerMillion } from "../stages";
import { BudgetVerdict, CostComponent, CostReport, FreeTierSummary, money, MonthlyTotals, PricedResource } from "../model";

/**
 * The `--format json` document:
 * `{ stack, currency: "USD", monthly: { fixed, usage, total }, resources: [{ urn, type, name,
 * monthly, components: [{ name, unit, quantity, unitPrice, monthly }] }], notPriced: [...] }`,
 * plus `region`, `usageSource`, `free`, `warnings` and `freeTiers` (always-free allowances, not subtracted); `baseline` and `change` for a preview, `diff`
 * with --compare. Components also carry `usageBased` so a later --compare can split fixed and usage.
 */
export interface JsonReport {
    readonly stack: string;
    readonly currency: "USD";
    readonly region: string;
    readonly usageSource: string;
    readonly monthly: MonthlyTotals;
    readonly resources: readonly {
        urn: string;
        type: string;
        name: string;
        monthly: number;
        components: readonly { name: string; unit: string; quantity: number | null; unitPrice: number; monthly: number; usageBased: boolean }[];
    }[];
    readonly notPriced: readonly { urn: string; type: string; name: string; reason: string }[];
    readonly free: readonly { urn: string; type: string; name: string; reason: string }[];
    readonly warnings: readonly string[];
    readonly freeTiers: FreeTierSummary;
    readonly budget?: BudgetVerdict;
    readonly perMillion?: PerMillion;
    readonly baseline?: { readonly monthly: MonthlyTotals };
    readonly change?: CostDiff;
    readonly diff?: CostDiff;
}

export function toJsonReport(report: CostReport, extra: { baseline?: CostReport; change?: CostDiff; diff?: CostDiff; budget?: BudgetVerdict } = {}): JsonReport {
    return {
        stack: report.stack,
        currency: "USD",
        region: report.region,
        usageSource: report.usageSource,
        monthly: report.monthly,
        resources: report.resources.map((r) => ({
            urn: r.urn,
            type: r.type,
            name: r.name,
            monthly: r.monthly,
            components: r.components.map((c) => ({ name: c.name, unit: c.unit, quantity: c.quantity, unitPrice: c.unitPrice, monthly: money(c.monthly), usageBased: c.usageBased })),
        })),
        notPriced: report.notPriced.map((r) => ({ urn: r.urn, type: r.type, name: r.name, reason: r.reason })),
        free: report.free.map((r) => ({ urn: r.urn, type: r.type, name: r.name, reason: r.reason })),
        warnings: report.warnings,
        freeTiers: report.freeTiers,
        ...(report.perMillion ? { perMillion: report.perMillion } : {}),
        ...(extra.budget ? { budget: extra.budget } : {}),
        ...(extra.baseline ? { baseline: { monthly: extra.baseline.monthly } } : {}),
        ...(extra.change ? { change: extra.change } : {}),
        ...(extra.diff ? { diff: extra.diff } : {}),
    };
}

function isRecord(v: unknown): v is Record<string, unknown> {
    return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Reads an earlier `--format json` report back for --compare; checks what the diff needs. */
export function parseJsonReport(value: unknown, source: string): Pick<CostReport, "stack" | "monthly" | "resources"> {
    const fail = (problem: string): never => {
        throw new Error(`--compare ${source}: ${problem}. Fix: pass a report written by npm run cost -- --format json.`);
    };
    if (!isRecord(value)) fail("expected a JSON object");
    const doc = value as Record<string, unknown>;
    if (doc.currency !== "USD") fail(`expected "currency": "USD"; found ${JSON.stringify(doc.currency)}`);
    if (typeof doc.stack !== "string") fail(`expected a "stack" string; found ${JSON.stringify(doc.stack)}`);
    const monthly = doc.monthly as Record<string, unknown>;
    if (!isRecord(monthly) || !["fixed", "usage", "total"].every((k) => typeof monthly[k] === "number")) fail(`expected "monthly": { fixed, usage, total } numbers`);
    if (!Array.isArray(doc.resources)) fail(`expected a "resources" array`);
    const resources: PricedResource[] = (doc.resources as unknown[]).map((r, i) => {
        if (!isRecord(r) || typeof r.urn !== "string" || typeof r.monthly !== "number" || !Array.isArray(r.components)) {
            return fail(`resources[${i}]: expected urn, type, name, monthly and components`);
        }
        const components: CostComponent[] = (r.components as Record<string, unknown>[]).map((c) => ({
            name: String(c.name),
            unit: String(c.unit),
            quantity: typeof c.quantity === "number" ? c.quantity : null,
            unitPrice: Number(c.unitPrice),
            monthly: Number(c.monthly),
            usageBased: c.usageBased === true,
            priceId: "",
        }));
        return { urn: r.urn, type: String(r.type), name: String(r.name), monthly: r.monthly, components };
    });
    return { stack: doc.stack as string, monthly: monthly as unknown as MonthlyTotals, resources };
}
