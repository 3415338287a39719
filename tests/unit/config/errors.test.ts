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

function problemsOf(raw: RawStackConfig): ConfigError["problems"] {
    try {
        parsePlatformConfig(raw);
    } catch (err) {
        assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${err}`);
        return err.problems;
    }
    assert.fail("expected the config to be rejected");
}

interface BadConfig {
    readonly title: string;
    readonly stack: "dev" | "prod";
    readonly changes: Record<string, string | null>;
    readonly secretKeys?: string[];
    readonly key: string;
    readonly expected: RegExp;
    readonly found: string;
    readonly fix: RegExp;
}

const badConfigs: BadConfig[] = [
    { title: "unknown environment", stack: "dev", changes: { "platform:environment": "staging" }, key: "platform:environment", expected: /one of dev, prod/, found: '"staging"', fix: /pulumi config set platform:environment dev/ },
    { title: "malformed CIDR", stack: "dev", changes: { "platform:vpcCidr": "10.20.0/16" }, key: "platform:vpcCidr", expected: /IPv4 CIDR/, found: '"10.20.0/16"', fix: /not of the form a\.b\.c\.d\/n/ },
    { title: "CIDR with host bits set", stack: "dev", changes: { "platform:vpcCidr": "10.20.1.0/16" }, key: "platform:vpcCidr", expected: /IPv4 CIDR/, found: '"10.20.1.0/16"', fix: /network address is 10\.20\.0\.0\/16/ },
    { title: "CIDR too small for the subnets", stack: "dev", changes: { "platform:vpcCidr": "10.20.0.0/24" }, key: "platform:vpcCidr", expected: /\/16 to \/22/, found: '"10.20.0.0/24"', fix: /private subnets of \/26/ },
    { title: "CIDR larger than a VPC may be", stack: "dev", changes: { "platform:vpcCidr": "10.0.0.0/8" }, key: "platform:vpcCidr", expected: /\/16 to \/22/, found: '"10.0.0.0/8"', fix: /larger than the \/16/ },
    { title: "AZ count above 3", stack: "dev", changes: { "platform:availabilityZones": "4" }, key: "platform:availabilityZones", expected: /from 1 to 3/, found: "4", fix: /platform:availabilityZones/ },
    { title: "AZ count of 0", stack: "dev", changes: { "platform:availabilityZones": "0", "platform:warehouseMode": "provisioned" }, key: "platform:availabilityZones", expected: /from 1 to 3/, found: "0", fix: /platform:availabilityZones/ },
    { title: "prod with fewer than 3 AZs", stack: "prod", changes: { "platform:availabilityZones": "2", "platform:mskBrokerCount": "4" }, key: "platform:availabilityZones", expected: /3 in prod/, found: "2", fix: /availabilityZones 3/ },
    { title: "AZ count that is not a number", stack: "dev", changes: { "platform:availabilityZones": "three" }, key: "platform:availabilityZones", expected: /an integer/, found: '"three"', fix: /pulumi config set platform:availabilityZones/ },
    { title: "MSK brokers not a multiple of the AZs", stack: "prod", changes: { "platform:mskBrokerCount": "4" }, key: "platform:mskBrokerCount", expected: /multiple of availabilityZones \(3\)/, found: "4", fix: /mskBrokerCount 3/ },
    { title: "prod MSK with fewer than 3 brokers", stack: "prod", changes: { "platform:mskBrokerCount": "0" }, key: "platform:mskBrokerCount", expected: /at least 3 in prod/, found: "0", fix: /mskBrokerCount 3/ },
    { title: "unknown streaming engine", stack: "dev", changes: { "platform:streamingEngine": "pulsar" }, key: "platform:streamingEngine", expected: /one of kinesis, msk/, found: '"pulsar"', fix: /streamingEngine kinesis/ },
    { title: "Kinesis shard count in ON_DEMAND mode", stack: "dev", changes: { "platform:kinesisShardCount": "4" }, key: "platform:kinesisShardCount", expected: /0 \(unset\) in ON_DEMAND/, found: "4", fix: /kinesisMode PROVISIONED/ },
    { title: "PROVISIONED Kinesis without shards", stack: "dev", changes: { "platform:kinesisMode": "PROVISIONED" }, key: "platform:kinesisShardCount", expected: /from 1 to 4 in PROVISIONED mode \(dev\)/, found: "0", fix: /kinesisShardCount 2/ },
    { title: "unknown Kinesis mode", stack: "dev", changes: { "platform:kinesisMode": "SERVERLESS" }, key: "platform:kinesisMode", expected: /ON_DEMAND, PROVISIONED/, found: '"SERVERLESS"', fix: /kinesisMode ON_DEMAND/ },
    { title: "unknown MSK instance type", stack: "prod", changes: { "platform:mskInstanceType": "kafka.m9.huge" }, key: "platform:mskInstanceType", expected: /a known type/, found: '"kafka.m9.huge"', fix: /mskInstanceType kafka\.m5\.large/ },
    { title: "MSK instance type not allowed in dev", stack: "dev", changes: { "platform:streamingEngine": "msk", "platform:mskInstanceType": "kafka.m7g.4xlarge" }, key: "platform:mskInstanceType", expected: /allowed in dev: kafka\.t3\.small/, found: '"kafka.m7g.4xlarge"', fix: /mskInstanceType kafka\.t3\.small/ },
    { title: "refused Redshift node type", stack: "prod", changes: { "platform:warehouseNodeType": "dc2.large" }, key: "platform:warehouseNodeType", expected: /RA3 type/, found: '"dc2.large"', fix: /warehouseNodeType ra3\.large/ },
    { title: "unknown Redshift node type", stack: "prod", changes: { "platform:warehouseNodeType": "ra4.large" }, key: "platform:warehouseNodeType", expected: /a known type/, found: '"ra4.large"', fix: /warehouseNodeType/ },
    { title: "EMR instance type not allowed in dev", stack: "dev", changes: { "platform:sparkMode": "cluster", "platform:emrInstanceType": "r6g.2xlarge" }, key: "platform:emrInstanceType", expected: /allowed in dev/, found: '"r6g.2xlarge"', fix: /emrInstanceType m5\.xlarge/ },
    { title: "serverless base RPU not a multiple of 8", stack: "dev", changes: { "platform:warehouseBaseRpu": "12" }, key: "platform:warehouseBaseRpu", expected: /multiple of 8 from 8 to 1024/, found: "12", fix: /warehouseBaseRpu 8/ },
    { title: "serverless max RPU below base", stack: "dev", changes: { "platform:warehouseMaxRpu": "8", "platform:warehouseBaseRpu": "16" }, key: "platform:warehouseMaxRpu", expected: /from warehouseBaseRpu \(16\)/, found: "8", fix: /warehouseMaxRpu 64/ },
    { title: "serverless max RPU above the dev cap", stack: "dev", changes: { "platform:warehouseMaxRpu": "512" }, key: "platform:warehouseMaxRpu", expected: /at most 64 in dev/, found: "512", fix: /warehouseMaxRpu/ },
    { title: "negative budget", stack: "dev", changes: { "platform:budgetMonthlyUsd": "-5" }, key: "platform:budgetMonthlyUsd", expected: /positive whole number/, found: "-5", fix: /budgetMonthlyUsd 150/ },
    { title: "missing budget", stack: "prod", changes: { "platform:budgetMonthlyUsd": null }, key: "platform:budgetMonthlyUsd", expected: /required, no default/, found: "nothing", fix: /budgetMonthlyUsd 150/ },
    { title: "malformed alert e-mail", stack: "prod", changes: { "platform:alertEmails": '["oncall@example.com","not-an-email"]' }, key: "platform:alertEmails", expected: /e-mail addresses/, found: '["not-an-email"]', fix: /alertEmails/ },
    { title: "alert e-mails that are not a list", stack: "dev", changes: { "platform:alertEmails": "oncall@example.com" }, key: "platform:alertEmails", expected: /a list of strings/, found: '"oncall@example.com"', fix: /alertEmails '\[/ },
    { title: "secret given in plain text", stack: "dev", changes: { "platform:pagerDutyEndpoint": "https://events.pagerduty.com/integration/abc/enqueue" }, key: "platform:pagerDutyEndpoint", expected: /a secret value/, found: "a plain-text value", fix: /pulumi config set --secret platform:pagerDutyEndpoint/ },
    { title: "prod without data protection", stack: "prod", changes: { "platform:protectData": "false" }, key: "platform:protectData", expected: /true in prod/, found: "false", fix: /protectData true/ },
    { title: "boolean that is not a boolean", stack: "dev", changes: { "platform:protectData": "yes" }, key: "platform:protectData", expected: /true or false/, found: '"yes"', fix: /platform:protectData/ },
    { title: "prod with a single NAT gateway", stack: "prod", changes: { "platform:natGateways": "Single" }, key: "platform:natGateways", expected: /OnePerAz in prod/, found: '"Single"', fix: /natGateways OnePerAz/ },
    { title: "misspelt config key", stack: "dev", changes: { "platform:vpcCidrs": "10.0.0.0/16" }, key: "platform:vpcCidrs", expected: /declared in Pulumi\.yaml/, found: "an unknown key", fix: /rename it to platform:vpcCidr/ },
    { title: "unknown interface endpoint", stack: "dev", changes: { "platform:interfaceEndpoints": '["kms","dynamo"]' }, key: "platform:interfaceEndpoints", expected: /service short names/, found: '["dynamo"]', fix: /interfaceEndpoints/ },
    { title: "reserved warehouse admin name", stack: "dev", changes: { "platform:warehouseAdminUser": "admin" }, key: "platform:warehouseAdminUser", expected: /other than admin/, found: '"admin"', fix: /warehouseAdminUser/ },
    { title: "default warehouse database name", stack: "dev", changes: { "platform:warehouseDatabase": "dev" }, key: "platform:warehouseDatabase", expected: /other than the default 'dev'/, found: '"dev"', fix: /warehouseDatabase/ },
    { title: "serverless warehouse with two AZs", stack: "dev", changes: { "platform:availabilityZones": "2" }, key: "platform:availabilityZones", expected: /3 with a serverless warehouse/, found: "2", fix: /warehouseMode provisioned/ },
    { title: "log retention CloudWatch does not accept", stack: "dev", changes: { "platform:logRetentionDays": "10" }, key: "platform:logRetentionDays", expected: /CloudWatch retention value/, found: "10", fix: /logRetentionDays/ },
    { title: "Fargate memory invalid for the vCPUs", stack: "dev", changes: { "platform:batchJobMemoryMb": "1024" }, key: "platform:batchJobMemoryMb", expected: /2048 to 8192 MiB/, found: "1024", fix: /batchJobMemoryMb 2048/ },
    { title: "lake archive before infrequent access", stack: "dev", changes: { "platform:lakeArchiveDays": "31", "platform:lakeInfrequentAccessDays": "60" }, key: "platform:lakeArchiveDays", expected: /more than lakeInfrequentAccessDays \(60\)/, found: "31", fix: /lakeArchiveDays/ },
    { title: "Lake Formation settings without admins", stack: "dev", changes: { "platform:manageLakeFormationSettings": "true" }, key: "platform:lakeFormationAdmins", expected: /at least one admin ARN/, found: "[]", fix: /lakeFormationAdmins/ },
    { title: "malformed schedule", stack: "dev", changes: { "platform:pipelineSchedule": "every hour" }, key: "platform:pipelineSchedule", expected: /EventBridge schedule/, found: '"every hour"', fix: /pipelineSchedule/ },
    { title: "late-data sweep over more than a week", stack: "dev", changes: { "platform:pipelineSweepDays": "8" }, key: "platform:pipelineSweepDays", expected: /an integer from 0 to 7/, found: "8", fix: /pipelineSweepDays/ },
    { title: "compaction schedule with five cron fields", stack: "prod", changes: { "platform:batchCompactionSchedule": "cron(30 4 * * *)" }, key: "platform:batchCompactionSchedule", expected: /EventBridge schedule such as rate\(1 hour\) or cron\(30 4 \* \* \? \*\)/, found: '"cron(30 4 * * *)"', fix: /pulumi config set platform:batchCompactionSchedule 'cron\(30 4 \* \* \? \*\)'/ },
    { title: "missing region", stack: "dev", changes: { "aws:region": null }, key: "aws:region", expected: /AWS region/, found: "nothing", fix: /aws:region us-east-1/ },
];

describe("stack config validation", () => {
    it("accepts both committed stack files", () => {
        assert.strictEqual(parsePlatformConfig(stackWith("dev", {})).environment, "dev");
        assert.strictEqual(parsePlatformConfig(stackWith("prod", {})).environment, "prod");
    });

    for (const bad of badConfigs) {
        it(`rejects ${bad.title}, naming the key, the expectation, the value found and the fix`, () => {
            const problems = problemsOf(stackWith(bad.stack, bad.changes, bad.secretKeys));
            const problem = problems.find((p) => p.key === bad.key && bad.expected.test(p.expected));
            assert.ok(problem, `no problem for ${bad.key} expecting ${bad.expected}; got ${JSON.stringify(problems)}`);
            assert.strictEqual(problem.found, bad.found);
            assert.match(problem.fix, bad.fix);
        });
    }

    it("reports every problem at once, in one message that lists each key", () => {
        const raw = stackWith("dev", { "platform:environment": "qa", "platform:availabilityZones": "9", "platform:budgetMonthlyUsd": "0" });
        assert.throws(
            () => parsePlatformConfig(raw),
            (err: Error) =>
                err instanceof ConfigError &&
                /Stack 'dev' has \d+ invalid config values/.test(err.message) &&
                err.message.includes("platform:environment: expected one of dev, prod; found \"qa\". Fix:") &&
                err.message.includes("platform:availabilityZones") &&
                err.message.includes("platform:budgetMonthlyUsd"),
        );
    });

    it("accepts a secret set with --secret and never keeps its value in the config object", () => {
        const config = parsePlatformConfig(stackWith("dev", { "platform:pagerDutyEndpoint": "https://events.pagerduty.com/integration/abc/enqueue" }, ["platform:pagerDutyEndpoint"]));
        assert.deepStrictEqual(config.alerting, { emails: [], pagerDutyEndpointKey: "platform:pagerDutyEndpoint" });
        assert.ok(!JSON.stringify(config).includes("pagerduty.com"));
    });
});
