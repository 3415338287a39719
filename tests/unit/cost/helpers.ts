import * as assert from "assert";
import { CostInput, CostReport, estimateCost, parseUsageDocument, PricedResource } from "../../../cost";
import { OfflineRun, runOffline } from "../../../tools/offline/program";

/** Prices resources in us-east-1 with usage given per type (resourceTypeDefaults). */
export function estimate(resources: CostInput[], usageByType: Record<string, Record<string, number>> = {}): CostReport {
    const usage = parseUsageDocument({ version: 1, resourceTypeDefaults: usageByType, resources: {} }, "test usage");
    return estimateCost(resources, { stack: "test", region: "us-east-1", usage, usageSource: "test usage" });
}

export function resource(type: string, inputs: Record<string, unknown>, name = "subject", parent?: string): CostInput {
    return { urn: `urn:pulumi:test::platform::${type}::${name}`, type, name, inputs, parent };
}

/** Prices one resource and returns it priced; fails the test if it is free or not priced. */
export function priceOne(type: string, inputs: Record<string, unknown>, usage: Record<string, number> = {}, others: CostInput[] = []): PricedResource {
    const report = estimate([resource(type, inputs), ...others], { [type]: usage });
    const priced = report.resources.find((r) => r.name === "subject");
    assert.ok(priced, `expected ${type} to be priced; free: ${JSON.stringify(report.free)}; not priced: ${JSON.stringify(report.notPriced)}`);
    return priced;
}

export function outcomeOf(type: string, inputs: Record<string, unknown>, others: CostInput[] = []): { kind: "priced" | "free" | "notPriced"; reason?: string } {
    const report = estimate([resource(type, inputs), ...others]);
    const free = report.free.find((r) => r.name === "subject");
    if (free) return { kind: "free", reason: free.reason };
    const np = report.notPriced.find((r) => r.name === "subject");
    if (np) return { kind: "notPriced", reason: np.reason };
    return { kind: "priced" };
}

export function assertMoney(actual: number, expected: number, what = "amount"): void {
    assert.ok(Math.abs(actual - expected) < 0.005, `${what}: expected $${expected}; got $${actual}`);
}

/** Asserts the monthly cost of each named component (prefix match on the name) and of the resource. */
export function assertComponents(r: PricedResource, expected: Record<string, number | null>, total: number): void {
    for (const [prefix, monthly] of Object.entries(expected)) {
        const c = r.components.find((x) => x.name.startsWith(prefix));
        assert.ok(c, `component "${prefix}" in ${r.components.map((x) => x.name).join(" | ")}`);
        if (monthly === null) {
            assert.strictEqual(c.quantity, null, `${prefix}: expected no quantity (depends on usage)`);
            assert.strictEqual(c.monthly, 0);
        } else {
            assertMoney(c.monthly, monthly, prefix);
        }
    }
    assertMoney(r.monthly, total, `${r.type} total`);
}

const runs = new Map<string, Promise<OfflineRun>>();

/** The offline run of a stack as configured, shared by the cost suites (runs are slow and serialized). */
export function stackRun(stack: "dev" | "prod"): Promise<OfflineRun> {
    let run = runs.get(stack);
    if (!run) {
        run = runOffline({ stack });
        runs.set(stack, run);
    }
    return run;
}
