/** Budget config: the monthly budget in USD, which every stack must state. */
import { configNamespace, ConfigKey, ConfigReader } from "./reader";

export const budgetKeys: readonly ConfigKey[] = [
    { name: "budgetMonthlyUsd", type: "integer", example: "150", description: "Required, no default: the monthly budget in USD, used by the AWS Budgets budget and by the cost policy (one number)." },
];

export interface BudgetConfig {
    readonly monthlyUsd: number;
}

/** The budget has no default on purpose: every stack states its own. */
export function parseBudget(reader: ConfigReader): BudgetConfig {
    const monthlyUsd = reader.int("budgetMonthlyUsd");
    if (!reader.isSet("budgetMonthlyUsd")) {
        reader.report({ key: `${configNamespace}:budgetMonthlyUsd`, expected: "a monthly budget in USD (required, no default)", found: "nothing", fix: "pulumi config set platform:budgetMonthlyUsd 150" });
    } else if (monthlyUsd <= 0) {
        reader.fail("budgetMonthlyUsd", "a positive whole number of USD", monthlyUsd, "pulumi config set platform:budgetMonthlyUsd 150");
    }
    return { monthlyUsd };
}
