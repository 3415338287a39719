import * as assert from "assert";
import * as path from "path";
import { coverage, estimateRun, loadUsageFile } from "../../../cost";
import { errorPrefixTemplate, evaluatePrefix, firehoseAlarms, freshnessThresholdSeconds, rawPrefixTemplate } from "../../../infra/firehose/decisions";
import { deliveryRolePolicy, transformRolePolicy } from "../../../infra/firehose/iam";
import { checkOfflineRun } from "../../../policies/runner/offline";
import { orders } from "../../../runtime/datasets";
import { transformFirehoseEvent } from "../../../runtime/firehose/transform";
import { decodeKinesisEvent } from "../../../runtime/ingest/decode";
import { parseObjectKey } from "../../../runtime/ingest/layout";
import { planBatch } from "../../../runtime/ingest/plan";
import { compileValidator } from "../../../runtime/ingest/validate";
import { projectRoot } from "../../../tools/offline/program";
import { firehoseEvent } from "../../helpers/firehose/events";
import { kinesisEvent, KinesisRecordSpec, sequenceNumber, validOrder } from "../../helpers/ingest/events";
import { firehoseDeliveryVariant, input, json, ofType, one, stackRun, variantRun } from "../../helpers/stacks";

const T = {
    delivery: "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream",
    fn: "aws:lambda/function:Function",
    mapping: "aws:lambda/eventSourceMapping:EventSourceMapping",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    logStream: "aws:cloudwatch/logStream:LogStream",
    alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    stream: "aws:kinesis/stream:Stream",
    bucket: "aws:s3/bucket:Bucket",
    key: "aws:kms/key:Key",
};

describe("Firehose delivery: the prefixes reproduce the Lambda path's layout", () => {
    const validator = compileValidator(orders);
    const specs: KinesisRecordSpec[] = [
        { sequenceNumber: sequenceNumber(1), value: validOrder() },
        { sequenceNumber: sequenceNumber(2), value: validOrder({ order_id: "ORD-ABCDEFGHIJ14", event_time: "2024-04-30T23:59:59.999Z" }) },
        { sequenceNumber: sequenceNumber(3), shardId: "shardId-000000000003", value: validOrder({ order_id: "ORD-ABCDEFGHIJ15", event_time: "2024-05-01T09:00:00+02:00" }) },
    ];

    it("puts each record in the dt=/hour= directory of the object the ingest function writes it to", () => {
        const { response } = transformFirehoseEvent(firehoseEvent(specs), { validator, maxRecordBytes: 10_000 });
        const firehoseDirs = response.records.map((r) => evaluatePrefix(rawPrefixTemplate("orders"), r.metadata!.partitionKeys));
        const plan = planBatch("kinesis", decodeKinesisEvent(kinesisEvent(specs), { maxRecordBytes: 10_000 }), validator);
        const lambdaDirByPosition = new Map(plan.records.map((record, i) => [record.coordinates.position, plan.objects[plan.outcomes[i]!.objectIndex]!.key.replace(/[^/]+$/, "")]));
        assert.deepStrictEqual(
            firehoseDirs,
            specs.map((s) => lambdaDirByPosition.get(s.sequenceNumber)),
        );
        assert.deepStrictEqual(firehoseDirs, ["orders/dt=2024-05-01/hour=10/", "orders/dt=2024-04-30/hour=23/", "orders/dt=2024-05-01/hour=07/"]);
    });

    it("gives the raw zone's readers keys they parse as the dataset's dt and hour", () => {
        const dir = evaluatePrefix(rawPrefixTemplate("orders"), { dt: "2024-05-01", hour: "10" });
        const parsed = parseObjectKey(`${dir}platform-dev-orders-v1+shardId-000000000000+1.ndjson.gz`);
        assert.deepStrictEqual([parsed?.dataset, parsed?.dt, parsed?.hour], ["orders", "2024-05-01", "10"]);
    });

    it("keeps failed records out of the dataset's prefix, under an error_type= layout Spark and Glue skip", () => {
        assert.strictEqual(errorPrefixTemplate("orders"), "_firehose_errors/orders/error_type=!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/hour=!{timestamp:HH}/");
        assert.ok(!errorPrefixTemplate("orders").startsWith("orders/"));
    });

    it("refuses to evaluate an expression that does not come from the record, or a missing key", () => {
        assert.throws(() => evaluatePrefix(errorPrefixTemplate("orders"), { dt: "x", hour: "y" }), /!\{firehose:error-output-type\} is not a partitionKeyFromLambda expression/);
        assert.throws(() => evaluatePrefix(rawPrefixTemplate("orders"), { dt: "2024-05-01" }), /no partition key "hour"/);
    });
});

describe("Firehose delivery: decisions", () => {
    it("alarms on freshness after three buffer intervals plus five minutes", () => {
        assert.deepStrictEqual([60, 300, 900].map(freshnessThresholdSeconds), [480, 1200, 3000]);
    });

    it("watches delivery, processing, throttling, lag, partitions and the rejects rate", () => {
        const specs = firehoseAlarms({ base: "f-orders", dataset: "orders", deliveryStreamName: "d", deliveryStreamAwsName: "d", functionName: "fn", functionAwsName: "fn", serviceName: "s", bufferIntervalSeconds: 60 });
        assert.deepStrictEqual(
            specs.map((s) => [s.name, "metricName" in s ? s.metricName : "ratio"]),
            [
                ["f-orders-freshness", "DeliveryToS3.DataFreshness"],
                ["f-orders-s3-delivery", "DeliveryToS3.Success"],
                ["f-orders-processing", "ExecuteProcessing.Success"],
                ["f-orders-transform-errors", "Errors"],
                ["f-orders-transform-throttles", "Throttles"],
                ["f-orders-source-throttles", "ThrottledGetRecords"],
                ["f-orders-lag", "KinesisMillisBehindLatest"],
                ["f-orders-partitions", "PartitionCountExceeded"],
                ["f-orders-rejects-rate", "ratio"],
            ],
        );
    });

    it("lets the delivery role read one stream, write one dataset's prefixes and invoke one function, with no delete and no wildcard resource", () => {
        const doc = deliveryRolePolicy({
            dataset: "orders",
            streamArn: "arn:aws:kinesis:us-east-1:1:stream/s",
            streamingKeyArn: "arn:aws:kms:us-east-1:1:key/streaming",
            rawBucketArn: "arn:aws:s3:::raw",
            lakeKeyArn: "arn:aws:kms:us-east-1:1:key/lake",
            functionArn: "arn:aws:lambda:us-east-1:1:function:f",
            deliveryLogGroupArn: "arn:aws:logs:us-east-1:1:log-group:/aws/kinesisfirehose/d",
            deliveryLogStreamName: "DestinationDelivery",
            region: "us-east-1",
        });
        const actions = doc.Statement.flatMap((s) => [s.Action].flat());
        assert.ok(!actions.some((a) => /Delete|\*/.test(a)), JSON.stringify(actions));
        assert.ok(doc.Statement.every((s) => ![s.Resource].flat().includes("*")));
        assert.deepStrictEqual(doc.Statement.find((s) => s.Sid === "WriteDeliveryPrefixes")?.Resource, ["arn:aws:s3:::raw/orders/*", "arn:aws:s3:::raw/_firehose_errors/orders/*"]);
    });

    it("gives the transformation function no AWS access beyond its logs, traces and environment key", () => {
        const doc = transformRolePolicy({ logGroupArn: "arn:aws:logs:us-east-1:1:log-group:/aws/lambda/f", streamingKeyArn: "arn:aws:kms:us-east-1:1:key/streaming" });
        assert.deepStrictEqual(doc.Statement.map((s) => s.Sid), ["WriteOwnLogs", "XRayHasNoResourceLevelPermissions", "DecryptOwnEnvironment"]);
    });
});

describe("ingestDelivery firehose: the dev stack with Firehose delivery (test-only config)", function () {
    this.timeout(300_000);

    it("replaces the ingest function and its event source mapping by one delivery stream per dataset stream", async () => {
        const run = await variantRun(firehoseDeliveryVariant);
        assert.deepStrictEqual(ofType(run, T.mapping), []);
        assert.ok(!ofType(run, T.fn).some((f) => f.name.startsWith("ingest-")));
        assert.strictEqual(ofType(run, T.delivery).length, ofType(run, T.stream).length);
        assert.deepStrictEqual(run.outputs.firehoseDeliveryStreams, ["platform-dev-deliver-orders"]);
        assert.strictEqual(run.outputs.ingestFunctions, undefined);
    });

    it("reads the dataset's Kinesis stream and writes the raw bucket under the lake key, gzip NDJSON, in the dt=/hour= layout", async () => {
        const run = await variantRun(firehoseDeliveryVariant);
        const delivery = one(run, T.delivery);
        const stream = ofType(run, T.stream)[0]!;
        const raw = one(run, T.bucket, "lake-raw");
        const lakeKey = one(run, T.key, "keys-lake");
        assert.strictEqual(input(delivery, "destination"), "extended_s3");
        assert.strictEqual(input(delivery, "kinesisSourceConfiguration.kinesisStreamArn"), stream.state.arn);
        assert.strictEqual(input(delivery, "serverSideEncryption"), undefined);
        const s3 = input(delivery, "extendedS3Configuration") as Record<string, any>;
        assert.deepStrictEqual(
            [s3.bucketArn, s3.kmsKeyArn, s3.prefix, s3.compressionFormat, s3.fileExtension, s3.dynamicPartitioningConfiguration.enabled],
            [raw.state.arn, lakeKey.state.arn, "orders/dt=!{partitionKeyFromLambda:dt}/hour=!{partitionKeyFromLambda:hour}/", "GZIP", ".ndjson.gz", true],
        );
        assert.deepStrictEqual([s3.bufferingSize, s3.bufferingInterval], [64, 60]);
        assert.ok(String(s3.errorOutputPrefix).startsWith("_firehose_errors/orders/error_type="));
    });

    it("takes the buffering from config", async () => {
        const run = await variantRun({ stack: "dev", overrides: { ...firehoseDeliveryVariant.overrides, "platform:firehoseBufferSizeMb": "128", "platform:firehoseBufferIntervalSeconds": "300" } });
        const s3 = input(one(run, T.delivery), "extendedS3Configuration") as Record<string, unknown>;
        assert.deepStrictEqual([s3.bufferingSize, s3.bufferingInterval], [128, 300]);
    });

    it("transforms with a Node.js 22 callback function on its own role, invoked by the delivery stream's role only", async () => {
        const run = await variantRun(firehoseDeliveryVariant);
        const fn = one(run, T.fn, "firehose-orders-transform");
        const role = one(run, T.role, "firehose-orders-transform-role");
        assert.deepStrictEqual([input(fn, "runtime"), input(fn, "role"), input(fn, "environment.variables.DATASET")], ["nodejs22.x", role.state.arn, "orders"]);
        const processors = input(one(run, T.delivery), "extendedS3Configuration.processingConfiguration.processors") as { type: string; parameters: { parameterName: string; parameterValue: string }[] }[];
        assert.deepStrictEqual(processors, [{ type: "Lambda", parameters: [{ parameterName: "LambdaArn", parameterValue: `${fn.state.arn}:$LATEST` }] }]);
        const deliveryRole = one(run, T.role, "firehose-orders-delivery-role");
        assert.strictEqual(json(deliveryRole, "assumeRolePolicy").Statement[0].Principal.Service, "firehose.amazonaws.com");
        const invoke = json(one(run, T.rolePolicy, "firehose-orders-delivery-role"), "policy").Statement.find((s: { Sid: string }) => s.Sid === "InvokeTransformation");
        assert.deepStrictEqual(invoke.Resource, [fn.state.arn, `${fn.state.arn}:*`]);
        assert.deepStrictEqual(json(one(run, T.rolePolicy, "firehose-orders-transform-role"), "policy").Statement.map((s: { Sid: string }) => s.Sid), ["WriteOwnLogs", "XRayHasNoResourceLevelPermissions", "DecryptOwnEnvironment"]);
    });

    it("logs delivery errors to its own log group under the observability key", async () => {
        const run = await variantRun(firehoseDeliveryVariant);
        const group = one(run, T.logGroup, "firehose-orders-delivery-logs");
        const logStream = one(run, T.logStream, "firehose-orders-delivery-errors");
        const logging = input(one(run, T.delivery), "extendedS3Configuration.cloudwatchLoggingOptions");
        assert.deepStrictEqual(logging, { enabled: true, logGroupName: group.state.name, logStreamName: logStream.state.name });
        assert.strictEqual(input(group, "kmsKeyId"), one(run, T.key, "keys-observability").state.arn);
    });

    it("registers the delivery alarms, wired to the alarm topic", async () => {
        const run = await variantRun(firehoseDeliveryVariant);
        const alarms = ofType(run, T.alarm).filter((a) => a.name.startsWith("firehose-orders-"));
        assert.strictEqual(alarms.length, 9);
        assert.ok(alarms.every((a) => (input(a, "alarmActions") as string[]).length === 1));
        assert.deepStrictEqual(input(alarms.find((a) => a.name === "firehose-orders-freshness")!, "dimensions"), { DeliveryStreamName: "platform-dev-deliver-orders" });
    });

    it("passes the policy pack with 0 mandatory violations under dev's pack config", async () => {
        const result = await checkOfflineRun(await variantRun(firehoseDeliveryVariant));
        assert.deepStrictEqual(result.violations.filter((v) => v.level === "mandatory"), []);
    });

    it("is priced by the cost model: every type covered, the transformation function with its delivery stream", async () => {
        const run = await variantRun(firehoseDeliveryVariant);
        assert.deepStrictEqual([...new Set(run.resources.map((r) => r.type))].filter((t) => coverage(t).kind === "none"), []);
        const report = estimateRun(run, { usage: loadUsageFile(path.join(projectRoot, "cost", "usage.dev.yaml")) });
        const delivery = report.resources.find((r) => r.type === T.delivery)!;
        assert.ok(delivery.monthly > 0.5 && delivery.monthly < 5, `delivery priced at ${delivery.monthly}`);
        assert.deepStrictEqual(
            delivery.components.map((c) => c.priceId),
            ["firehose.ingestionGb", "firehose.dynamicPartitioningGb", "firehose.dynamicPartitioningObjectsThousand", "lambda.requestsMillion", "lambda.arm.gbSecond"],
        );
        const fn = report.resources.find((r) => r.name === "firehose-orders-transform");
        assert.strictEqual(fn, undefined, "the function is listed as free, not priced twice");
    });

    it("refuses firehose on the MSK prod stack before declaring anything, naming the key and the fix", async () => {
        await assert.rejects(
            variantRun({ stack: "prod", overrides: { "platform:ingestDelivery": "firehose" } }),
            /Stack 'prod' has 1 invalid config value:\n {2}- platform:ingestDelivery: expected lambda on an MSK stack .*; found "firehose"\. Fix: pulumi config set platform:ingestDelivery lambda, or pulumi config set platform:streamingEngine kinesis$/,
        );
    });

    it("leaves the shipped dev stack on the Lambda delivery", async () => {
        const run = await stackRun("dev");
        assert.deepStrictEqual(ofType(run, T.delivery), []);
        assert.strictEqual(ofType(run, T.mapping).length, 1);
    });
});
