import { PolicyResourceLike } from "./adapters";
import { BudgetVerdict, CostInput, CostReport } from "./model";

/**
 * The stack's monthly budget, read from what it declares: the budget policy enforces it and the
 * cost review shows the estimate against it, so both read the same number.
 */

const budgetType = "aws:budgets/budget:Budget";

export interface StackBudget {
    readonly limitUsd: number;
    /** Where the limit came from, for messages. */
    readonly source: string;
    readonly urn?: string;
}

function readProp(props: Record<string, unknown>, key: string): unknown {
    try {
        return props[key];
    } catch {
        return undefined;
    }
}

/**
 * The stack's monthly cost budgets: every COST budget with a MONTHLY time unit and a USD limit.
 * A limit not known at preview is reported as a problem rather than skipped.
 */
export function stackBudgets(resources: readonly PolicyResourceLike[]): { budgets: StackBudget[]; problems: string[] } {
    const budgets: StackBudget[] = [];
    const problems: string[] = [];
    for (const r of resources.filter((x) => x.type === budgetType)) {
        const kind = readProp(r.props, "budgetType");
        const unit = readProp(r.props, "timeUnit");
        const currency = readProp(r.props, "limitUnit");
        if (kind !== "COST" || unit !== "MONTHLY") {
            continue;
        }
        const amount = Number(readProp(r.props, "limitAmount"));
        if (currency !== "USD" || !Number.isFinite(amount) || amount <= 0) {
            problems.push(`budget ${r.name}: expected a positive USD limitAmount; found ${JSON.stringify(readProp(r.props, "limitAmount"))} ${JSON.stringify(currency)}`);
            continue;
        }
        budgets.push({ limitUsd: amount, source: `the aws:budgets Budget "${r.name}" (platform:budgetMonthlyUsd)`, urn: r.urn });
    }
    return { budgets, problems };
}

/** The stack's monthly budget beside its estimate, when the stack declares exactly one. */
export function budgetVerdict(inputs: readonly CostInput[], report: CostReport): BudgetVerdict | undefined {
    const { budgets } = stackBudgets(inputs.map((r) => ({ urn: r.urn, type: r.type, name: r.name, props: r.inputs as Record<string, unknown> })));
    if (budgets.length !== 1) {
        return undefined;
    }
    const share = report.monthly.total / budgets[0].limitUsd;
    return { limitUsd: budgets[0].limitUsd, source: budgets[0].source, share, within: share <= 1 };
}
