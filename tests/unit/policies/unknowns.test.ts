import * as assert from "assert";
import * as aws from "@pulumi/aws";
import { Policy } from "@pulumi/policy";
import { firehoseDeliveryStreamEncryption, firehoseDeliveryStreamErrorLogging, firehoseDeliveryStreamS3Cmk } from "../../../policies/firehose";
import { iamPolicyNoDataExfiltration, iamPolicyNoWildcardAction, iamPolicyNoWildcardResource } from "../../../policies/iam";
import { kinesisStreamCmk } from "../../../policies/kinesis";
import { lambdaFunctionEnvironmentNoSecrets, lambdaFunctionInVpc, lambdaFunctionLogRetention } from "../../../policies/lambda";
import { mskClusterBrokerCount, mskClusterEncryptionAtRestCmk } from "../../../policies/msk";
import { redshiftClusterInVpc } from "../../../policies/redshift";
import { s3BucketDefaultEncryption, s3EncryptionConfigurationCmk } from "../../../policies/s3";
import { taggingResourceCostTags } from "../../../policies/tagging";
import { cloudwatchAlarmPipelineStageCoverage } from "../../../policies/cloudwatch";
import { EngineResource, unknownValues } from "../../../policies/runner/engine";
import { checkEngineResources, engineResources } from "../../../policies/runner/offline";
import { stackRun, variantRun, zeroEtlVariants } from "../../helpers/stacks";
import { awsProvider, checkResource, checkStack, fixture, registerProvider, unknown } from "./helpers";

/**
 * During `pulumi preview` the values a provider computes (ARNs, IDs, generated names, and every
 * value derived from them with apply) are unknown, and reading one throws. A policy must neither
 * crash on them nor turn them into a violation: it skips what it cannot decide, and `pulumi up`
 * checks it again with the real values.
 */

describe("values unknown during preview", function () {
    this.timeout(240_000);

    it("the runner's sentinels are the ones @pulumi/policy's proxy recognizes", () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const proxy = require("@pulumi/policy/proxy") as Record<string, unknown>;
        assert.strictEqual(proxy.unknownStringValue, unknownValues.string);
        assert.strictEqual(proxy.unknownNumberValue, unknownValues.number);
        assert.strictEqual(proxy.unknownBooleanValue, unknownValues.boolean);
        assert.strictEqual(proxy.unknownArrayValue, unknownValues.array);
        assert.strictEqual(proxy.unknownObjectValue, unknownValues.object);
    });

    it("reading an unknown value through the engine's proxy throws, so the policies must not", async () => {
        const probe: Policy & { validateResource: (args: any) => void } = {
            name: "probe-unknown-read",
            description: "Checks whether reading an unknown value throws.",
            enforcementLevel: "advisory",
            validateResource: (args) => void args.props.kmsKeyId.length,
        };
        const outcome = await checkResource(probe, fixture(aws.kinesis.Stream, "s", { encryptionType: "KMS", kmsKeyId: unknown.string }));
        assert.strictEqual(outcome.unknown.length, 1);
        assert.match(outcome.unknown[0], /can't run policy 'probe-unknown-read' during preview: string value at \.kmsKeyId can't be known during preview/);
    });

    const keyArn = "arn:aws:kms:us-east-1:123456789012:key/k";
    const resourceCases: [Policy, string, EngineResource][] = [
        [kinesisStreamCmk, "a stream key ARN", fixture(aws.kinesis.Stream, "s", { encryptionType: "KMS", kmsKeyId: unknown.string })],
        [mskClusterEncryptionAtRestCmk, "a broker storage key ARN", fixture(aws.msk.Cluster, "c", { kafkaVersion: "3.9.x", numberOfBrokerNodes: 3, brokerNodeGroupInfo: { instanceType: "kafka.m7g.large", clientSubnets: [], securityGroups: [] }, encryptionInfo: { encryptionAtRestKmsKeyArn: unknown.string } })],
        [mskClusterBrokerCount, "the broker subnets (awsx's subnet IDs)", fixture(aws.msk.Cluster, "c", { kafkaVersion: "3.9.x", numberOfBrokerNodes: 3, brokerNodeGroupInfo: { instanceType: "kafka.m7g.large", clientSubnets: unknown.array, securityGroups: [] } })],
        [s3EncryptionConfigurationCmk, "a bucket key ARN", fixture(aws.s3.BucketServerSideEncryptionConfiguration, "e", { bucket: unknown.string, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: unknown.string }, bucketKeyEnabled: true }] })],
        [iamPolicyNoWildcardResource, "a role policy built from ARNs with apply", fixture(aws.iam.RolePolicy, "p", { role: unknown.string, policy: unknown.string })],
        [iamPolicyNoWildcardAction, "a role policy built from ARNs with apply", fixture(aws.iam.RolePolicy, "p", { role: unknown.string, policy: unknown.string })],
        [iamPolicyNoDataExfiltration, "a role's inline policy", fixture(aws.iam.Role, "r", { assumeRolePolicy: unknown.string, inlinePolicies: [{ name: "p", policy: unknown.string }] })],
        [lambdaFunctionEnvironmentNoSecrets, "an environment variable holding a bucket name", fixture(aws.lambda.Function, "f", { role: unknown.string, runtime: "nodejs22.x", environment: { variables: { RAW_BUCKET: unknown.string, DB_PASSWORD_ARN: unknown.string } } })],
        [lambdaFunctionInVpc, "the VPC subnets", fixture(aws.lambda.Function, "f", { role: "r", runtime: "nodejs22.x", vpcConfig: { subnetIds: unknown.array, securityGroupIds: [unknown.string] } })],
        [redshiftClusterInVpc, "the subnet group name", fixture(aws.redshift.Cluster, "c", { clusterIdentifier: "c", nodeType: "ra3.xlplus", clusterSubnetGroupName: unknown.string, kmsKeyId: keyArn })],
        [firehoseDeliveryStreamEncryption, "the source stream's ARN (first preview)", fixture(aws.kinesis.FirehoseDeliveryStream, "d", { destination: "extended_s3", kinesisSourceConfiguration: { kinesisStreamArn: unknown.string, roleArn: unknown.string } })],
        [firehoseDeliveryStreamEncryption, "a Direct PUT stream's key ARN", fixture(aws.kinesis.FirehoseDeliveryStream, "d", { destination: "extended_s3", serverSideEncryption: { enabled: true, keyType: "CUSTOMER_MANAGED_CMK", keyArn: unknown.string } })],
        [firehoseDeliveryStreamS3Cmk, "the lake key ARN", fixture(aws.kinesis.FirehoseDeliveryStream, "d", { destination: "extended_s3", extendedS3Configuration: { bucketArn: unknown.string, roleArn: unknown.string, kmsKeyArn: unknown.string } })],
        [firehoseDeliveryStreamErrorLogging, "the log group's name", fixture(aws.kinesis.FirehoseDeliveryStream, "d", { destination: "extended_s3", extendedS3Configuration: { bucketArn: "arn:aws:s3:::b", roleArn: "r", errorOutputPrefix: "_e/", cloudwatchLoggingOptions: { enabled: true, logGroupName: unknown.string, logStreamName: "DestinationDelivery" } } })],
        [taggingResourceCostTags, "the provider's default tags", fixture(aws.sqs.Queue, "q", {}, { provider: registerProvider({ ...awsProvider("computed-tags"), inputs: { region: "us-east-1", defaultTags: unknown.string } }) })],
    ];
    for (const [policy, what, resource] of resourceCases) {
        it(`${policy.name} neither fails nor crashes when ${what} is unknown`, async () => {
            const outcome = await checkResource(policy, resource);
            assert.deepStrictEqual(outcome.violations, []);
            assert.deepStrictEqual(outcome.unknown, []);
        });
    }

    it("s3-bucket-default-encryption skips a bucket whose encryption rule is unknown", async () => {
        const bucket = fixture(aws.s3.Bucket, "b", {}, { outputs: { bucket: unknown.string, id: unknown.string, arn: unknown.string } });
        const sse = fixture(aws.s3.BucketServerSideEncryptionConfiguration, "b", { bucket: unknown.string, rules: unknown.array }, { dependsOn: [bucket], parent: bucket });
        const outcome = await checkStack(s3BucketDefaultEncryption, [bucket, sse]);
        assert.deepStrictEqual(outcome.violations, []);
        assert.deepStrictEqual(outcome.unknown, []);
    });

    it("cloudwatch-alarm-pipeline-stage-coverage follows the alarm's dependency on the topic when the topic ARN is unknown", async () => {
        const topic = fixture(aws.sns.Topic, "alarms", { name: "platform-prod-alarms" }, { outputs: { arn: unknown.string } });
        const stream = fixture(aws.kinesis.Stream, "s", { encryptionType: "KMS" });
        const alarm = fixture(
            aws.cloudwatch.MetricAlarm,
            "a",
            { comparisonOperator: "GreaterThanThreshold", evaluationPeriods: 1, alarmActions: unknown.array, tags: { "pipeline-stage": "streaming" } },
            { dependsOn: [topic], propertyDependencies: { alarmActions: [topic] } },
        );
        const outcome = await checkStack(cloudwatchAlarmPipelineStageCoverage, [topic, stream, alarm]);
        assert.deepStrictEqual(outcome.violations, []);
        assert.deepStrictEqual(outcome.unknown, []);
    });

    it("lambda-function-log-retention skips a function whose generated name and log group are unknown", async () => {
        const fn = fixture(aws.lambda.Function, "f", { role: "r", runtime: "nodejs22.x", loggingConfig: { logFormat: "JSON", logGroup: unknown.string } });
        const outcome = await checkStack(lambdaFunctionLogRetention, [fn]);
        assert.deepStrictEqual(outcome.violations, []);
    });

    /**
     * A first preview of a whole stack: every value the mocks computed (ARNs, IDs, generated
     * names, awsx outputs) is unknown, and so is every input derived from one (policies built with
     * apply, interpolated URIs). Unknowns may hide violations until `up`; they must never add one
     * or make a policy fail to run.
     */
    function asFirstPreview(resources: readonly EngineResource[]): EngineResource[] {
        const computed = new Set<string>();
        for (const r of resources) {
            if (r.type.startsWith("pulumi:providers:")) {
                continue;
            }
            for (const [k, v] of Object.entries(r.outputs)) {
                if (typeof v === "string" && v.length >= 6 && r.inputs[k] !== v) {
                    computed.add(v);
                }
            }
        }
        const hide = (value: unknown): unknown => {
            if (typeof value === "string") {
                return [...computed].some((c) => value.includes(c)) ? unknownValues.string : value;
            }
            if (Array.isArray(value)) {
                return value.map(hide);
            }
            if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
                return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, hide(v)]));
            }
            return value;
        };
        return resources.map((r) => {
            if (r.type.startsWith("pulumi:providers:")) {
                return r;
            }
            const outputs: Record<string, unknown> = {};
            for (const [k, v] of Object.entries(r.outputs)) {
                outputs[k] = k in r.inputs ? hide(v) : typeof v === "string" ? unknownValues.string : Array.isArray(v) ? unknownValues.array : v;
            }
            return { ...r, inputs: hide(r.inputs) as Record<string, unknown>, outputs };
        });
    }

    const previews = [
        { title: "dev", stack: "dev", run: () => stackRun("dev") },
        { title: "prod", stack: "prod", run: () => stackRun("prod") },
        { title: "prod with a zero-ETL integration", stack: "prod", run: () => variantRun(zeroEtlVariants.provisioned) },
    ] as const;
    for (const { title, stack, run } of previews) {
        it(`a first preview of ${title} (every computed value unknown) adds no violation and runs every policy`, async () => {
            const resources = engineResources(await run());
            const baseline = await checkEngineResources(stack, resources);
            const preview = await checkEngineResources(stack, asFirstPreview(resources));
            const cantRun = preview.violations.filter((v) => /^can't run policy/.test(v.message));
            assert.deepStrictEqual(cantRun, [], "a policy threw on an unknown value");
            const known = new Set(baseline.violations.map((v) => `${v.policy}|${v.urn ?? ""}`));
            const added = preview.violations.filter((v) => !known.has(`${v.policy}|${v.urn ?? ""}`));
            assert.deepStrictEqual(added, [], "an unknown value turned into a violation");
        });
    }
});
