import * as path from "path";
import { PolicyResource, ReportViolation, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import {
    CostReport,
    defaultUsagePath,
    estimateCost,
    inputsFromPolicyResources,
    loadUsageFile,
    parseUsageDocument,
    PolicyResourceLike,
    StackBudget,
    stackBudgets,
    stackOfUrn,
    UsageDocument,
} from "../cost";

/**
 * The budget guardrail: prices the stack with the cost model (cost/) and fails when the monthly
 * total exceeds the stack's budget. The budget is the `limitAmount` of the stack's own
 * `aws:budgets/budget:Budget`, which the program sets from `platform:budgetMonthlyUsd`: the
 * number AWS Budgets alerts on is the number this policy enforces.
 *
 * Enforcement: advisory by default; the prod pack config sets it to mandatory.
 */

export interface BudgetPolicyConfig {
    /**
     * Usage file, relative to the project root: "" (the default) for `cost/usage.<stack>.yaml` of
     * the stack being checked, "none" to price usage components at $0 (fixed costs only).
     */
    readonly usageFile: string;
    /** An inline usage document (same shape as the usage files); replaces the file when set. */
    readonly usage?: unknown;
    /** The limit when the stack declares no monthly cost budget. Optional; the stack's budget wins. */
    readonly monthlyLimitUsd?: number;
    /** Also fail when resources cannot be priced (the total is then a lower bound). Defaults to false. */
    readonly failOnNotPriced: boolean;
}

export const budgetPolicyName = "cost-stack-monthly-budget";

const projectRoot = path.resolve(__dirname, "..");

function usageOf(config: Partial<BudgetPolicyConfig>, stack: string | undefined): { doc?: UsageDocument; source: string } {
    if (config.usage !== undefined) {
        return { doc: parseUsageDocument(config.usage, `policy config ${budgetPolicyName}.usage`), source: "the policy config's usage" };
    }
    const file = config.usageFile ?? "";
    if (file === "none") {
        return { source: "no usage" };
    }
    const resolved = file === "" ? (stack ? defaultUsagePath(stack) : undefined) : path.resolve(projectRoot, file);
    if (!resolved) {
        return { source: "no usage (no cost/usage.<stack>.yaml)" };
    }
    return { doc: loadUsageFile(resolved), source: path.relative(projectRoot, resolved) };
}

function dollars(n: number): string {
    return `$${n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

export interface BudgetCheck {
    readonly report: CostReport;
    readonly budget?: StackBudget;
    readonly violations: readonly string[];
}

/** The policy's logic on plain resources: prices them and lists the violations (empty when within budget). */
export function checkStackBudget(resources: readonly PolicyResourceLike[], config: Partial<BudgetPolicyConfig>): BudgetCheck {
    const stack = resources.map((r) => stackOfUrn(r.urn)).find((s) => s !== undefined);
    const usage = usageOf(config, stack);
    const report = estimateCost(inputsFromPolicyResources(resources), { stack: stack ?? "unknown", usage: usage.doc, usageSource: usage.source });
    const { budgets, problems } = stackBudgets(resources);
    const violations: string[] = [...problems];
    const budget: StackBudget | undefined =
        budgets.sort((a, b) => a.limitUsd - b.limitUsd)[0] ??
        (config.monthlyLimitUsd !== undefined ? { limitUsd: config.monthlyLimitUsd, source: `the policy config's monthlyLimitUsd` } : undefined);
    const notPricedNote =
        report.notPriced.length > 0 ? ` ${report.notPriced.length} resource(s) are not priced, so the total is a lower bound: ${report.notPriced.map((r) => `${r.name} (${r.reason})`).join("; ")}.` : "";
    if (!budget) {
        violations.push(
            `The stack must declare a monthly cost budget: found no aws:budgets Budget (COST, MONTHLY, USD) and no monthlyLimitUsd in the policy config. Fix: set platform:budgetMonthlyUsd.`,
        );
    } else if (report.monthly.total > budget.limitUsd) {
        const top = [...report.resources]
            .sort((a, b) => b.monthly - a.monthly)
            .slice(0, 3)
            .map((r) => `${r.name} ${dollars(r.monthly)}`)
            .join(", ");
        violations.push(
            `Estimated monthly cost ${dollars(report.monthly.total)} (fixed ${dollars(report.monthly.fixed)} + usage ${dollars(report.monthly.usage)} at ${usage.source}) ` +
                `must not exceed the budget ${dollars(budget.limitUsd)} from ${budget.source}; it is over by ${dollars(report.monthly.total - budget.limitUsd)}. ` +
                `Largest: ${top}.${notPricedNote} Fix: shrink the change, or raise platform:budgetMonthlyUsd if the spend is intended.`,
        );
    }
    if (config.failOnNotPriced === true && report.notPriced.length > 0) {
        violations.push(`Every resource must be priced or free: ${notPricedNote.trim()} Fix: add a cost rule under cost/rules/ or a price to cost/prices/.`);
    }
    return { report, budget, violations };
}

function asLike(resources: readonly PolicyResource[]): PolicyResourceLike[] {
    return resources.map((r) => ({ urn: r.urn, type: r.type, name: r.name, props: r.props, parent: r.parent ? { urn: r.parent.urn } : undefined, provider: r.provider }));
}

/**
 * @severity high
 * @topics cost, finops
 */
export const stackMonthlyBudget: StackValidationPolicy = {
    name: budgetPolicyName,
    description:
        "Checks whether the stack's estimated monthly cost (cost model in cost/, usage from cost/usage.<stack>.yaml) stays within the stack's monthly budget: the limitAmount of its aws:budgets Budget, set from platform:budgetMonthlyUsd.",
    enforcementLevel: "advisory",
    severity: "high",
    remediationSteps:
        "Run `npm run cost -- --stack <stack>` to see which resources drive the total. Shrink them (fewer or smaller brokers, nodes, RPUs or endpoints in the stack config), correct the usage file if its traffic assumptions are wrong, or raise the budget on purpose with `pulumi config set platform:budgetMonthlyUsd <usd>` (the same number AWS Budgets alerts on).",
    configSchema: {
        properties: {
            usageFile: {
                type: "string",
                default: "",
                description: 'Usage file relative to the project root. Optional. Defaults to "" (cost/usage.<stack>.yaml of the checked stack); "none" prices fixed costs only.',
            },
            usage: { type: "object", description: "Inline usage document (version: 1, resourceTypeDefaults, resources). Optional; replaces the usage file when set." },
            monthlyLimitUsd: { type: "number", minimum: 0, description: "Monthly limit in USD used only when the stack declares no aws:budgets Budget. Optional." },
            failOnNotPriced: { type: "boolean", default: false, description: "Also fail when resources cannot be priced. Optional. Defaults to false." },
        },
    },
    validateStack: (args: StackValidationArgs, reportViolation: ReportViolation) => {
        const config = args.getConfig<Partial<BudgetPolicyConfig>>();
        let check: BudgetCheck;
        try {
            check = checkStackBudget(asLike(args.resources), config);
        } catch (err) {
            reportViolation(`The stack's monthly cost could not be estimated: ${(err as Error).message}`);
            return;
        }
        for (const message of check.violations) {
            reportViolation(message);
        }
    },
};

/** The budget guardrail's policies, for the pack entry point. */
export const budgetPolicies: StackValidationPolicy[] = [stackMonthlyBudget];
