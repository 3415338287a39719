import * as assert from "assert";
import { CostComponent, PricedResource, totalsOf } from "../../../cost";
import { diffReports, percentChange } from "../../../cost/diff";

function component(name: string, monthly: number, usageBased = false): CostComponent {
    return { name, unit: "hours", quantity: monthly, unitPrice: 1, monthly, usageBased, priceId: "test" };
}

function res(stack: string, name: string, components: CostComponent[]): PricedResource {
    return { urn: `urn:pulumi:${stack}::platform::aws:test/thing:Thing::${name}`, type: "aws:test/thing:Thing", name, monthly: components.reduce((s, c) => s + c.monthly, 0), components };
}

function report(stack: string, resources: PricedResource[]) {
    return { stack, monthly: totalsOf(resources), resources };
}

describe("monthly totals", () => {
    it("add up exactly: the total is the sum of the rounded fixed and usage parts", () => {
        // Rounded separately, 0.00006 + 0.00006 would give fixed 0.0001, usage 0.0001 but a total of 0.0001.
        const totals = totalsOf([res("s", "a", [component("Fixed part", 0.00006)]), res("s", "b", [component("Usage part", 0.00006, true)])]);
        assert.deepStrictEqual(totals, { fixed: 0.0001, usage: 0.0001, total: 0.0002 });
    });
});

describe("diffing cost reports", () => {
    const base = report("main", [res("main", "a", [component("Brokers (3 × kafka.m5.large)", 10)]), res("main", "b", [component("Data", 5, true)]), res("main", "same", [component("Key", 1)])]);
    const head = report("pr", [res("pr", "a", [component("Brokers (6 × kafka.m5.large)", 12)]), res("pr", "c", [component("Stream", 7)]), res("pr", "same", [component("Key", 1)])]);
    const diff = diffReports(base, head);

    it("gives the total change in dollars and percent", () => {
        assert.deepStrictEqual(diff.baseline, { fixed: 11, usage: 5, total: 16 });
        assert.deepStrictEqual(diff.current, { fixed: 20, usage: 0, total: 20 });
        assert.deepStrictEqual(diff.delta, { fixed: 9, usage: -5, total: 4 });
        assert.strictEqual(diff.percent, 25);
    });

    it("matches resources across stacks by URN without stack and project, and lists only changes, largest first", () => {
        assert.deepStrictEqual(
            diff.resources.map((r) => [r.name, r.change, r.delta, r.percent]),
            [
                ["c", "added", 7, null],
                ["b", "removed", -5, -100],
                ["a", "changed", 2, 20],
            ],
        );
    });

    it("pairs a component whose details changed and keeps both names", () => {
        const a = diff.resources.find((r) => r.name === "a")!;
        assert.deepStrictEqual(a.components, [{ name: "Brokers (6 × kafka.m5.large)", baselineName: "Brokers (3 × kafka.m5.large)", baseline: 10, current: 12, delta: 2 }]);
    });

    it("reports no change between identical reports", () => {
        const same = diffReports(base, base);
        assert.strictEqual(same.resources.length, 0);
        assert.strictEqual(same.delta.total, 0);
        assert.strictEqual(same.percent, 0);
    });

    it("has no percent for a change from $0", () => {
        assert.strictEqual(percentChange(0, 5), null);
        assert.strictEqual(percentChange(0, 0), 0);
        assert.strictEqual(percentChange(200, 150), -25);
    });
});
