import * as assert from "assert";
import { PolicyResource, unknownCheckingProxy } from "@pulumi/policy";
import { budgetPolicies, budgetPolicyName, checkStackBudget, stackMonthlyBudget } from "../../../policies/budget";
import { OfflineRun, runOffline } from "../../../tools/offline/program";
import { estimateRun } from "../../../cost";
import { stackRun } from "./helpers";

// The SDK's sentinel for a string unknown during preview (exported at runtime, not in its typings).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { unknownStringValue } = require("@pulumi/policy/proxy") as { unknownStringValue: string };

/**
 * CrossGuard resources as the policy server builds them: props behind the unknown-checking proxy,
 * the provider resolved to its own object.
 */
function policyResources(run: OfflineRun, unknownProps: Record<string, string[]> = {}): PolicyResource[] {
    const providers = new Map(run.resources.filter((r) => r.type.startsWith("pulumi:providers:")).map((r) => [r.urn, r]));
    return run.resources.map((r) => {
        const props: Record<string, unknown> = { ...r.inputs };
        for (const key of unknownProps[r.type] ?? []) {
            props[key] = unknownStringValue;
        }
        const providerUrn = r.provider ? [...providers.keys()].find((u) => r.provider!.startsWith(`${u}::`)) : undefined;
        const provider = providerUrn ? providers.get(providerUrn)! : undefined;
        return {
            type: r.type,
            urn: r.urn,
            name: r.name,
            props: unknownCheckingProxy(props),
            opts: { protect: r.protect, ignoreChanges: [], aliases: [], additionalSecretOutputs: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 } },
            provider: provider ? { type: provider.type, urn: provider.urn, name: provider.name, props: unknownCheckingProxy({ ...provider.inputs }) } : undefined,
            dependencies: [],
            propertyDependencies: {},
            isType: () => false,
            asType: () => undefined,
        } as unknown as PolicyResource;
    });
}

/** Runs the policy's validateStack as the policy server would, returning the violation messages. */
async function validate(run: OfflineRun, config: Record<string, unknown> = {}, unknownProps: Record<string, string[]> = {}): Promise<string[]> {
    const violations: string[] = [];
    await stackMonthlyBudget.validateStack(
        { resources: policyResources(run, unknownProps), stackTags: new Map(), getConfig: <T>() => ({ usageFile: "", failOnNotPriced: false, ...config }) as T, notApplicable: () => { throw new Error("notApplicable"); } } as never,
        (message: string) => violations.push(message),
    );
    return violations;
}

describe("budget policy (cost-stack-monthly-budget)", function () {
    this.timeout(240_000);
    let dev: OfflineRun;
    let prod: OfflineRun;

    before(async () => {
        dev = await stackRun("dev");
        prod = await stackRun("prod");
    });

    it("is exported for the pack as one stack policy with its metadata and config schema", () => {
        assert.deepStrictEqual(budgetPolicies, [stackMonthlyBudget]);
        assert.strictEqual(stackMonthlyBudget.name, budgetPolicyName);
        assert.strictEqual(budgetPolicyName, "cost-stack-monthly-budget");
        assert.match(stackMonthlyBudget.description, /^Checks whether /);
        assert.strictEqual(stackMonthlyBudget.enforcementLevel, "advisory");
        assert.deepStrictEqual(Object.keys(stackMonthlyBudget.configSchema!.properties).sort(), ["failOnNotPriced", "monthlyLimitUsd", "usage", "usageFile"]);
        assert.ok(!("enforcementLevel" in stackMonthlyBudget.configSchema!.properties), "enforcementLevel may not be a config property");
    });

    it("reads the limit from the stack's AWS Budgets budget, the number platform:budgetMonthlyUsd sets", () => {
        const check = checkStackBudget(
            policyResources(prod).map((r) => ({ urn: r.urn, type: r.type, name: r.name, props: r.props, provider: r.provider })),
            { usageFile: "" },
        );
        assert.strictEqual(check.budget?.limitUsd, Number(prod.config["platform:budgetMonthlyUsd"]));
        assert.match(check.budget!.source, /aws:budgets Budget "observability-monthly"/);
    });

    it("passes dev and prod as configured, at their default usage", async () => {
        assert.deepStrictEqual(await validate(dev), []);
        assert.deepStrictEqual(await validate(prod), []);
    });

    it("prices the re-sized prod (serverless warehouse at 4 RPU, 100 GiB brokers, arm64 functions) within its $2,000 budget, and blocks it with a budget under a dollar below its total", async () => {
        const check = checkStackBudget(
            policyResources(prod).map((r) => ({ urn: r.urn, type: r.type, name: r.name, props: r.props, provider: r.provider })),
            {},
        );
        // The policy prices what npm run cost prices: the same model, the same usage file.
        const total = estimateRun(prod).monthly.total;
        assert.strictEqual(check.report.monthly.total, total);
        assert.deepStrictEqual([check.budget?.limitUsd, check.violations], [2000, []]);
        // The re-sized components the total is made of (cost/usage.prod.yaml; see README "Defaults and alternatives").
        const monthlyOf = (name: string) => check.report.resources.find((r) => r.name === name)?.monthly;
        // 3 × 730 h × 0.204 + 3 × 100 GB × 0.10; DEFAULT monitoring is free
        assert.strictEqual(monthlyOf("streaming-cluster"), 476.76);
        // 6 busy hours × 4 RPU × 730/24 days × 0.375 + 1 TB of Spectrum × 5
        assert.strictEqual(monthlyOf("warehouse-workgroup"), 278.75);
        assert.strictEqual(check.report.resources.filter((r) => r.type === "aws:ec2/vpcEndpoint:VpcEndpoint").length, 6);
        assert.ok(total > 1000 && total < 2000, `prod's total ${total} is within its budget`);
        const tight = await runOffline({ stack: "prod", overrides: { "platform:budgetMonthlyUsd": String(Math.floor(total)) } });
        const violations = await validate(tight);
        assert.strictEqual(violations.length, 1);
        assert.ok(violations[0].startsWith(`Estimated monthly cost $${total.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })} `), violations[0]);
    });

    it("fails an inflated prod (12 × kafka.m7g.4xlarge brokers, a 4-node ra3.4xlarge warehouse) over its $2,000 budget", async () => {
        const inflated = await runOffline({
            stack: "prod",
            overrides: {
                "platform:mskBrokerCount": "12",
                "platform:mskInstanceType": "kafka.m7g.4xlarge",
                "platform:warehouseMode": "provisioned",
                "platform:warehouseNodeType": "ra3.4xlarge",
                "platform:warehouseNodeCount": "4",
            },
        });
        const violations = await validate(inflated);
        assert.strictEqual(violations.length, 1);
        // MSK: 12 × 730 × 1.632 = 14,296.32 + 12 × 100 GB × 0.10 = 120 → 14,416.32; Redshift: 4 × 730 × 3.26 = 9,519.20 + ...
        assert.match(violations[0], /^Estimated monthly cost \$2\d,\d{3}\.\d\d .* must not exceed the budget \$2,000\.00 from the aws:budgets Budget "observability-monthly"/);
        assert.match(violations[0], /Largest: streaming-cluster \$14,416\.32, warehouse-cluster \$9,5\d\d\.\d\d/);
    });

    it("still fails when the inflated prod raises its budget, but not enough", async () => {
        const inflated = await runOffline({
            stack: "prod",
            overrides: { "platform:mskBrokerCount": "12", "platform:mskInstanceType": "kafka.m7g.4xlarge", "platform:budgetMonthlyUsd": "15000" },
        });
        const violations = await validate(inflated);
        assert.strictEqual(violations.length, 1);
        assert.match(violations[0], /must not exceed the budget \$15,000\.00/);
    });

    describe("with dev's budget lowered to $100 (platform:budgetMonthlyUsd)", () => {
        let tight: OfflineRun;
        before(async () => {
            tight = await runOffline({ stack: "dev", overrides: { "platform:budgetMonthlyUsd": "100" } });
        });

        it("fails: the policy follows the stack's budget", async () => {
            const violations = await validate(tight);
            assert.strictEqual(violations.length, 1);
            assert.match(violations[0], /must not exceed the budget \$100\.00/);
        });

        it("passes with usageFile none: fixed costs alone are below $100", async () => {
            assert.deepStrictEqual(await validate(tight, { usageFile: "none" }), []);
        });
    });

    it("takes an inline usage document from the policy config", async () => {
        const usage = { version: 1, resourceTypeDefaults: { "aws:redshiftserverless/workgroup:Workgroup": { activeHoursPerDay: 24 } }, resources: {} };
        const violations = await validate(dev, { usage });
        // 24 h × 8 RPU × 730/24 × 0.375 = 2,190 RPU-hours × 0.375 = 821.25, over dev's budget
        assert.strictEqual(violations.length, 1);
        assert.match(violations[0], /at the policy config's usage/);
    });

    it("reports resources it cannot price only when failOnNotPriced is set", async () => {
        // prod prices every resource, so the flag changes nothing there
        assert.deepStrictEqual(await validate(prod, { failOnNotPriced: true }), []);
        // a mapping whose minimum pollers are unknown until apply cannot be priced
        const unknownPollers = { "aws:lambda/eventSourceMapping:EventSourceMapping": ["provisionedPollerConfig"] };
        assert.deepStrictEqual(await validate(prod, {}, unknownPollers), []);
        const violations = await validate(prod, { failOnNotPriced: true }, unknownPollers);
        assert.strictEqual(violations.length, 1);
        assert.match(violations[0], /^Every resource must be priced or free: .*ingest-orders-source/);
    });

    it("fails a stack without a monthly budget unless the config gives a limit", async () => {
        const resources = policyResources(dev).filter((r) => r.type !== "aws:budgets/budget:Budget");
        const plain = resources.map((r) => ({ urn: r.urn, type: r.type, name: r.name, props: r.props, provider: r.provider }));
        assert.match(checkStackBudget(plain, { usageFile: "" }).violations[0], /must declare a monthly cost budget/);
        assert.deepStrictEqual(checkStackBudget(plain, { usageFile: "", monthlyLimitUsd: 1000 }).violations, []);
    });

    it("reads props through the unknown-checking proxy: values unknown in a preview are not priced rather than failing the policy", async () => {
        const violations = await validate(prod, { failOnNotPriced: true }, { "aws:msk/cluster:Cluster": ["enhancedMonitoring"] });
        assert.strictEqual(violations.length, 1);
        assert.match(violations[0], /streaming-cluster \(enhancedMonitoring is not known until the resource is created/);
    });

    it("reports an unknown region as a violation, never as $0", async () => {
        const resources = policyResources(dev).map((r) =>
            r.type === "pulumi:providers:aws" ? ({ ...r, props: { ...r.props, region: "ap-southeast-7" } } as PolicyResource) : r.provider ? ({ ...r, provider: { ...r.provider, props: { region: "ap-southeast-7" } } } as PolicyResource) : r,
        );
        const violations: string[] = [];
        await stackMonthlyBudget.validateStack({ resources, stackTags: new Map(), getConfig: <T>() => ({}) as T } as never, (m: string) => violations.push(m));
        assert.strictEqual(violations.length, 1);
        assert.match(violations[0], /could not be estimated: region: expected one of us-east-1 .* found "ap-southeast-7"/);
    });
});
