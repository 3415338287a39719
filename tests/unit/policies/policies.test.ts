import * as assert from "assert";
import { Policy } from "@pulumi/policy";
import { policies } from "../../../policies/pack";
import { allCases } from "./cases";
import { checkResource, checkStack, Outcome } from "./helpers";
import { PolicyCase } from "./cases/types";

/**
 * Every policy of the pack against its passing and failing cases (tests/unit/policies/cases),
 * with args built the way the engine builds them.
 */

/** How many validation functions the engine runs for the policy (one notApplicable per mismatched one). */
function validations(policy: Policy): number {
    const v = (policy as { validateResource?: unknown }).validateResource;
    return Array.isArray(v) ? v.length : 1;
}

function isStackPolicy(policy: Policy): boolean {
    return typeof (policy as { validateStack?: unknown }).validateStack === "function";
}

async function run(c: PolicyCase): Promise<Outcome> {
    if (isStackPolicy(c.policy)) {
        assert.ok(c.resources, `${c.policy.name} is a stack policy: its case "${c.name}" needs resources`);
        return checkStack(c.policy, c.resources, c.config);
    }
    assert.ok(c.resource, `${c.policy.name} is a resource policy: its case "${c.name}" needs a resource`);
    return checkResource(c.policy, c.resource, c.config);
}

const byPolicy = new Map<string, PolicyCase[]>();
for (const c of allCases) {
    byPolicy.set(c.policy.name, [...(byPolicy.get(c.policy.name) ?? []), c]);
}

describe("policy cases", () => {
    for (const [name, cases] of [...byPolicy].sort(([a], [b]) => a.localeCompare(b))) {
        describe(name, () => {
            for (const c of cases) {
                it(`${c.expect === "pass" ? "passes" : c.expect === "fail" ? "fails" : "does not apply to"} ${c.name}`, async () => {
                    const outcome = await run(c);
                    assert.deepStrictEqual(outcome.unknown, [], "no value is unknown in these cases");
                    if (c.expect === "pass") {
                        assert.deepStrictEqual(outcome.violations, []);
                        assert.ok(outcome.notApplicable.length < validations(c.policy), `the policy must apply to a passing case; it reported: ${outcome.notApplicable.join("; ")}`);
                    } else if (c.expect === "fail") {
                        assert.ok(outcome.violations.length > 0, "expected a violation, found none");
                        assert.ok(
                            outcome.violations.some((v) => c.match!.test(v)),
                            `expected a violation matching ${c.match}; found:\n  ${outcome.violations.join("\n  ")}`,
                        );
                    } else {
                        assert.deepStrictEqual(outcome.violations, []);
                        assert.strictEqual(outcome.notApplicable.length, validations(c.policy), "expected the policy to report itself not applicable");
                    }
                });
            }
        });
    }

    it("every policy of the pack has at least one passing and one failing case", () => {
        const missing = policies.flatMap((p) => {
            const cases = byPolicy.get(p.name) ?? [];
            return [cases.some((c) => c.expect === "pass") ? [] : [`${p.name}: no passing case`], cases.some((c) => c.expect === "fail") ? [] : [`${p.name}: no failing case`]].flat();
        });
        assert.deepStrictEqual(missing, []);
    });

    it("every case belongs to a policy of the pack", () => {
        const names = new Set(policies.map((p) => p.name));
        assert.deepStrictEqual([...byPolicy.keys()].filter((n) => !names.has(n)), []);
    });
});
