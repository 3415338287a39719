import * as assert from "assert";
import { coverage, estimateRun } from "../../../cost";
import { checkOfflineRun } from "../../../policies/runner/offline";
import { OfflineRun } from "../../../tools/offline/program";
import { input, json, ofType, one, provisionedWarehouseOverrides, stackRun, variantRun, zeroEtlClusterArn, zeroEtlVariants } from "../../helpers/stacks";

const T = {
    integration: "aws:rds/integration:Integration",
    resourcePolicy: "aws:redshift/resourcePolicy:ResourcePolicy",
    namespace: "aws:redshiftserverless/namespace:Namespace",
    workgroup: "aws:redshiftserverless/workgroup:Workgroup",
    cluster: "aws:redshift/cluster:Cluster",
    parameterGroup: "aws:redshift/parameterGroup:ParameterGroup",
    key: "aws:kms/key:Key",
    rule: "aws:cloudwatch/eventRule:EventRule",
    target: "aws:cloudwatch/eventTarget:EventTarget",
    alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    topic: "aws:sns/topic:Topic",
};

const warehouseKey = (run: OfflineRun) => one(run, T.key, "keys-warehouse");

/** What the integration, its resource policy, key policy and alarm look like in one stack variant. */
function assertIntegrated(run: OfflineRun, namespaceArn: string) {
    const integration = one(run, T.integration);
    assert.deepStrictEqual(
        [input(integration, "sourceArn"), input(integration, "targetArn"), input(integration, "kmsKeyId"), input(integration, "dataFilter")],
        [zeroEtlClusterArn, namespaceArn, warehouseKey(run).state.arn, "include: shop.public.customers"],
    );
    assert.strictEqual(run.outputs.zeroEtlIntegration, integration.state.arn, "the stack exports the integration's ARN");
    const context = input(integration, "additionalEncryptionContext") as Record<string, string>;
    const policy = one(run, T.resourcePolicy);
    assert.strictEqual(input(policy, "resourceArn"), namespaceArn);
    const statements = json(policy, "policy").Statement as { Principal: Record<string, string>; Action: string; Resource: string; Condition?: unknown }[];
    assert.deepStrictEqual(
        statements.map((s) => [s.Principal, s.Action, s.Resource, s.Condition]),
        [
            [{ Service: "redshift.amazonaws.com" }, "redshift:AuthorizeInboundIntegration", namespaceArn, { StringEquals: { "aws:SourceArn": zeroEtlClusterArn } }],
            [{ AWS: "arn:aws:iam::123456789012:root" }, "redshift:CreateInboundIntegration", namespaceArn, undefined],
        ],
    );
    const grant = (json(warehouseKey(run), "policy").Statement as { Sid: string; Principal: unknown; Action: string; Condition: Record<string, Record<string, unknown>> }[]).find((s) => s.Sid === "RedshiftGrantsForZeroEtlIntegration");
    assert.ok(grant, "the warehouse key lets Redshift create the integration's grants");
    assert.deepStrictEqual([grant.Principal, grant.Action], [{ Service: "redshift.amazonaws.com" }, "kms:CreateGrant"]);
    assert.deepStrictEqual(grant.Condition.StringEquals, Object.fromEntries(Object.entries(context).map(([k, v]) => [`kms:EncryptionContext:${k}`, v])), "only under the integration's encryption context");
    const rule = ofType(run, T.rule).find((r) => JSON.parse(String(input(r, "eventPattern"))).resources?.[0] === integration.state.arn);
    assert.ok(rule, "an EventBridge rule watches the integration's events");
    const target = ofType(run, T.target).find((t) => input(t, "rule") === input(rule, "name"));
    assert.strictEqual(input(target!, "arn"), one(run, T.topic, "observability-alarms").state.arn);
    assert.deepStrictEqual(input(one(run, T.alarm, "warehouse-zero-etl-failed"), "dimensions"), { RuleName: input(rule, "name") }, "an alarm counts the rule's failure events");
}

describe("dbSourceZeroEtl: the Aurora-to-Redshift zero-ETL integration (test-only stack configs)", function () {
    this.timeout(300_000);

    it("dev (serverless): integrates the Aurora cluster into the namespace, with case-sensitive identifiers on the workgroup", async () => {
        const run = await variantRun(zeroEtlVariants.serverless);
        assertIntegrated(run, one(run, T.namespace).state.arn as string);
        const parameters = input(one(run, T.workgroup), "configParameters") as { parameterKey: string; parameterValue: string }[];
        assert.ok(parameters.some((p) => p.parameterKey === "enable_case_sensitive_identifier" && p.parameterValue === "true"));
    });

    it("prod (provisioned): integrates it into the cluster's namespace, with case-sensitive identifiers in the parameter group", async () => {
        const run = await variantRun(zeroEtlVariants.provisioned);
        assertIntegrated(run, one(run, T.cluster).state.clusterNamespaceArn as string);
        const parameters = input(one(run, T.parameterGroup), "parameters") as { name: string; value: string }[];
        assert.ok(parameters.some((p) => p.name === "enable_case_sensitive_identifier" && p.value === "true"));
    });

    it("leaves the shipped stacks without an integration and with case-insensitive identifiers", async () => {
        for (const stack of ["dev", "prod"] as const) {
            const run = await stackRun(stack);
            assert.deepStrictEqual([...ofType(run, T.integration), ...ofType(run, T.resourcePolicy)], [], stack);
            assert.strictEqual(run.outputs.zeroEtlIntegration, undefined, stack);
            assert.ok(!JSON.stringify(run.resources.map((r) => r.inputs)).includes("enable_case_sensitive_identifier"), stack);
            assert.ok(!JSON.stringify(json(warehouseKey(run), "policy")).includes("kms:CreateGrant"), `${stack}: no grant statement for Redshift`);
        }
    });

    // Each variant against the same stack without the integration (prod: switched to its provisioned warehouse too).
    const withoutIntegration = { serverless: () => stackRun("dev"), provisioned: () => variantRun({ stack: "prod", overrides: provisionedWarehouseOverrides }) };
    for (const [mode, variant, stack] of [["serverless", zeroEtlVariants.serverless, "dev"], ["provisioned", zeroEtlVariants.provisioned, "prod"]] as const) {
        it(`${mode}: 0 mandatory violations with the stack's pack config, and the new policies pass`, async () => {
            const run = await variantRun(variant);
            assert.strictEqual(run.stack, stack, "the variant is judged with its stack's pack config");
            const result = await checkOfflineRun(run);
            assert.deepStrictEqual(result.violations.filter((v) => v.level === "mandatory").map((v) => `${v.policy}: ${v.message}`), []);
            assert.deepStrictEqual(result.violations.filter((v) => ["rds-integration-cmk", "redshift-resource-policy-source-scoped"].includes(v.policy)), []);
        });

        it(`${mode}: every type is priced or free with a reason, and the integration adds no cost of its own`, async () => {
            const run = await variantRun(variant);
            assert.deepStrictEqual([...new Set(run.resources.map((r) => r.type))].filter((t) => coverage(t).kind === "none"), []);
            const integration = coverage(T.integration);
            assert.ok(integration.kind === "free" && /no charge of its own/.test(integration.reason));
            const report = estimateRun(run);
            const base = estimateRun(await withoutIntegration[mode]());
            assert.ok(report.free.some((r) => r.type === T.integration), "the report lists the integration as free");
            // What the variant adds at a price: only the alarm on the integration's failure events.
            const added = report.resources.filter((r) => !base.resources.some((b) => b.urn === r.urn));
            assert.deepStrictEqual(added.map((r) => r.type), [T.alarm]);
            assert.ok(Math.abs(report.monthly.total - base.monthly.total - added[0]!.monthly) < 0.01, `${report.monthly.total} = ${base.monthly.total} + ${added[0]!.monthly}`);
        });
    }
});
