import * as assert from "assert";
import { budgetKeys, parseBudget } from "../../../infra/config/budget";
import { parseClean, rejectsEach } from "./helpers";

describe("config area: budget", () => {
    it("takes the monthly budget the stack states", () => {
        assert.deepStrictEqual(parseClean(budgetKeys, parseBudget, { budgetMonthlyUsd: "150" }), { monthlyUsd: 150 });
    });

    rejectsEach(budgetKeys, parseBudget, [
        { title: "a missing budget, which has no default", values: {}, problem: { key: "platform:budgetMonthlyUsd", expected: "a monthly budget in USD (required, no default)", found: "nothing", fix: "pulumi config set platform:budgetMonthlyUsd 150" } },
        { title: "a negative budget", values: { budgetMonthlyUsd: "-5" }, problem: { key: "platform:budgetMonthlyUsd", expected: "a positive whole number of USD", found: "-5", fix: "pulumi config set platform:budgetMonthlyUsd 150" } },
        { title: "a zero budget", values: { budgetMonthlyUsd: "0" }, problem: { key: "platform:budgetMonthlyUsd", expected: "a positive whole number of USD", found: "0", fix: "pulumi config set platform:budgetMonthlyUsd 150" } },
    ]);
});
