import * as assert from "assert";
import jsonata from "jsonata";
import { glueRunArguments, pipelineDefinition, PipelineContext, windowHoursOf } from "../../../infra/orchestration/decisions";
import { parseCommandLine } from "../../../runtime/batch/args";
import { datasets } from "../../../runtime/datasets";
import { OfflineRun } from "../../../tools/offline/program";
import { input, json, ofType, one, stackRun, variantRun } from "../../helpers/stacks";

const aslValidator = require("asl-validator") as (definition: unknown) => { isValid: boolean; errorsText(separator?: string): string };

const context = (spark: PipelineContext["spark"]): PipelineContext => ({
    datasets: [{ name: "orders", specUri: "s3://artifacts/spark/specs/orders.json" }],
    spark,
    scriptUri: "s3://artifacts/spark/transform_job.py",
    rawUri: "s3://raw",
    curatedUri: "s3://curated",
    referenceUri: "s3://artifacts/reference",
    logUri: "s3://artifacts/spark-logs/",
    qualityFunctionArn: "arn:aws:lambda:us-east-1:111122223333:function:q",
    loadFunctionArn: "arn:aws:lambda:us-east-1:111122223333:function:l",
    alarmTopicArn: "arn:aws:sns:us-east-1:111122223333:alarms",
    defaultWindowHours: 6,
    timeouts: { transformSeconds: 10800, qualitySeconds: 600, loadSeconds: 900 },
});

describe("pipeline definition", () => {
    const serverless = pipelineDefinition(context({ mode: "serverless", applicationId: "00fabc", executionRoleArn: "arn:aws:iam::111122223333:role/spark" }));
    const cluster = pipelineDefinition(context({ mode: "cluster", clusterId: "j-ABC" }));
    const glue = pipelineDefinition(context({ mode: "glue", transformJobName: "platform-dev-transform" }));

    it("is valid Amazon States Language for every Spark mode", () => {
        for (const definition of [serverless, cluster, glue]) {
            const result = aslValidator(definition);
            assert.ok(result.isValid, result.errorsText("\n"));
        }
    });

    it("is rejected by the validator when a transition points nowhere (the validator bites)", () => {
        const broken = JSON.parse(JSON.stringify(serverless));
        broken.States.PerDataset.ItemProcessor.States.LoadWarehouse.Next = "NoSuchState";
        assert.strictEqual(aslValidator(broken).isValid, false);
    });

    it("runs transform, quality gate, load and warehouse quality gate per dataset, and notifies on any failure", () => {
        const states = (serverless as any).States;
        const item = states.PerDataset.ItemProcessor.States;
        const order: string[] = [];
        for (let name: string | undefined = states.PerDataset.ItemProcessor.StartAt; name; ) {
            order.push(name);
            const state = item[name];
            name = state.Type === "Choice" ? state.Choices[0].Next : state.Next;
        }
        assert.deepStrictEqual(order, ["Transform", "CheckTransformQuality", "TransformQualityGate", "LoadWarehouse", "CheckWarehouseQuality", "WarehouseQualityGate", "DatasetDone"]);
        assert.strictEqual(item.TransformQualityGate.Default, "TransformQualityFailed");
        assert.deepStrictEqual(states.PerDataset.Catch[0].ErrorEquals, ["States.ALL"]);
        assert.strictEqual(states.PerDataset.Catch[0].Next, "NotifyFailure");
        assert.strictEqual(states.NotifyFailure.Resource, "arn:aws:states:::sns:publish");
    });

    it("applies each database dataset's changes, syncs and checks its warehouse table before any transform, and notifies on failure", () => {
        const withCdc = (spark: PipelineContext["spark"]) =>
            pipelineDefinition({ ...context(spark), cdc: { scriptUri: "s3://artifacts/spark/cdc_apply.py", datasets: [{ name: "customers", specUri: "s3://artifacts/spark/cdc-specs/customers.json" }] } }) as any;
        for (const definition of [withCdc({ mode: "serverless", applicationId: "00fabc", executionRoleArn: "arn:aws:iam::111122223333:role/spark" }), withCdc({ mode: "cluster", clusterId: "j-ABC" })]) {
            const result = aslValidator(definition);
            assert.ok(result.isValid, result.errorsText("\n"));
            const states = definition.States;
            assert.deepStrictEqual([states.DefineWindow.Next, states.ApplyChanges.Next, states.ApplyChanges.Catch[0].Next], ["ApplyChanges", "PerDataset", "NotifyFailure"]);
            assert.deepStrictEqual(states.ApplyChanges.Items, [{ dataset: "customers", specUri: "s3://artifacts/spark/cdc-specs/customers.json" }]);
            const item = states.ApplyChanges.ItemProcessor.States;
            const order: string[] = [];
            for (let name: string | undefined = states.ApplyChanges.ItemProcessor.StartAt; name; ) {
                order.push(name);
                name = item[name].Type === "Choice" ? item[name].Choices[0].Next : item[name].Next;
            }
            assert.deepStrictEqual(order, ["ApplyCdc", "SyncWarehouse", "CheckSyncedQuality", "SyncedQualityGate", "ChangesApplied"]);
            assert.strictEqual(item.SyncWarehouse.Arguments.FunctionName, "arn:aws:lambda:us-east-1:111122223333:function:l");
            assert.strictEqual(item.CheckSyncedQuality.Arguments.Payload.source, "warehouse");
            const apply = JSON.stringify(item.ApplyCdc);
            assert.ok(apply.includes("s3://artifacts/spark/cdc_apply.py") && !apply.includes("transform_job.py"), apply);
            assert.ok(apply.includes('"--reference-uri","s3://artifacts/reference"'), apply);
        }
    });

    it("has no CDC stage when no database dataset is captured", () => {
        const states = pipelineDefinition({ ...context({ mode: "cluster", clusterId: "j-ABC" }), cdc: { scriptUri: "s3://a/cdc_apply.py", datasets: [] } }).States as any;
        assert.strictEqual(states.ApplyChanges, undefined);
        assert.strictEqual(states.DefineWindow.Next, "PerDataset");
    });

    it("computes the window the input asks for: the schedule's hours, windowHours, previousDays (late-data sweep) or start and end", async () => {
        const assign = (serverless as any).States.DefineWindow.Assign as { windowStart: string; windowEnd: string };
        const evaluate = async (template: string, input: Record<string, unknown>, startTime: string) =>
            jsonata((/^\{% (.*) %\}$/s.exec(template) as RegExpExecArray)[1] as string).evaluate({}, { states: { input, context: { Execution: { StartTime: startTime } } } });
        const window = async (input: Record<string, unknown>, startTime = "2024-05-02T02:30:12.345Z") => [await evaluate(assign.windowStart, input, startTime), await evaluate(assign.windowEnd, input, startTime)];
        assert.deepStrictEqual(await window({}), ["2024-05-01T20:00:00.000Z", "2024-05-02T02:00:00.000Z"]);
        assert.deepStrictEqual(await window({ windowHours: 2 }), ["2024-05-02T00:00:00.000Z", "2024-05-02T02:00:00.000Z"]);
        assert.deepStrictEqual(await window({ previousDays: 1 }), ["2024-05-01T00:00:00.000Z", "2024-05-02T00:00:00.000Z"]);
        assert.deepStrictEqual(await window({ previousDays: 3 }, "2024-03-01T00:05:00Z"), ["2024-02-27T00:00:00.000Z", "2024-03-01T00:00:00.000Z"]);
        assert.deepStrictEqual(await window({ start: "2024-04-01T00:00:00Z", end: "2024-04-03T00:00:00Z" }), ["2024-04-01T00:00:00Z", "2024-04-03T00:00:00Z"]);
    });

    it("bounds every task with a timeout and retries with backoff", () => {
        const item = (serverless as any).States.PerDataset.ItemProcessor.States;
        for (const name of ["Transform", "CheckTransformQuality", "LoadWarehouse", "CheckWarehouseQuality"]) {
            assert.ok(item[name].TimeoutSeconds > 0, name);
            assert.ok(item[name].Retry.every((r: any) => r.BackoffRate >= 2 && r.MaxAttempts >= 2), name);
        }
    });

    it("waits for the Spark job through the .sync integration of the configured mode", () => {
        assert.strictEqual((serverless as any).States.PerDataset.ItemProcessor.States.Transform.Resource, "arn:aws:states:::emr-serverless:startJobRun.sync");
        assert.strictEqual((cluster as any).States.PerDataset.ItemProcessor.States.Transform.Resource, "arn:aws:states:::elasticmapreduce:addStep.sync");
    });

    const windows: [string, number][] = [["rate(1 hour)", 1], ["rate(6 hours)", 6], ["rate(2 days)", 48], ["rate(30 minutes)", 1], ["cron(15 * * * ? *)", 1]];
    for (const [schedule, hours] of windows) {
        it(`processes ${hours} hour(s) per run on ${schedule}`, () => assert.strictEqual(windowHoursOf(schedule), hours));
    }
});

function stages(run: OfflineRun): string[] {
    return [...new Set(ofType(run, "aws:cloudwatch/metricAlarm:MetricAlarm").map((a) => (a.inputs.tags as Record<string, string>)["pipeline-stage"]))].sort();
}

for (const stack of ["dev", "prod"] as const) {
    describe(`${stack} pipeline resources`, () => {
        let run: OfflineRun;
        before(async () => {
            run = await stackRun(stack);
        });

        it("counts rejected VPC flows from the flow logs and alarms on bursts", () => {
            const filter = one(run, "aws:cloudwatch/logMetricFilter:LogMetricFilter", "network-rejected-flows");
            assert.match(filter.inputs.pattern as string, /action="REJECT"/);
            assert.strictEqual(one(run, "aws:cloudwatch/metricAlarm:MetricAlarm", "network-rejected-flows").inputs.metricName, "RejectedFlows");
        });

        it("has an alarm on the alarm topic for every pipeline stage", () => {
            assert.deepStrictEqual(stages(run), ["audit", "batch", "ingest", "lake", "network", "orchestration", "quality", "streaming", "transform", "warehouse"]);
        });

        it("deploys the ingest function with an explicit role, Node.js 22, tracing, reserved concurrency and names-only settings", () => {
            const fn = one(run, "aws:lambda/function:Function", "ingest-orders");
            assert.strictEqual(fn.inputs.runtime, "nodejs22.x");
            assert.strictEqual(fn.inputs.role, one(run, "aws:iam/role:Role", "ingest-orders-role").state.arn);
            assert.deepStrictEqual(fn.inputs.tracingConfig, { mode: "Active" });
            assert.strictEqual(fn.inputs.reservedConcurrentExecutions, stack === "prod" ? 50 : 5);
            assert.strictEqual(fn.inputs.memorySize, stack === "prod" ? 1024 : 512);
            const variables = input(fn, "environment.variables") as Record<string, string>;
            assert.deepStrictEqual(Object.keys(variables).sort(), ["DATASET", "LINEAGE_BUCKET", "LINEAGE_NAMESPACE", "LINEAGE_PREFIX", "LINEAGE_SSE_KMS_KEY_ARN", "METRICS_NAMESPACE", "POWERTOOLS_SERVICE_NAME", "RAW_BUCKET", "REJECTS_BUCKET"]);
            // Lineage goes to the raw bucket's lineage/ prefix, encrypted with the lake key, like the records.
            assert.deepStrictEqual([variables.LINEAGE_BUCKET, variables.LINEAGE_PREFIX, variables.LINEAGE_NAMESPACE], [run.outputs.rawBucket, "lineage", `platform-${stack}`]);
            assert.deepStrictEqual([variables.RAW_BUCKET, variables.REJECTS_BUCKET, variables.DATASET], [run.outputs.rawBucket, run.outputs.rejectsBucket, "orders"]);
            assert.strictEqual(input(fn, "loggingConfig.logFormat"), "JSON");
            assert.strictEqual(fn.secretPaths.length, 0);
        });

        it("bundles the serialized handler with only the packages it loads", () => {
            const archive = (one(run, "aws:lambda/function:Function", "ingest-orders").inputs.code as { archive: Record<string, { text?: string }> }).archive;
            const entries = Object.keys(archive);
            assert.ok(archive["__index.js"].text!.includes(stack === "prod" ? "createKafkaIngestHandler" : "createKinesisIngestHandler"));
            assert.ok(entries.includes("node_modules/@aws-sdk/client-s3"));
            for (const excluded of ["node_modules/kafkajs", "node_modules/pg", "node_modules/@pulumi/pulumi", "node_modules/@pulumi/aws", "node_modules/typescript", "node_modules/mocha"]) {
                assert.ok(!entries.includes(excluded), excluded);
            }
        });

        it("gives the ingest role only what it needs: its dataset's prefixes, its source, its queue, its logs", () => {
            const policy = json(one(run, "aws:iam/rolePolicy:RolePolicy", "ingest-orders-role"), "policy");
            const land = policy.Statement.find((s: any) => s.Sid === "LandRecordsOfThisDataset");
            assert.deepStrictEqual(land.Action, ["s3:PutObject", "s3:GetObject"]);
            assert.ok(!JSON.stringify(policy).includes("s3:DeleteObject"));
            assert.deepStrictEqual(land.Resource, [`arn:aws:s3:::${run.outputs.rawBucket}/orders/*`, `arn:aws:s3:::${run.outputs.rejectsBucket}/orders/*`]);
            const starred = policy.Statement.filter((s: any) => s.Resource === "*").map((s: any) => s.Sid).sort();
            assert.deepStrictEqual(starred, stack === "prod" ? ["DescribeNetworkHasNoResourceLevelPermissions", "XRayHasNoResourceLevelPermissions"] : ["ListStreamsHasNoResourceLevelPermissions", "XRayHasNoResourceLevelPermissions"]);
            assert.ok(policy.Statement.every((s: any) => s.Action !== "*" && !(Array.isArray(s.Action) && s.Action.includes("*"))));
            assert.deepStrictEqual(ofType(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter((a) => a.name.startsWith("ingest")), []);
        });

        it("maps the stream to the function with bounded retries, bisecting and an encrypted failure queue", () => {
            const mapping = one(run, "aws:lambda/eventSourceMapping:EventSourceMapping");
            assert.deepStrictEqual([mapping.inputs.bisectBatchOnFunctionError, mapping.inputs.maximumRetryAttempts, mapping.inputs.startingPosition], [stack === "dev", 5, "TRIM_HORIZON"]);
            assert.strictEqual(input(mapping, "destinationConfig.onFailure.destinationArn"), one(run, "aws:sqs/queue:Queue", "ingest-orders-failed").state.arn);
            assert.strictEqual(one(run, "aws:sqs/queue:Queue", "ingest-orders-failed").inputs.kmsMasterKeyId, one(run, "aws:kms/key:Key", "keys-streaming").state.arn);
            if (stack === "dev") {
                assert.deepStrictEqual(mapping.inputs.functionResponseTypes, ["ReportBatchItemFailures"]);
                assert.strictEqual(mapping.inputs.parallelizationFactor, 2);
            } else {
                assert.deepStrictEqual(mapping.inputs.topics, ["orders.v1"]);
                assert.deepStrictEqual(mapping.inputs.provisionedPollerConfig, { minimumPollers: 1, maximumPollers: 10 });
                assert.deepStrictEqual(mapping.inputs.amazonManagedKafkaEventSourceConfig, { consumerGroupId: "platform-prod-ingest-orders" });
                assert.deepStrictEqual(input(one(run, "aws:lambda/function:Function", "ingest-orders"), "vpcConfig.subnetIds"), ["subnet-private-1", "subnet-private-2", "subnet-private-3"]);
            }
        });

        it("runs Spark on an auto-stopping ARM64 EMR Serverless application in the private subnets, with the script and spec uploaded", () => {
            const app = one(run, "aws:emrserverless/application:Application");
            assert.deepStrictEqual([app.inputs.releaseLabel, app.inputs.architecture, input(app, "autoStopConfiguration.enabled"), input(app, "autoStopConfiguration.idleTimeoutMinutes")], ["emr-7.5.0", "ARM64", true, 30]);
            assert.deepStrictEqual(app.inputs.maximumCapacity, stack === "prod" ? { cpu: "64 vCPU", memory: "256 GB", disk: "1280 GB" } : { cpu: "16 vCPU", memory: "64 GB", disk: "320 GB" });
            assert.deepStrictEqual(input(app, "networkConfiguration.subnetIds"), ["subnet-private-1", "subnet-private-2", "subnet-private-3"]);
            const objects = ofType(run, "aws:s3/bucketObjectv2:BucketObjectv2").map((o) => o.inputs.key).sort();
            assert.deepStrictEqual(objects, ["spark/cdc-specs/customers.json", "spark/cdc_apply.py", "spark/specs/fx_rates.json", "spark/specs/orders.json", "spark/specs/store_inventory.json", "spark/transform_job.py"]);
        });

        it("runs batch jobs on Fargate (Spot outside prod), unprivileged, read-only, bounded and retried", () => {
            const compute = one(run, "aws:batch/computeEnvironment:ComputeEnvironment");
            assert.strictEqual(input(compute, "computeResources.type"), stack === "prod" ? "FARGATE" : "FARGATE_SPOT");
            const definition = one(run, "aws:batch/jobDefinition:JobDefinition");
            const container = json(definition, "containerProperties");
            assert.deepStrictEqual([container.privileged, container.readonlyRootFilesystem, container.user, container.networkConfiguration.assignPublicIp], [false, true, "1000", "DISABLED"]);
            assert.deepStrictEqual(input(definition, "timeout.attemptDurationSeconds"), 3600);
            assert.strictEqual(input(definition, "retryStrategy.attempts"), 3);
            const repository = one(run, "aws:ecr/repository:Repository");
            assert.deepStrictEqual([repository.inputs.imageTagMutability, input(repository, "imageScanningConfiguration.scanOnPush")], ["IMMUTABLE", true]);
            assert.strictEqual(container.image, one(run, "awsx:ecr:Image").state.imageUri);
            assert.deepStrictEqual(container.environment.find((e: { name: string }) => e.name === "LEASE_TTL_SECONDS"), { name: "LEASE_TTL_SECONDS", value: "3600" });
        });

        it("compacts each dataset's previous UTC day nightly: a SubmitJob universal target whose command names the day by the schedule's own time", () => {
            const schedule = one(run, "aws:scheduler/schedule:Schedule", "batch-compaction-orders");
            assert.deepStrictEqual([schedule.inputs.name, schedule.inputs.scheduleExpression, schedule.inputs.scheduleExpressionTimezone], [`platform-${stack}-compaction-orders`, "cron(30 4 * * ? *)", "UTC"]);
            assert.strictEqual(input(schedule, "target.arn"), "arn:aws:scheduler:::aws-sdk:batch:submitJob");
            const queue = one(run, "aws:batch/jobQueue:JobQueue").state.arn;
            const definition = one(run, "aws:batch/jobDefinition:JobDefinition").state.arn;
            assert.deepStrictEqual(JSON.parse(input(schedule, "target.input") as string), {
                JobName: "compact-orders",
                JobQueue: queue,
                JobDefinition: definition,
                ContainerOverrides: { Command: ["node", "--enable-source-maps", "build/runtime/batch/main.js", "compact", "--dataset", "orders", "--day-before", "<aws.scheduler.scheduled-time>"] },
            });
            const deadLetters = one(run, "aws:sqs/queue:Queue", "batch-compaction-schedule-failed");
            assert.deepStrictEqual([input(schedule, "target.deadLetterConfig.arn"), input(schedule, "target.retryPolicy.maximumRetryAttempts")], [deadLetters.state.arn, 3]);
            assert.strictEqual(input(schedule, "target.roleArn"), one(run, "aws:iam/role:Role", "batch-compaction-scheduler").state.arn);
            const policy = json(one(run, "aws:iam/rolePolicy:RolePolicy", "batch-compaction-scheduler"), "policy");
            assert.deepStrictEqual(
                policy.Statement.map((s: any) => [s.Sid, s.Action, s.Resource]),
                [
                    ["SubmitCompactionJobs", "batch:SubmitJob", [queue, definition]],
                    ["RecordFailedStarts", "sqs:SendMessage", deadLetters.state.arn],
                    ["EncryptFailedStarts", ["kms:GenerateDataKey", "kms:Decrypt"], schedule.inputs.kmsKeyArn],
                ],
            );
            // What the job does with that time: compacts the UTC day before it.
            const command = JSON.parse(input(schedule, "target.input") as string).ContainerOverrides.Command.slice(3).map((arg: string) => (arg === "<aws.scheduler.scheduled-time>" ? "2024-05-02T04:30:00Z" : arg));
            assert.strictEqual((parseCommandLine(command) as { dt: string }).dt, "2024-05-01");
        });

        it("lets the load function register curated partitions for Spectrum: Glue on the curated database and an ALTER grant, nothing more", () => {
            const policy = json(one(run, "aws:iam/rolePolicy:RolePolicy", "orchestration-load"), "policy");
            const register = policy.Statement.find((s: any) => s.Sid === "RegisterCuratedPartitions");
            assert.deepStrictEqual(register.Action, ["glue:GetTable", "glue:BatchCreatePartition"]);
            assert.deepStrictEqual(register.Resource.slice(1), [`arn:aws:glue:us-east-1:123456789012:database/platform_${stack}_curated`, `arn:aws:glue:us-east-1:123456789012:table/platform_${stack}_curated/*`]);
            const grant = one(run, "aws:lakeformation/permissions:Permissions", "catalog-curated-load-tables");
            assert.deepStrictEqual(grant.inputs.permissions, ["DESCRIBE", "ALTER"]);
            assert.strictEqual(grant.inputs.principal, one(run, "aws:iam/role:Role", "orchestration-load").state.arn);
            const env = input(one(run, "aws:lambda/function:Function", "orchestration-load"), "environment.variables") as Record<string, string>;
            assert.deepStrictEqual([env.GLUE_CURATED_DATABASE, env.SPECTRUM_CATALOG_DATABASE, env.SPECTRUM_SCHEMA], [`platform_${stack}_curated`, `platform_${stack}_curated`, "lake"]);
        });

        it("orchestrates with a valid, logged, traced, encrypted state machine on the configured schedule", () => {
            const machine = one(run, "aws:sfn/stateMachine:StateMachine");
            const result = aslValidator(JSON.parse(machine.inputs.definition as string));
            assert.ok(result.isValid, result.errorsText("\n"));
            assert.deepStrictEqual([input(machine, "tracingConfiguration.enabled"), input(machine, "encryptionConfiguration.type"), input(machine, "loggingConfiguration.level")], [true, "CUSTOMER_MANAGED_KMS_KEY", "ERROR"]);
            const schedule = one(run, "aws:scheduler/schedule:Schedule", "orchestration-schedule");
            assert.strictEqual(schedule.inputs.scheduleExpression, stack === "prod" ? "rate(1 hour)" : "rate(6 hours)");
            assert.deepStrictEqual(JSON.parse(input(schedule, "target.input") as string), { windowHours: stack === "prod" ? 1 : 6 });
            assert.strictEqual(input(schedule, "target.deadLetterConfig.arn"), one(run, "aws:sqs/queue:Queue", "orchestration-schedule-failed").state.arn);
            const sweep = one(run, "aws:scheduler/schedule:Schedule", "orchestration-sweep");
            assert.deepStrictEqual([sweep.inputs.name, sweep.inputs.scheduleExpression, JSON.parse(input(sweep, "target.input") as string)], [`platform-${stack}-pipeline-sweep`, "cron(30 2 * * ? *)", { previousDays: 1 }]);
            for (const path of ["target.arn", "target.roleArn", "target.deadLetterConfig.arn"]) {
                assert.strictEqual(input(sweep, path), input(schedule, path), `the sweep shares ${path} with the pipeline schedule`);
            }
            const policy = json(one(run, "aws:iam/rolePolicy:RolePolicy", "orchestration-state-machine"), "policy");
            const pass = policy.Statement.find((s: any) => s.Sid === "PassJobRoleToEmrServerlessOnly");
            assert.deepStrictEqual(pass.Condition, { StringEquals: { "iam:PassedToService": "emr-serverless.amazonaws.com" } });
        });

        it("applies the captured customers with cdc_apply.py on EMR Serverless (spec uploaded beside the transform's) before the transforms, then syncs the warehouse", () => {
            const definition = JSON.parse(one(run, "aws:sfn/stateMachine:StateMachine").inputs.definition as string);
            const apply = definition.States.ApplyChanges.ItemProcessor.States.ApplyCdc;
            assert.strictEqual(apply.Resource, "arn:aws:states:::emr-serverless:startJobRun.sync");
            const script = one(run, "aws:s3/bucketObjectv2:BucketObjectv2", "orchestration-cdc-script");
            assert.strictEqual(script.inputs.key, "spark/cdc_apply.py");
            assert.match(apply.Arguments.JobDriver.SparkSubmit.EntryPoint, /^s3:\/\/.+\/spark\/cdc_apply\.py$/);
            const spec = JSON.parse(one(run, "aws:s3/bucketObjectv2:BucketObjectv2", "orchestration-cdc-spec-customers").inputs.content as string);
            assert.deepStrictEqual([spec.name, spec.key, spec.reference?.name], ["customers", ["id"], "customers"]);
            assert.deepStrictEqual(definition.States.ApplyChanges.Items.map((i: any) => i.dataset), ["customers"]);
            assert.strictEqual(definition.States.DefineWindow.Next, "ApplyChanges");
            const grants = json(one(run, "aws:iam/rolePolicy:RolePolicy", "orchestration-cdc-apply"), "policy").Statement.flatMap((s: any) => [].concat(s.Resource));
            assert.ok(grants.some((r: string) => /\/reference\/customers\/\*$/.test(r)), grants.join(", "));
            assert.ok(grants.some((r: string) => /lake-curated-[0-9a-f]+\/customers\/\*$/.test(r)), grants.join(", "));
            const load = json(one(run, "aws:iam/rolePolicy:RolePolicy", "orchestration-load"), "policy").Statement.flatMap((s: any) => [].concat(s.Resource));
            assert.ok(load.some((r: string) => /lake-curated-[0-9a-f]+\/customers\*$/.test(r)), load.join(", "));
        });
    });
}

describe("the late-data sweep turned off (pipelineSweepDays 0)", () => {
    it("declares no sweep, and still the pipeline schedule and every dataset's compaction schedule", async () => {
        const run = await variantRun({ stack: "dev", overrides: { "platform:pipelineSweepDays": "0" } });
        const names = new Set(ofType(run, "aws:scheduler/schedule:Schedule").map((schedule) => schedule.name));
        assert.ok(!names.has("orchestration-sweep"), "the sweep schedule is declared although pipelineSweepDays is 0");
        assert.ok(names.has("orchestration-schedule"), "the pipeline schedule is missing");
        for (const dataset of datasets) {
            assert.ok(names.has(`batch-compaction-${dataset.name}`), `dataset ${dataset.name} has no compaction schedule`);
        }
        // Nothing else schedules: one pipeline schedule, one compaction schedule per dataset, one per API
        // source, and the serverless warehouse's nightly snapshot.
        assert.ok(names.has("connectors-fx-rates-schedule"), "the fx-rates API source has no schedule");
        assert.ok(names.has("warehouse-nightly-snapshot"), "the serverless warehouse has no nightly snapshot");
        assert.strictEqual(names.size, 1 + datasets.length + 1 + 1);
    });
});

describe("Spark on Glue (sparkMode glue): the pipeline's side", () => {
    const withCdc = (spark: PipelineContext["spark"]) =>
        pipelineDefinition({ ...context(spark), cdc: { scriptUri: "s3://artifacts/spark/cdc_apply.py", datasets: [{ name: "customers", specUri: "s3://artifacts/spark/cdc-specs/customers.json" }] } }) as any;
    const serverless = withCdc({ mode: "serverless", applicationId: "00fabc", executionRoleArn: "arn:aws:iam::111122223333:role/spark" });
    const glue = withCdc({ mode: "glue", transformJobName: "platform-dev-transform", cdcApplyJobName: "platform-dev-cdc-apply" });
    const transformOf = (d: any) => d.States.PerDataset.ItemProcessor.States.Transform;
    const applyOf = (d: any) => d.States.ApplyChanges.ItemProcessor.States.ApplyCdc;

    it("starts the transform job and waits for it with glue:startJobRun.sync", () => {
        assert.deepStrictEqual([transformOf(glue).Resource, transformOf(glue).Arguments.JobName], ["arn:aws:states:::glue:startJobRun.sync", "platform-dev-transform"]);
        assert.deepStrictEqual([applyOf(glue).Resource, applyOf(glue).Arguments.JobName], ["arn:aws:states:::glue:startJobRun.sync", "platform-dev-cdc-apply"]);
    });

    it("passes each job run exactly the arguments EMR Serverless passes the same script, as Glue's --name value map", () => {
        for (const [g, s] of [[transformOf(glue), transformOf(serverless)], [applyOf(glue), applyOf(serverless)]]) {
            assert.deepStrictEqual(g.Arguments.Arguments, glueRunArguments(s.Arguments.JobDriver.SparkSubmit.EntryPointArguments));
        }
        assert.strictEqual(transformOf(glue).Arguments.Arguments["--spec"], "{% $states.input.specUri %}");
    });

    it("keeps the EMR modes' retries, timeout, output and next state", () => {
        for (const pick of [transformOf, applyOf]) {
            const { Resource: _g, Arguments: _ga, ...glueRest } = pick(glue);
            const { Resource: _s, Arguments: _sa, ...serverlessRest } = pick(serverless);
            assert.deepStrictEqual(glueRest, serverlessRest);
        }
    });

    it("refuses a CDC stage without the CDC apply job", () => {
        assert.throws(() => withCdc({ mode: "glue", transformJobName: "platform-dev-transform" }), /the CDC apply stage needs spark.cdcApplyJobName in glue mode/);
    });

    it("turns an argument list into Glue's map and refuses lists it cannot map", () => {
        assert.deepStrictEqual(glueRunArguments(["--spec", "s3://a/s.json", "--start", "{% $windowStart %}"]), { "--spec": "s3://a/s.json", "--start": "{% $windowStart %}" });
        assert.throws(() => glueRunArguments(["--spec"]), /expected --name value pairs; found 1 items/);
        assert.throws(() => glueRunArguments(["spec", "x"]), /item 0 must be an argument name such as --spec; found "spec"/);
        assert.throws(() => glueRunArguments(["--spec", "a", "--spec", "b"]), /--spec is given twice/);
    });
});

describe("Spark on an EMR cluster (sparkMode cluster)", () => {
    let run: OfflineRun;
    before(async () => {
        run = await variantRun({ stack: "prod", overrides: { "platform:sparkMode": "cluster" } });
    });

    it("encrypts S3, local disks, EBS and node-to-node traffic through a security configuration", () => {
        const config = JSON.parse(one(run, "aws:emr/securityConfiguration:SecurityConfiguration").inputs.configuration as string).EncryptionConfiguration;
        assert.deepStrictEqual([config.EnableAtRestEncryption, config.EnableInTransitEncryption], [true, true]);
        assert.strictEqual(config.AtRestEncryptionConfiguration.S3EncryptionConfiguration.EncryptionMode, "SSE-KMS");
        assert.strictEqual(config.AtRestEncryptionConfiguration.LocalDiskEncryptionConfiguration.EnableEbsEncryption, true);
        assert.match(config.InTransitEncryptionConfiguration.TLSCertificateConfiguration.S3Object, /^s3:\/\/.+\/emr\/tls\/certificates\.zip$/);
    });

    it("terminates when idle, scales Spot task capacity, runs in private subnets and blocks public access", () => {
        const cluster = one(run, "aws:emr/cluster:Cluster");
        assert.strictEqual(input(cluster, "autoTerminationPolicy.idleTimeout"), 1800);
        assert.deepStrictEqual(input(cluster, "ec2Attributes.subnetIds"), ["subnet-private-1", "subnet-private-2", "subnet-private-3"]);
        assert.strictEqual(input(one(run, "aws:emr/instanceFleet:InstanceFleet"), "targetSpotCapacity"), 0);
        assert.deepStrictEqual(input(one(run, "aws:emr/managedScalingPolicy:ManagedScalingPolicy"), "computeLimits.0"), {
            unitType: "InstanceFleetUnits",
            minimumCapacityUnits: 3,
            maximumCapacityUnits: 7,
            maximumOndemandCapacityUnits: 3,
            maximumCoreCapacityUnits: 2,
        });
        const bpa = one(run, "aws:emr/blockPublicAccessConfiguration:BlockPublicAccessConfiguration");
        assert.deepStrictEqual([bpa.inputs.blockPublicSecurityGroupRules, bpa.retainOnDelete], [true, true]);
    });

    it("steps the cluster from the state machine instead of EMR Serverless", () => {
        const definition = JSON.parse(one(run, "aws:sfn/stateMachine:StateMachine").inputs.definition as string);
        assert.strictEqual(definition.States.PerDataset.ItemProcessor.States.Transform.Resource, "arn:aws:states:::elasticmapreduce:addStep.sync");
        const apply = definition.States.ApplyChanges.ItemProcessor.States.ApplyCdc;
        assert.strictEqual(apply.Resource, "arn:aws:states:::elasticmapreduce:addStep.sync");
        assert.match(apply.Arguments.Step.HadoopJarStep.Args.join(" "), /spark-submit .* s3:\/\/.+\/spark\/cdc_apply\.py --spec \{% \$states\.input\.specUri %\} --raw-uri s3:\/\/lake-raw-[0-9a-f]+ --curated-uri s3:\/\/lake-curated-[0-9a-f]+ --reference-uri s3:\/\/lake-artifacts-[0-9a-f]+\/reference --lineage-uri s3:\/\/lake-raw-[0-9a-f]+\/lineage --lineage-namespace platform-prod$/);
        assert.deepStrictEqual(ofType(run, "aws:emrserverless/application:Application"), []);
    });
});
