import type { PerMillion } from "./stages";

/**
 * The shapes of a cost estimate. A resource is either priced (with components), free (with the
 * reason it costs nothing) or not priced (with the reason the model cannot price it): never a
 * silent zero.
 */

/** One line of a resource's cost, like an Infracost cost component. */
export interface CostComponent {
    readonly name: string;
    readonly unit: string;
    /** Monthly quantity in `unit`; null when it depends on usage the usage file does not give. */
    readonly quantity: number | null;
    readonly unitPrice: number;
    /** quantity × unitPrice; 0 when quantity is null (the report then shows the unit price). */
    readonly monthly: number;
    /** The quantity comes from usage (the usage file), not from the resource's declared inputs. */
    readonly usageBased: boolean;
    /** Id of the price in the region's price file. */
    readonly priceId: string;
}

export interface ResourceRef {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
}

export interface PricedResource extends ResourceRef {
    readonly monthly: number;
    readonly components: readonly CostComponent[];
}

export interface FreeResource extends ResourceRef {
    readonly reason: string;
}

export interface NotPricedResource extends ResourceRef {
    readonly reason: string;
}

export interface MonthlyTotals {
    /** Components whose quantity comes from the declared resources (hours × 730, sizes). */
    readonly fixed: number;
    /** Components whose quantity comes from usage. */
    readonly usage: number;
    readonly total: number;
}

/** The stack's monthly budget (its aws:budgets Budget) beside the estimate, for the cost review. */
export interface BudgetVerdict {
    readonly limitUsd: number;
    /** Where the limit came from. */
    readonly source: string;
    /** The estimate's share of the limit (total / limit). */
    readonly share: number;
    readonly within: boolean;
}

/** How much of one always-free allowance the stack's priced quantities would use. */
export interface FreeTierCredit {
    readonly id: string;
    readonly unit: string;
    readonly allowance: number;
    /** The stack's quantity of the tier's prices (components with a known quantity). */
    readonly used: number;
    /** Dollars of the total the allowance covers when nothing else in the account uses it. */
    readonly upTo: number;
    readonly source: string;
}

export interface FreeTierSummary {
    /** Sum of the credits: the most the always-free tiers take off this total. */
    readonly upTo: number;
    readonly credits: readonly FreeTierCredit[];
}

export interface CostReport {
    readonly stack: string;
    readonly currency: "USD";
    /** The default region (resources may carry their own provider's region). */
    readonly region: string;
    /** Where usage came from: a file path, "inline", or "none". */
    readonly usageSource: string;
    readonly monthly: MonthlyTotals;
    readonly resources: readonly PricedResource[];
    readonly free: readonly FreeResource[];
    readonly notPriced: readonly NotPricedResource[];
    /** Things a reader should know: usage given for absent resources, preview documents without unchanged resources, ... */
    readonly warnings: readonly string[];
    /**
     * The always-free allowances (per account) the stack's quantities fall under. Not subtracted
     * from the totals: the account's other stacks and workloads share them.
     */
    readonly freeTiers: FreeTierSummary;
    /** Monthly cost per pipeline stage and per million records, when the usage states its records a second. */
    readonly perMillion?: PerMillion;
}

/** What the estimator needs of a declared resource, whichever document it came from. */
export interface CostInput {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly parent?: string;
    /** Provider reference (`<urn>::<id>` or a URN) whose region applies. */
    readonly provider?: string;
    readonly inputs: Readonly<Record<string, unknown>>;
}

/** Sum of components, rounded to 1/10,000 of a dollar to keep float noise out of reports. */
export function money(value: number): number {
    return Math.round(value * 10000) / 10000;
}

export function totalsOf(resources: readonly PricedResource[]): MonthlyTotals {
    let fixed = 0;
    let usage = 0;
    for (const r of resources) {
        for (const c of r.components) {
            if (c.usageBased) {
                usage += c.monthly;
            } else {
                fixed += c.monthly;
            }
        }
    }
    // The total is the sum of the rounded parts, so a report's fixed + usage always equals its total.
    const roundedFixed = money(fixed);
    const roundedUsage = money(usage);
    return { fixed: roundedFixed, usage: roundedUsage, total: money(roundedFixed + roundedUsage) };
}

/**
 * The part of a URN that identifies a resource independent of stack and project, so reports of
 * different stacks (dev versus prod) or of the same stack at two commits can be matched.
 */
export function resourceKey(urn: string): string {
    const parts = urn.split("::");
    return parts.length >= 4 && parts[0].startsWith("urn:pulumi:") ? parts.slice(2).join("::") : urn;
}
