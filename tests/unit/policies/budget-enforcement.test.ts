import * as assert from "assert";
import { checkOfflineRun } from "../../../policies/runner/offline";
import { variantRun } from "../../helpers/stacks";

/** The budget is one number (platform:budgetMonthlyUsd); the stacks' pack configs decide whether it blocks. */
describe("the budget policy's enforcement per stack", () => {
    it("only warns in dev when the stack prices above its budget", async () => {
        const run = await variantRun({ stack: "dev", overrides: { "platform:budgetMonthlyUsd": "50" } });
        const result = await checkOfflineRun(run);
        const budget = result.violations.filter((v) => v.policy === "cost-stack-monthly-budget");
        assert.deepStrictEqual(budget.map((v) => v.level), ["advisory"]);
        assert.match(budget[0].message, /must not exceed the budget \$50\.00/);
        assert.strictEqual(result.mandatory, 0);
    });

    it("blocks prod when the stack prices above its budget", async () => {
        const run = await variantRun({ stack: "prod", overrides: { "platform:budgetMonthlyUsd": "1000" } });
        const result = await checkOfflineRun(run);
        const budget = result.violations.filter((v) => v.policy === "cost-stack-monthly-budget");
        assert.deepStrictEqual(budget.map((v) => v.level), ["mandatory"]);
        assert.match(budget[0].message, /must not exceed the budget \$1,000\.00/);
    });
});
