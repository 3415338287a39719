import * as assert from "assert";
import { ConfigError, parsePlatformConfig, RawStackConfig } from "../../../infra/config";
import { readStackConfig } from "../../../tools/offline/program";

/** The committed stack file, with some values replaced (string) or removed (null). */
function stackWith(stack: "dev" | "prod", changes: Record<string, string | null>, secretKeys: string[] = []): RawStackConfig {
    const file = readStackConfig(stack);
    const values: Record<string, string> = { ...file.values };
    for (const [key, value] of Object.entries(changes)) {
        if (value === null) {
            delete values[key];
        } else {
            values[key] = value;
        }
    }
    return { project: "platform", stack, values, secretKeys: new Set([...file.secretKeys, ...secretKeys]) };
}

function errorOf(raw: RawStackConfig): ConfigError {
    try {
        parsePlatformConfig(raw);
    } catch (err) {
        assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${err}`);
        return err;
    }
    assert.fail("expected the config to be rejected");
}

describe("stack config (all areas together)", () => {
    it("accepts the committed dev stack: Kinesis, serverless Spark and warehouse, three AZs", () => {
        const config = parsePlatformConfig(stackWith("dev", {}));
        assert.deepStrictEqual(
            [config.environment, config.region, config.streaming.engine, config.spark.mode, config.warehouse.mode, config.network.availabilityZones, config.budget.monthlyUsd],
            ["dev", "us-east-1", "kinesis", "serverless", "serverless", 3, 400],
        );
        assert.deepStrictEqual(config.tags, { environment: "dev", owner: "data-platform", "cost-center": "analytics", project: "platform", stack: "dev" });
        assert.deepStrictEqual(config.network.subnets, { privateMask: 18, publicMask: 20 });
    });

    it("accepts the committed prod stack: MSK, a serverless warehouse, protected data and an on-call address", () => {
        const config = parsePlatformConfig(stackWith("prod", {}));
        assert.deepStrictEqual(
            [config.environment, config.protectData, config.streaming.engine, config.warehouse.mode, config.network.natGateways, config.alerting.emails],
            ["prod", true, "msk", "serverless", "OnePerAz", ["data-oncall@example.com"]],
        );
    });

    it("reports the problems of every area at once: undeclared and mistyped keys first, then each area in turn", () => {
        const error = errorOf(
            stackWith("dev", {
                "platform:vpcCidrs": "10.0.0.0/16",
                "platform:environment": "qa",
                "aws:region": "nope",
                "platform:availabilityZones": "9",
                "platform:lakeArchiveDays": "x",
                "platform:sparkMaxVcpu": "1",
                "platform:warehouseDatabase": "dev",
                "platform:budgetMonthlyUsd": "0",
                "platform:alertEmails": "[1]",
            }),
        );
        assert.deepStrictEqual(
            error.problems.map((p) => p.key),
            [
                "platform:vpcCidrs",
                "platform:lakeArchiveDays",
                "platform:alertEmails",
                "aws:region",
                "platform:environment",
                "platform:availabilityZones",
                "platform:sparkMaxVcpu",
                "platform:sparkMaxMemoryGb",
                "platform:warehouseDatabase",
                "platform:availabilityZones",
                "platform:budgetMonthlyUsd",
            ],
        );
        const lines = error.message.split("\n");
        assert.strictEqual(lines[0], "Stack 'dev' has 11 invalid config values:");
        assert.strictEqual(lines[5], '  - platform:environment: expected one of dev, prod; found "qa". Fix: pulumi config set platform:environment dev');
    });

    it("says value, not values, for a single problem", () => {
        const error = errorOf(stackWith("dev", { "platform:budgetMonthlyUsd": null }));
        assert.strictEqual(
            error.message,
            "Stack 'dev' has 1 invalid config value:\n  - platform:budgetMonthlyUsd: expected a monthly budget in USD (required, no default); found nothing. Fix: pulumi config set platform:budgetMonthlyUsd 150",
        );
    });

    it("refuses Airflow orchestration with Spark on Glue, naming both fixes", () => {
        const error = errorOf(stackWith("dev", { "platform:orchestrator": "airflow", "platform:sparkMode": "glue" }));
        assert.deepStrictEqual(
            error.problems.map((p) => [p.key, p.expected, p.found, p.fix]),
            [["platform:orchestrator", "stepfunctions with sparkMode glue (the Airflow DAG runs Spark on EMR Serverless or an EMR cluster)", "\"airflow\"", "pulumi config set platform:orchestrator stepfunctions, or pulumi config set platform:sparkMode serverless"]],
        );
    });

    it("judges MSK brokers and a serverless warehouse against the network's AZ count", () => {
        const error = errorOf(stackWith("dev", { "platform:availabilityZones": "2", "platform:streamingEngine": "msk" }));
        assert.deepStrictEqual(
            error.problems.map((p) => [p.key, p.expected]),
            [
                ["platform:mskBrokerCount", "a positive multiple of availabilityZones (2) so brokers spread evenly"],
                ["platform:availabilityZones", "3 with a serverless warehouse (a Redshift Serverless workgroup needs subnets in three AZs)"],
            ],
        );
    });

    it("applies prod's rules across areas when the environment is prod", () => {
        const error = errorOf(stackWith("prod", { "platform:protectData": "false", "platform:natGateways": "Single", "platform:alertEmails": "[]", "platform:warehouseMode": "provisioned", "platform:warehouseNodeType": "ra3.xlplus", "platform:warehouseNodeCount": "1" }));
        assert.deepStrictEqual(
            error.problems.map((p) => p.key),
            ["platform:protectData", "platform:natGateways", "platform:warehouseNodeCount", "platform:alertEmails"],
        );
    });

    it("accepts a secret set with --secret and never keeps its value in the config object", () => {
        const config = parsePlatformConfig(stackWith("dev", { "platform:pagerDutyEndpoint": "https://events.pagerduty.com/integration/abc/enqueue" }, ["platform:pagerDutyEndpoint"]));
        assert.deepStrictEqual(config.alerting, { emails: [], pagerDutyEndpointKey: "platform:pagerDutyEndpoint" });
        assert.ok(!JSON.stringify(config).includes("pagerduty.com"));
    });
});
