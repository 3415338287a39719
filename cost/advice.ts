import { MonthlyTotals } from "./model";

/**
 * The arithmetic of the what-if advisor (`npm run cost -- --advise`): how a config alternative
 * changes the bill, and the traffic at which it and the current choice cost the same.
 *
 * Break-even model: the fixed part of a stack's bill does not move with traffic and the usage part
 * grows in proportion to it, so at k times the committed traffic a choice costs fixed + k × usage.
 * Two choices cost the same where their lines cross. The proportional-usage assumption is the
 * advisor's, stated in its output: storage accumulates and some requests do not follow records.
 */

export type BreakEven =
    /** The alternative is cheaper below `recordsPerSecond` and dearer above it. */
    | { readonly kind: "cheaper-below"; readonly recordsPerSecond: number }
    /** The alternative is cheaper above `recordsPerSecond` and dearer below it. */
    | { readonly kind: "cheaper-above"; readonly recordsPerSecond: number }
    /** One of the two is cheaper at every traffic level (the lines do not cross at positive traffic). */
    | { readonly kind: "always-cheaper" | "always-dearer" | "same" };

/**
 * Where `alternative` and `current` cost the same, in records a second, given the traffic
 * (`recordsPerSecond`) their usage figures assume.
 */
export function breakEven(current: MonthlyTotals, alternative: MonthlyTotals, recordsPerSecond: number): BreakEven {
    if (!(recordsPerSecond > 0)) {
        throw new Error(`recordsPerSecond: expected the committed workload in records a second (> 0); found ${recordsPerSecond}`);
    }
    const fixedDelta = alternative.fixed - current.fixed;
    const usageDelta = alternative.usage - current.usage;
    const near = (x: number) => Math.abs(x) < 0.005;
    if (near(fixedDelta) && near(usageDelta)) {
        return { kind: "same" };
    }
    // alternative − current at k × the committed traffic: fixedDelta + k × usageDelta
    const k = near(usageDelta) ? Number.NaN : -fixedDelta / usageDelta;
    if (!(k > 0) || !Number.isFinite(k)) {
        const atCommitted = fixedDelta + usageDelta;
        const atZero = fixedDelta;
        // No crossing at positive traffic: the sign is the same everywhere (take the committed point,
        // or the zero-traffic point when the committed one is exactly the crossing).
        return (near(atCommitted) ? atZero : atCommitted) < 0 ? { kind: "always-cheaper" } : { kind: "always-dearer" };
    }
    const rate = k * recordsPerSecond;
    // Below k the fixed difference dominates; above it the usage difference does.
    return fixedDelta < 0 ? { kind: "cheaper-below", recordsPerSecond: rate } : { kind: "cheaper-above", recordsPerSecond: rate };
}

/** One line for a break-even, in the words of the report. */
export function describeBreakEven(b: BreakEven): string {
    const rate = (n: number) => `${n >= 100 ? Math.round(n).toLocaleString("en-US") : n.toPrecision(2)} records/s`;
    switch (b.kind) {
        case "cheaper-below":
            return `cheaper below ${rate(b.recordsPerSecond)}, dearer above`;
        case "cheaper-above":
            return `cheaper above ${rate(b.recordsPerSecond)}, dearer below`;
        case "always-cheaper":
            return "cheaper at any traffic";
        case "always-dearer":
            return "dearer at any traffic";
        case "same":
            return "same cost at any traffic";
    }
}

/** One config alternative: the values it sets and what it gives up, in one line. */
export interface Alternative {
    readonly id: string;
    readonly title: string;
    readonly overrides: Readonly<Record<string, string>>;
    readonly tradeOff: string;
}

export interface AdvisorRow {
    readonly alternative: Alternative;
    /** "priced": the alternative ran; "refused": the stack's config refused it (with the config's message). */
    readonly outcome: "priced" | "refused";
    readonly monthly?: MonthlyTotals;
    /** Alternative total − current total, per month. */
    readonly change?: number;
    readonly policy?: { readonly mandatory: number; readonly advisory: number; readonly passes: boolean; readonly mandatoryPolicies: readonly string[] };
    readonly breakEven?: BreakEven;
    readonly refusal?: string;
}

export interface Advice {
    readonly stack: string;
    readonly usageSource: string;
    readonly recordsPerSecond: number;
    readonly current: MonthlyTotals;
    readonly rows: readonly AdvisorRow[];
}
