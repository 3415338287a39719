import type { Unwrap } from "@pulumi/pulumi";
import { CostComponent, CostInput } from "../model";
import { PriceBook } from "../prices";

/** A usage key a rule reads from the usage file, with its unit and meaning (documented in the usage files). */
export interface UsageKey {
    readonly unit: string;
    readonly description: string;
}

export type UsageSchema = Readonly<Record<string, UsageKey>>;

export type RuleOutcome =
    | { readonly kind: "priced"; readonly components: readonly CostComponent[] }
    | { readonly kind: "free"; readonly reason: string }
    | { readonly kind: "notPriced"; readonly reason: string };

/** The rest of the stack, for rules whose cost depends on related resources. */
export interface StackView {
    readonly resources: readonly CostInput[];
    ofType(type: string): CostInput[];
    childrenOf(urn: string): CostInput[];
}

export interface RuleContext {
    readonly prices: PriceBook;
    /** Hours in a month (730, from the price file). */
    readonly hours: number;
    /** The resource's usage value for `key`, or undefined when the usage file gives none. */
    usage(key: string): number | undefined;
    readonly stack: StackView;
}

/**
 * How one resource type costs money. `Args` is the type's real `@pulumi/aws` input type, so the
 * rule reads the same property names the program sets; values may be `unknown` in a preview.
 */
export interface CostRule<Props = Record<string, unknown>> {
    readonly type: string;
    readonly usage: UsageSchema;
    price(props: Props, resource: CostInput, ctx: RuleContext): RuleOutcome;
}

export type AnyRule = CostRule<any>;

export function costRule<Args>(rule: CostRule<Partial<Unwrap<Args>>>): AnyRule {
    return rule as AnyRule;
}

export function priced(...components: (CostComponent | readonly CostComponent[])[]): RuleOutcome {
    return { kind: "priced", components: components.flat() };
}

export function free(reason: string): RuleOutcome {
    return { kind: "free", reason };
}

export function notPriced(reason: string): RuleOutcome {
    return { kind: "notPriced", reason };
}

function component(ctx: RuleContext, name: string, priceId: string, quantity: number | null, usageBased: boolean): CostComponent {
    const entry = ctx.prices.entry(priceId);
    const unitPrice = ctx.prices.price(priceId);
    if (quantity !== null && (!Number.isFinite(quantity) || quantity < 0)) {
        throw new Error(`internal: component "${name}" got quantity ${quantity}`);
    }
    return { name, unit: entry.unit, quantity, unitPrice, monthly: quantity === null ? 0 : quantity * unitPrice, usageBased, priceId };
}

/** A component whose quantity follows from the declared resource (hours × 730, GB provisioned). */
export function fixed(ctx: RuleContext, name: string, priceId: string, quantity: number): CostComponent {
    return component(ctx, name, priceId, quantity, false);
}

/** A component whose quantity comes from usage; without usage it shows its unit price and adds $0. */
export function usage(ctx: RuleContext, name: string, priceId: string, quantity: number | undefined): CostComponent {
    return component(ctx, name, priceId, quantity ?? null, true);
}

/**
 * A tiered price split into one component per tier the quantity reaches (like Infracost's
 * "first 6B / next 9B"); without a quantity, one component shows the first tier's price.
 */
export function tiered(ctx: RuleContext, name: string, priceId: string, quantity: number | undefined, usageBased: boolean): CostComponent[] {
    const entry = ctx.prices.entry(priceId);
    if (!entry.tiers) {
        return [component(ctx, name, priceId, quantity ?? null, usageBased)];
    }
    const labels = tierLabels(entry.tiers.map((t) => t.upTo), entry.unit);
    if (quantity === undefined) {
        return [{ name: `${name} (${labels[0]})`, unit: entry.unit, quantity: null, unitPrice: entry.tiers[0].price, monthly: 0, usageBased, priceId }];
    }
    const out: CostComponent[] = [];
    let floor = 0;
    entry.tiers.forEach((tier, i) => {
        const ceiling = tier.upTo ?? Infinity;
        const inTier = Math.max(0, Math.min(quantity, ceiling) - floor);
        if (inTier > 0 || (i === 0 && quantity === 0)) {
            out.push({ name: `${name} (${labels[i]})`, unit: entry.unit, quantity: inTier, unitPrice: tier.price, monthly: inTier * tier.price, usageBased, priceId });
        }
        floor = ceiling;
    });
    return out;
}

function shortNumber(n: number): string {
    if (n >= 1e9 && n % 1e8 === 0) return `${n / 1e9}B`;
    if (n >= 1e6 && n % 1e5 === 0) return `${n / 1e6}M`;
    if (n >= 1024 && n % 1024 === 0) return `${n / 1024} TB`;
    return String(n);
}

function tierLabels(bounds: readonly (number | undefined)[], unit: string): string[] {
    let previous = 0;
    return bounds.map((upTo, i) => {
        const label = upTo === undefined ? `over ${shortNumber(previous)}` : i === 0 ? `first ${shortNumber(upTo)}` : `next ${shortNumber(upTo - previous)}`;
        previous = upTo ?? previous;
        return unit === "GB" ? label.replace(/ TB$/, "TB") : label;
    });
}

/** Usage in millions, for prices quoted per million requests; unknown usage stays unknown. */
export function millions(n: number | undefined): number | undefined {
    return n === undefined ? undefined : n / 1e6;
}

/** Hours per month × count, the quantity of an always-on component. */
export function monthlyHours(ctx: RuleContext, count: number): number {
    return count * ctx.hours;
}
