import * as assert from "assert";
import { ApiSourceConfig } from "../../../../infra/config";
import { ApiConnectors } from "../../../../infra/connectors";
import { connectorRolePolicy } from "../../../../infra/connectors/iam";
import { stalenessWindow } from "../../../../infra/connectors/decisions";
import { PlatformContext } from "../../../../infra/shared/context";
import { fxSource } from "../../../helpers/connectors/source";
import { bucket, construct, named, namesOf, ofType, testKeys, types } from "./harness";

const source: ApiSourceConfig = {
    settings: fxSource("https://fx-rates.example.com/v1/rates", "cursor", 100),
    schedule: "rate(1 hour)",
    schedulePeriodSeconds: 3_600,
    secret: { name: "/platform-test/api-sources/fx-rates" },
    memoryMb: 256,
    functionTimeoutSeconds: 300,
};

function connectors(sources: readonly ApiSourceConfig[]) {
    return (context: PlatformContext) => new ApiConnectors("connectors", { context, sources, rawBucket: bucket("raw"), rejectsBucket: bucket("rejects") });
}

describe("ApiConnectors, constructed alone", () => {
    it("declares nothing without API sources", async () => {
        const { resources } = await construct(connectors([]));
        assert.deepStrictEqual(ofType(resources, types.function), []);
    });

    it("deploys one connector function per source: explicit role, reserved concurrency 1, encrypted environment and logs, settings by environment", async () => {
        const { resources } = await construct(connectors([source]));
        const fn = named(resources, types.function, "connectors-fx-rates");
        assert.deepStrictEqual([fn.inputs.name, fn.inputs.reservedConcurrentExecutions, fn.inputs.kmsKeyArn, fn.inputs.memorySize, fn.inputs.timeout], ["platform-test-connector-fx-rates", 1, testKeys.lake, 256, 300]);
        assert.ok(String(fn.inputs.role).length > 0, "an explicit role, never CallbackFunction's default");
        assert.strictEqual(ofType(resources, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").length, 0);
        const env = fn.inputs.environment.variables;
        assert.deepStrictEqual(JSON.parse(env.API_SOURCE), source.settings);
        assert.deepStrictEqual([env.CHECKPOINT_KEY, env.LAKE_KEY_ARN, env.METRICS_NAMESPACE], ["_connectors/fx-rates/checkpoint.json", testKeys.lake, "DataPlatform/Connectors"]);
        const logs = named(resources, "aws:cloudwatch/logGroup:LogGroup", "connectors-fx-rates-logs");
        assert.deepStrictEqual([logs.inputs.name, logs.inputs.kmsKeyId], ["/aws/lambda/platform-test-connector-fx-rates", testKeys.observability]);
    });

    it("reads the one secret it names and creates none: by name (IAM matches the ARN's random suffix) or by ARN", async () => {
        const arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:other-AbCdEf";
        const { resources } = await construct(connectors([source, { ...source, settings: { ...source.settings, name: "other" }, secret: { arn } }]));
        assert.deepStrictEqual(ofType(resources, "aws:secretsmanager/secret:Secret"), []);
        assert.strictEqual(named(resources, types.function, "connectors-fx-rates").inputs.environment.variables.SECRET_ARN, "/platform-test/api-sources/fx-rates");
        assert.strictEqual(named(resources, types.function, "connectors-other").inputs.environment.variables.SECRET_ARN, arn);
        const statements = JSON.parse(named(resources, "aws:iam/rolePolicy:RolePolicy", "connectors-fx-rates-role").inputs.policy).Statement as { Sid: string; Resource: string }[];
        assert.strictEqual(statements.find((st) => st.Sid === "ReadOwnCredentials")?.Resource, "arn:aws:secretsmanager:us-east-1:123456789012:secret:/platform-test/api-sources/fx-rates-??????");
    });

    it("keeps failed asynchronous invocations in its own encrypted queue", async () => {
        const { resources } = await construct(connectors([source]));
        const fn = named(resources, types.function, "connectors-fx-rates");
        const queue = named(resources, types.queue, "connectors-fx-rates-failed");
        assert.deepStrictEqual([queue.inputs.name, queue.inputs.kmsMasterKeyId], ["platform-test-connector-fx-rates-failed", testKeys.observability]);
        assert.ok(fn.inputs.deadLetterConfig.targetArn);
    });

    it("starts it with a KMS-encrypted Scheduler schedule, flexible window off, retries and an encrypted dead-letter queue, by a role that may only invoke it", async () => {
        const { resources } = await construct(connectors([source]));
        const schedule = named(resources, "aws:scheduler/schedule:Schedule", "connectors-fx-rates-schedule");
        assert.deepStrictEqual([schedule.inputs.scheduleExpression, schedule.inputs.flexibleTimeWindow, schedule.inputs.kmsKeyArn], ["rate(1 hour)", { mode: "OFF" }, testKeys.observability]);
        assert.ok(schedule.inputs.target.deadLetterConfig.arn);
        assert.deepStrictEqual(schedule.inputs.target.retryPolicy, { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 });
        const queue = named(resources, types.queue, "connectors-fx-rates-schedule-failed");
        assert.strictEqual(queue.inputs.kmsMasterKeyId, testKeys.observability);
        const policy = JSON.parse(named(resources, "aws:iam/rolePolicy:RolePolicy", "connectors-fx-rates-scheduler").inputs.policy);
        const invoke = policy.Statement.find((s: { Sid: string }) => s.Sid === "InvokeTheConnector");
        assert.strictEqual(invoke.Action, "lambda:InvokeFunction");
        assert.match(invoke.Resource, /^arn:aws:lambda:/);
    });

    it("alarms on failed runs, on staleness over three schedule periods (missing data breaching) and on the dead-letter queue", async () => {
        const { resources } = await construct(connectors([source]));
        assert.deepStrictEqual(namesOf(resources, types.alarm), ["connectors-fx-rates-errors", "connectors-fx-rates-failed-invocations", "connectors-fx-rates-schedule-failed", "connectors-fx-rates-stale"]);
        const stale = named(resources, types.alarm, "connectors-fx-rates-stale");
        assert.deepStrictEqual(
            [stale.inputs.metricName, stale.inputs.namespace, stale.inputs.period, stale.inputs.evaluationPeriods, stale.inputs.treatMissingData, stale.inputs.comparisonOperator, stale.inputs.dimensions],
            ["SuccessfulRuns", "DataPlatform/Connectors", 3600, 3, "breaching", "LessThanThreshold", { service: "api-connector-fx-rates", source: "fx-rates" }],
        );
    });
});

describe("connector decisions", () => {
    it("grants the function its dataset's prefixes, its checkpoint, its secret and the lake key, the raw listing a missing checkpoint needs, and no deletes", () => {
        const document = connectorRolePolicy({
            source: "fx-rates",
            dataset: "fx_rates",
            rawBucketArn: "arn:aws:s3:::raw",
            rejectsBucketArn: "arn:aws:s3:::rejects",
            lakeKeyArn: testKeys.lake,
            observabilityKeyArn: testKeys.observability,
            failureQueueArn: "arn:aws:sqs:us-east-1:123456789012:c-failed",
            logGroupArn: "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/c",
            secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:s-AbCdEf",
        });
        const resources = document.Statement.flatMap((s) => [s.Resource].flat());
        assert.deepStrictEqual(resources.filter((r) => String(r).startsWith("arn:aws:s3")), ["arn:aws:s3:::raw/fx_rates/*", "arn:aws:s3:::rejects/fx_rates/*", "arn:aws:s3:::raw/_connectors/fx-rates/checkpoint.json", "arn:aws:s3:::raw"]);
        const actions = document.Statement.flatMap((s) => [s.Action].flat());
        assert.ok(!actions.some((a) => /Delete/.test(String(a))), actions.join(", "));
        // Listing only the raw bucket itself (S3 answers 404, not 403, for the first run's missing checkpoint).
        assert.deepStrictEqual(document.Statement.filter((s) => [s.Action].flat().some((a) => /List/.test(String(a)))).map((s) => [s.Action, s.Resource]), [["s3:ListBucket", "arn:aws:s3:::raw"]]);
        assert.ok(document.Statement.filter((s) => s.Resource === "*").every((s) => [s.Action].flat().every((a) => String(a).startsWith("xray:"))));
    });

    it("sizes the staleness window in whole minutes, within a day of evaluation, and skips one-time schedules", () => {
        assert.deepStrictEqual([stalenessWindow(3_600), stalenessWindow(21_600), stalenessWindow(86_400), stalenessWindow(900), stalenessWindow(undefined)], [
            { periodSeconds: 3_600, evaluationPeriods: 3 },
            { periodSeconds: 21_600, evaluationPeriods: 3 },
            { periodSeconds: 86_400, evaluationPeriods: 1 },
            { periodSeconds: 900, evaluationPeriods: 3 },
            undefined,
        ]);
    });
});
