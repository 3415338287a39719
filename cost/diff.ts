import { CostComponent, CostReport, money, MonthlyTotals, resourceKey } from "./model";

/**
 * The difference between two cost reports (main versus a pull request, before and after a
 * preview, dev versus prod): per resource and in total, in dollars and percent. Resources are
 * matched by their URN without stack and project, so reports of different stacks compare.
 */

export type ResourceChange = "added" | "removed" | "changed";

export interface ComponentDiff {
    readonly name: string;
    /** Baseline name when it differs (e.g. "3 × kafka.m5.large" → "6 × kafka.m5.large"). */
    readonly baselineName?: string;
    readonly baseline: number;
    readonly current: number;
    readonly delta: number;
}

export interface ResourceDiff {
    readonly key: string;
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly change: ResourceChange;
    readonly baseline: number;
    readonly current: number;
    readonly delta: number;
    /** Percent change, or null when the baseline is $0. */
    readonly percent: number | null;
    readonly components: readonly ComponentDiff[];
}

export interface CostDiff {
    readonly baselineStack: string;
    readonly stack: string;
    readonly baseline: MonthlyTotals;
    readonly current: MonthlyTotals;
    readonly delta: MonthlyTotals;
    readonly percent: number | null;
    /** Only resources whose monthly cost or components changed, largest change first. */
    readonly resources: readonly ResourceDiff[];
}

/** The resources of a report the diff reads (a parsed JSON report has the same shape). */
export type ComparableReport = Pick<CostReport, "stack" | "monthly" | "resources">;

export function percentChange(baseline: number, current: number): number | null {
    return baseline === 0 ? (current === 0 ? 0 : null) : Math.round(((current - baseline) / baseline) * 10000) / 100;
}

/** Component identity: its name without the parenthesised details, plus its position among equal names. */
function componentKeys(components: readonly CostComponent[]): Map<string, CostComponent> {
    const map = new Map<string, CostComponent>();
    const seen = new Map<string, number>();
    for (const c of components) {
        const base = c.name.replace(/\s*\([^)]*\)/g, "").trim();
        const n = seen.get(base) ?? 0;
        seen.set(base, n + 1);
        map.set(`${base}#${n}`, c);
    }
    return map;
}

function diffComponents(before: readonly CostComponent[], after: readonly CostComponent[]): ComponentDiff[] {
    const a = componentKeys(before);
    const b = componentKeys(after);
    const out: ComponentDiff[] = [];
    for (const key of new Set([...a.keys(), ...b.keys()])) {
        const x = a.get(key);
        const y = b.get(key);
        const baseline = x?.monthly ?? 0;
        const current = y?.monthly ?? 0;
        const renamed = x && y && x.name !== y.name;
        if (money(current - baseline) !== 0 || renamed || !x || !y) {
            out.push({ name: (y ?? x)!.name, ...(renamed ? { baselineName: x!.name } : {}), baseline: money(baseline), current: money(current), delta: money(current - baseline) });
        }
    }
    return out;
}

export function diffReports(baseline: ComparableReport, current: ComparableReport): CostDiff {
    const before = new Map(baseline.resources.map((r) => [resourceKey(r.urn), r]));
    const after = new Map(current.resources.map((r) => [resourceKey(r.urn), r]));
    const resources: ResourceDiff[] = [];
    for (const key of new Set([...before.keys(), ...after.keys()])) {
        const x = before.get(key);
        const y = after.get(key);
        const ref = (y ?? x)!;
        const components = diffComponents(x?.components ?? [], y?.components ?? []);
        const b = x?.monthly ?? 0;
        const c = y?.monthly ?? 0;
        if (x && y && components.length === 0 && money(c - b) === 0) {
            continue;
        }
        resources.push({
            key,
            urn: ref.urn,
            type: ref.type,
            name: ref.name,
            change: !x ? "added" : !y ? "removed" : "changed",
            baseline: money(b),
            current: money(c),
            delta: money(c - b),
            percent: percentChange(b, c),
            components,
        });
    }
    resources.sort((p, q) => Math.abs(q.delta) - Math.abs(p.delta) || p.key.localeCompare(q.key));
    const delta: MonthlyTotals = {
        fixed: money(current.monthly.fixed - baseline.monthly.fixed),
        usage: money(current.monthly.usage - baseline.monthly.usage),
        total: money(current.monthly.total - baseline.monthly.total),
    };
    return {
        baselineStack: baseline.stack,
        stack: current.stack,
        baseline: baseline.monthly,
        current: current.monthly,
        delta,
        percent: percentChange(baseline.monthly.total, current.monthly.total),
        resources,
    };
}
