import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { coverage, estimateRun } from "../../../cost";
import { airflowPipelineSpec, airflowRetry, airflowSchedule, airflowSpecKey, AirflowPipelineSpec } from "../../../infra/orchestration/airflow";
import { lambdaRetry, loadRetry, pipelineDefinition, PipelineContext, sparkRetry } from "../../../infra/orchestration/decisions";
import { mwaaExecutionPolicy } from "../../../infra/orchestration/iam";
import { checkOfflineRun, loadPackConfig } from "../../../policies/runner/offline";
import { airflowVariant } from "../../../tools/checkov-catalogue";
import { evaluate, NamedPolicy } from "../../helpers/iam/evaluate";
import { actionCarriesKey, actionFacts } from "../../helpers/iam/reference";
import { input, json, ofType, one, stackRun, variantRun } from "../../helpers/stacks";

const T = {
    environment: "aws:mwaa/environment:Environment",
    machine: "aws:sfn/stateMachine:StateMachine",
    schedule: "aws:scheduler/schedule:Schedule",
    object: "aws:s3/bucketObjectv2:BucketObjectv2",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    sg: "aws:ec2/securityGroup:SecurityGroup",
    alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
};

/** The Task and Choice states of a Map's item processor in the order they run. */
function aslChain(processor: { StartAt: string; States: Record<string, any> }): string[] {
    const chain: string[] = [];
    for (let name: string | undefined = processor.StartAt; name !== undefined; ) {
        const state: { Type: string; Next?: string; Choices?: { Next: string }[] } = processor.States[name];
        if (state.Type === "Fail" || state.Type === "Succeed") break;
        chain.push(name);
        name = state.Next ?? (state.Type === "Choice" ? state.Choices?.[0].Next : undefined);
    }
    return chain;
}

const ctx: PipelineContext = {
    datasets: [
        { name: "orders", specUri: "s3://artifacts/spark/specs/orders.json" },
        { name: "fx_rates", specUri: "s3://artifacts/spark/specs/fx_rates.json" },
    ],
    cdc: { scriptUri: "s3://artifacts/spark/cdc_apply.py", datasets: [{ name: "customers", specUri: "s3://artifacts/spark/cdc-specs/customers.json" }] },
    spark: { mode: "serverless", applicationId: "app-1", executionRoleArn: "arn:aws:iam::111122223333:role/job" },
    scriptUri: "s3://artifacts/spark/transform_job.py",
    rawUri: "s3://raw",
    curatedUri: "s3://curated",
    referenceUri: "s3://artifacts/reference",
    logUri: "s3://artifacts/spark-logs/",
    qualityFunctionArn: "arn:aws:lambda:us-east-1:111122223333:function:quality",
    loadFunctionArn: "arn:aws:lambda:us-east-1:111122223333:function:load",
    alarmTopicArn: "arn:aws:sns:us-east-1:111122223333:alarms",
    defaultWindowHours: 6,
    timeouts: { transformSeconds: 10800, qualitySeconds: 600, loadSeconds: 900 },
};

describe("the pipeline rendered as an Airflow DAG spec (infra/orchestration/airflow.ts)", () => {
    const spec = airflowPipelineSpec(ctx, { dagId: "platform-dev-pipeline", schedule: "rate(6 hours)", sweep: { schedule: "cron(30 2 * * ? *)", days: 2 } });
    const machine = pipelineDefinition(ctx) as { States: Record<string, any> };

    it("has the state machine's steps per dataset, under the same names, in the same order, CDC first", () => {
        const expected = (["ApplyChanges", "PerDataset"] as const).flatMap((stage) =>
            machine.States[stage].Items.map((item: { dataset: string }) => `${stage}.${item.dataset}: ${aslChain(machine.States[stage].ItemProcessor).join(" > ")}`),
        );
        assert.deepStrictEqual(
            spec.groups.map((g) => `${g.stage}.${g.dataset}: ${g.steps.map((s) => s.id).join(" > ")}`),
            expected,
        );
    });

    it("gives each step the state's timeout and retries, and gates none", () => {
        const steps = new Map(spec.groups.filter((g) => g.dataset === "orders").flatMap((g) => g.steps.map((s) => [s.id, s] as const)));
        const states = machine.States.PerDataset.ItemProcessor.States;
        for (const id of ["Transform", "CheckTransformQuality", "LoadWarehouse", "CheckWarehouseQuality"]) {
            const step = steps.get(id);
            assert.ok(step && step.kind !== "gate", id);
            assert.strictEqual(step.timeoutSeconds, states[id].TimeoutSeconds, id);
            assert.deepStrictEqual(step.retry, airflowRetry(states[id].Retry), id);
        }
        assert.strictEqual(steps.get("TransformQualityGate")?.kind, "gate");
    });

    it("passes the Spark job and the functions the state machine's arguments and payload keys, with the DAG run's window", () => {
        const transform = spec.groups.find((g) => g.dataset === "orders")?.steps.find((s) => s.id === "Transform");
        assert.ok(transform?.kind === "spark" && transform.spark.mode === "serverless");
        const args = transform.spark.jobDriver.sparkSubmit.entryPointArguments;
        const aslArgs = machine.States.PerDataset.ItemProcessor.States.Transform.Arguments.JobDriver.SparkSubmit.EntryPointArguments as string[];
        assert.deepStrictEqual(args.filter((_, i) => i % 2 === 0), aslArgs.filter((_, i) => i % 2 === 0));
        assert.deepStrictEqual(args.slice(0, 8), ["--spec", "s3://artifacts/spark/specs/orders.json", "--raw-uri", "s3://raw", "--curated-uri", "s3://curated", "--reference-uri", "s3://artifacts/reference"]);
        assert.strictEqual(args[args.indexOf("--start") + 1], "{{ ti.xcom_pull(task_ids='DefineWindow')['start'] }}");
        const check = spec.groups.find((g) => g.dataset === "orders")?.steps.find((s) => s.id === "CheckTransformQuality");
        assert.ok(check?.kind === "lambda");
        assert.deepStrictEqual(check.payload, { dataset: "orders", source: "sparkRun", summaryUri: "s3://curated/_runs/orders/{{ ti.xcom_pull(task_ids='DefineWindow')['runName'] }}.json", failOnError: false });
    });

    it("carries the schedule, the window, the sweep, the concurrency and the failure topic", () => {
        const { groups: _groups, ...rest } = spec;
        const expected: Omit<AirflowPipelineSpec, "groups"> = {
            version: 1,
            dagId: "platform-dev-pipeline",
            schedule: { kind: "interval", seconds: 21600 },
            windowHours: 6,
            sweep: { dagId: "platform-dev-pipeline-sweep", schedule: { kind: "cron", expression: "30 2 * * *" }, days: 2 },
            maxActiveTasks: machine.States.PerDataset.MaxConcurrency,
            notify: { topicArn: ctx.alarmTopicArn, subject: "Data platform pipeline failed" },
        };
        assert.deepStrictEqual(rest, expected);
    });

    it("has no sweep DAG when the sweep is turned off, and no CDC groups without database datasets", () => {
        const plain = airflowPipelineSpec({ ...ctx, cdc: undefined }, { dagId: "p", schedule: "rate(1 hour)", sweep: { schedule: "cron(30 2 * * ? *)", days: 0 } });
        assert.strictEqual(plain.sweep, undefined);
        assert.deepStrictEqual([...new Set(plain.groups.map((g) => g.stage))], ["PerDataset"]);
    });

    it("renders cluster mode as an EMR step with the state machine's spark-submit command", () => {
        const cluster = airflowPipelineSpec({ ...ctx, spark: { mode: "cluster", clusterId: "j-1" } }, { dagId: "p", schedule: "rate(1 hour)", sweep: { schedule: "cron(30 2 * * ? *)", days: 0 } });
        const step = cluster.groups.find((g) => g.dataset === "orders")?.steps[0];
        const asl = (pipelineDefinition({ ...ctx, spark: { mode: "cluster", clusterId: "j-1" } }) as any).States.PerDataset.ItemProcessor.States.Transform.Arguments.Step;
        assert.ok(step?.kind === "spark" && step.spark.mode === "cluster");
        assert.deepStrictEqual(step.spark.steps[0].HadoopJarStep.Args.slice(0, 7), asl.HadoopJarStep.Args.slice(0, 7));
        assert.strictEqual(step.spark.steps[0].ActionOnFailure, asl.ActionOnFailure);
    });
});

describe("airflowSchedule: EventBridge expressions as Airflow schedules", () => {
    const cases: [string, ReturnType<typeof airflowSchedule>][] = [
        ["rate(1 hour)", { kind: "interval", seconds: 3600 }],
        ["rate(30 minutes)", { kind: "interval", seconds: 1800 }],
        ["rate(2 days)", { kind: "interval", seconds: 172800 }],
        ["cron(15 * * * ? *)", { kind: "cron", expression: "15 * * * *" }],
        ["cron(0 6 ? * 2-6 *)", { kind: "cron", expression: "0 6 * * MON-FRI" }],
        ["cron(0 6 ? * 1,7 *)", { kind: "cron", expression: "0 6 * * SUN,SAT" }],
        ["cron(0 5 1 * ? *)", { kind: "cron", expression: "0 5 1 * *" }],
        ["cron(0 5 ? * MON *)", { kind: "cron", expression: "0 5 * * MON" }],
    ];
    for (const [expression, expected] of cases) {
        it(`converts ${expression}`, () => assert.deepStrictEqual(airflowSchedule(expression), expected));
    }
    it("refuses what a five-field cron cannot say, naming the expression and the fix", () => {
        assert.throws(() => airflowSchedule("cron(0 5 ? * 6#3 *)"), /"cron\(0 5 \? \* 6#3 \*\)" uses L, W or #, which a five-field cron cannot express; choose an expression without them/);
        assert.throws(() => airflowSchedule("cron(0 5 * * ? 2027)"), /the year field of "cron\(0 5 \* \* \? 2027\)" must be \*/);
        assert.throws(() => airflowSchedule("every hour"), /expected an EventBridge schedule such as rate\(1 hour\) or cron\(15 \* \* \* \? \*\); found "every hour"/);
    });
    it("gives a task the most attempts and the longest interval of the state's retriers", () => {
        assert.deepStrictEqual(airflowRetry(sparkRetry), { attempts: 2, delaySeconds: 120, exponentialBackoff: true });
        assert.deepStrictEqual(airflowRetry(lambdaRetry), { attempts: 4, delaySeconds: 5, exponentialBackoff: true });
        assert.deepStrictEqual(airflowRetry(loadRetry), { attempts: 4, delaySeconds: 60, exponentialBackoff: true });
    });
});

describe("mwaaExecutionPolicy", () => {
    const doc = mwaaExecutionPolicy({
        partition: "aws",
        region: "us-east-1",
        accountId: "111122223333",
        environmentName: "platform-dev-airflow",
        artifactsBucketArn: "arn:aws:s3:::artifacts",
        artifactsKeyArn: "arn:aws:kms:us-east-1:111122223333:key/lake",
        environmentKeyArn: "arn:aws:kms:us-east-1:111122223333:key/obs",
        spark: { mode: "serverless", applicationId: "app-1", executionRoleArn: "arn:aws:iam::111122223333:role/job", resourceArn: "arn:aws:emr-serverless:us-east-1:111122223333:/applications/app-1", jobRoleArn: "arn:aws:iam::111122223333:role/job" },
        functionArns: ["arn:aws:lambda:us-east-1:111122223333:function:quality", "arn:aws:lambda:us-east-1:111122223333:function:load"],
        alarmTopicArn: "arn:aws:sns:us-east-1:111122223333:alarms",
        observabilityKeyArn: "arn:aws:kms:us-east-1:111122223333:key/obs",
    });

    it("grants '*' only to actions that have no resource type", () => {
        const wildcard = doc.Statement.filter((s) => s.Resource === "*").map((s) => s.Action);
        assert.deepStrictEqual(wildcard, ["s3:GetAccountPublicAccessBlock", "logs:DescribeLogGroups", "cloudwatch:PutMetricData"]);
    });

    it("reads only the airflow/ prefix of the artifacts bucket and runs only the pipeline's Spark application, functions and topic", () => {
        const byId = new Map(doc.Statement.map((s) => [s.Sid, s]));
        assert.deepStrictEqual(byId.get("ReadDagsAndRequirements")?.Resource, "arn:aws:s3:::artifacts/airflow/*");
        assert.deepStrictEqual(byId.get("InvokePipelineFunctions")?.Resource, ["arn:aws:lambda:us-east-1:111122223333:function:quality", "arn:aws:lambda:us-east-1:111122223333:function:load"]);
        assert.deepStrictEqual(byId.get("PassJobRoleToEmrServerlessOnly")?.Condition, { StringEquals: { "iam:PassedToService": "emr-serverless.amazonaws.com" } });
        assert.deepStrictEqual(byId.get("UseCeleryQueue")?.Resource, "arn:aws:sqs:us-east-1:*:airflow-celery-*");
    });
});

describe("orchestrator airflow (test-only stack config on dev)", function () {
    this.timeout(300_000);

    it("declares a private MWAA environment with the CMK, every log type, two private subnets and the pinned Airflow version", async () => {
        const run = await variantRun(airflowVariant);
        const environment = one(run, T.environment);
        const lake = one(run, "aws:s3/bucket:Bucket", "lake-artifacts");
        const observabilityKey = one(run, "aws:kms/key:Key", "keys-observability");
        assert.strictEqual(input(environment, "webserverAccessMode"), "PRIVATE_ONLY");
        assert.strictEqual(input(environment, "kmsKey"), observabilityKey.state.arn);
        assert.strictEqual(input(environment, "airflowVersion"), "2.10.3");
        assert.strictEqual(input(environment, "environmentClass"), "mw1.micro");
        assert.deepStrictEqual([input(environment, "minWorkers"), input(environment, "maxWorkers"), input(environment, "schedulers"), input(environment, "maxWebservers")], [1, 1, 1, 1]);
        assert.strictEqual((input(environment, "networkConfiguration.subnetIds") as string[]).length, 2);
        assert.strictEqual(input(environment, "sourceBucketArn"), lake.state.arn);
        assert.strictEqual(input(environment, "dagS3Path"), "airflow/dags");
        assert.strictEqual(input(environment, "requirementsS3Path"), "airflow/requirements.txt");
        const logging = input(environment, "loggingConfiguration") as Record<string, { enabled: boolean; logLevel: string }>;
        assert.deepStrictEqual(Object.keys(logging).sort(), ["dagProcessingLogs", "schedulerLogs", "taskLogs", "webserverLogs", "workerLogs"]);
        assert.ok(Object.values(logging).every((l) => l.enabled && ["INFO", "WARNING"].includes(l.logLevel)));
    });

    it("declares no state machine and no pipeline schedules: the DAGs carry them", async () => {
        const run = await variantRun(airflowVariant);
        assert.deepStrictEqual(ofType(run, T.machine), []);
        assert.deepStrictEqual(ofType(run, T.schedule).filter((s) => s.name.startsWith("orchestration-")), []);
        assert.strictEqual(run.outputs.pipelineStateMachine, undefined);
        assert.strictEqual(run.outputs.airflowEnvironment, "platform-dev-airflow");
    });

    it("uploads the spec of the same pipeline the dev state machine runs, step for step", async () => {
        const [airflowRun, stepFunctionsRun] = [await variantRun(airflowVariant), await stackRun("dev")];
        const spec = JSON.parse(ofType(airflowRun, T.object).find((o) => input(o, "key") === airflowSpecKey)?.inputs.content as string) as AirflowPipelineSpec;
        const machine = json(one(stepFunctionsRun, T.machine), "definition");
        for (const stage of ["ApplyChanges", "PerDataset"] as const) {
            const datasets = machine.States[stage].Items.map((i: { dataset: string }) => i.dataset);
            assert.deepStrictEqual(spec.groups.filter((g) => g.stage === stage).map((g) => g.dataset), datasets, stage);
            for (const group of spec.groups.filter((g) => g.stage === stage)) {
                assert.deepStrictEqual(group.steps.map((s) => s.id), aslChain(machine.States[stage].ItemProcessor), `${stage}.${group.dataset}`);
            }
        }
    });

    it("gives the environment its own least-privilege role trusted by MWAA only, and a security group open only to itself", async () => {
        const run = await variantRun(airflowVariant);
        const role = one(run, T.role, "orchestration-airflow");
        const trust = json(role, "assumeRolePolicy");
        assert.deepStrictEqual(trust.Statement.map((s: { Principal: { Service: unknown } }) => s.Principal.Service), [["airflow.amazonaws.com", "airflow-env.amazonaws.com"]]);
        assert.strictEqual(input(one(run, T.environment), "executionRoleArn"), role.state.arn);
        const sg = one(run, T.sg, "orchestration-airflow-sg");
        assert.deepStrictEqual((input(sg, "ingress") as { self?: boolean; cidrBlocks?: unknown }[]).map((r) => [r.self, r.cidrBlocks]), [[true, undefined]]);
    });

    it("alarms on the scheduler heartbeat, failed tasks and each dataset's quality, instead of the state machine's alarms", async () => {
        const run = await variantRun(airflowVariant);
        const names = ofType(run, T.alarm).map((a) => a.name).filter((n) => n.startsWith("orchestration-"));
        assert.ok(names.includes("orchestration-scheduler-heartbeat") && names.includes("orchestration-task-failures"), names.join(", "));
        assert.ok(!names.includes("orchestration-failed") && !names.includes("orchestration-schedule-failed"), names.join(", "));
        const heartbeat = one(run, T.alarm, "orchestration-scheduler-heartbeat");
        assert.deepStrictEqual([input(heartbeat, "namespace"), input(heartbeat, "treatMissingData")], ["AmazonMWAA", "breaching"]);
    });

    it("passes the pack: 0 mandatory violations under dev's config, and no violation on the Airflow resources under prod's", async () => {
        const run = await variantRun(airflowVariant);
        const dev = await checkOfflineRun(run);
        assert.deepStrictEqual(dev.violations.filter((v) => v.level === "mandatory"), []);
        const strict = await checkOfflineRun(run, { config: loadPackConfig("prod") });
        const airflowUrns = new Set(run.resources.filter((r) => r.name.startsWith("orchestration-airflow")).map((r) => r.urn));
        assert.ok(airflowUrns.size >= 6);
        assert.deepStrictEqual(strict.violations.filter((v) => v.urn !== undefined && airflowUrns.has(v.urn)).map((v) => `${v.policy}: ${v.message}`), []);
    });

    it("prices the environment by class, hour by hour, with the meta database", async () => {
        const run = await variantRun(airflowVariant);
        assert.deepStrictEqual([...new Set(run.resources.map((r) => r.type))].filter((t) => coverage(t).kind === "none"), []);
        const report = estimateRun(run);
        const line = report.resources.find((r) => r.type === T.environment);
        assert.ok(line, "the MWAA environment is in the cost report");
        assert.deepStrictEqual(
            line.components.map((c) => [c.name, c.quantity, c.unitPrice]),
            [
                ["Environment (mw1.micro)", 730, 0.24],
                ["Meta database storage", 2, 0.1],
            ],
        );
    });
});

describe("the DAG's AWS requests against the MWAA execution role (IAM simulation)", function () {
    this.timeout(300_000);

    /** The recorded requests of the local DAG runs (tests/airflow), with logical names. */
    const recorded = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "fixtures", "iam", "airflow-requests.json"), "utf8")) as { service: string; operation: string; input: Record<string, string> }[];

    it("allows every request the DAG's tasks make (0 denied), and refuses passing any role but the Spark job's", async () => {
        const run = await variantRun(airflowVariant);
        const role = one(run, T.role, "orchestration-airflow");
        const policy: NamedPolicy = { name: "orchestration-airflow role policy", document: json(one(run, T.rolePolicy, "orchestration-airflow"), "policy") };
        const spec = JSON.parse(ofType(run, T.object).find((o) => input(o, "key") === airflowSpecKey)?.inputs.content as string) as AirflowPipelineSpec;
        const application = one(run, "aws:emrserverless/application:Application");
        const firstSpark = spec.groups.flatMap((g) => g.steps).find((s) => s.kind === "spark");
        assert.ok(firstSpark?.kind === "spark" && firstSpark.spark.mode === "serverless");
        const lambdaSteps = spec.groups.flatMap((g) => g.steps).filter((s) => s.kind === "lambda");
        const names: Record<string, string> = {
            "{application}": String(application.state.arn),
            "{jobRole}": firstSpark.spark.executionRoleArn,
            "{alarmTopic}": spec.notify.topicArn,
            "{qualityFunction}": String(lambdaSteps.find((s) => s.id.startsWith("Check"))?.functionArn),
            "{loadFunction}": String(lambdaSteps.find((s) => s.id === "LoadWarehouse")?.functionArn),
        };
        const observabilityKey = String(one(run, "aws:kms/key:Key", "keys-observability").state.arn);
        const arn = (logical: string) => {
            const value = names[logical];
            assert.ok(value, `no plan resource for ${logical}`);
            return value;
        };
        const checks = recorded.flatMap((call): { action: string; resource: string; context?: Record<string, string> }[] => {
            const op = `${call.service} ${call.operation}`;
            switch (op) {
                case "lambda Invoke":
                    return [{ action: "lambda:InvokeFunction", resource: arn(call.input.FunctionName) }];
                case "sns Publish":
                    // The topic is encrypted with the observability key: the publisher's credentials generate its data key.
                    return [{ action: "sns:Publish", resource: arn(call.input.TargetArn) }, { action: "kms:GenerateDataKey", resource: observabilityKey }, { action: "kms:Decrypt", resource: observabilityKey }];
                case "emr-serverless GetApplication":
                    return [{ action: "emr-serverless:GetApplication", resource: arn(call.input.applicationId) }];
                case "emr-serverless StartJobRun":
                    return [
                        { action: "emr-serverless:StartJobRun", resource: arn(call.input.applicationId) },
                        { action: "iam:PassRole", resource: arn(call.input.executionRoleArn), context: { "iam:PassedToService": "emr-serverless.amazonaws.com" } },
                    ];
                case "emr-serverless GetJobRun":
                    return [{ action: "emr-serverless:GetJobRun", resource: `${arn(call.input.applicationId)}/jobruns/00000000000000001` }];
                default:
                    throw new Error(`${op} has no IAM mapping in this test; add one`);
            }
        });
        assert.ok(checks.length >= 8);
        const caller = { roleArn: String(role.state.arn), account: String(role.state.arn).split(":")[4], userId: "AROAAIRFLOW:airflow" };
        const denied = checks.map((c) => ({ ...c, decision: evaluate({ action: c.action, resource: c.resource, context: c.context ?? {} }, caller, { identity: [policy] }) })).filter((c) => c.decision.decision !== "allowed");
        assert.deepStrictEqual(denied.map((d) => `${d.action} on ${d.resource}: ${d.decision.reason}`), []);
        // The same requests with a passed role other than the Spark job's are refused.
        const elsewhere = evaluate({ action: "iam:PassRole", resource: caller.roleArn, context: { "iam:PassedToService": "emr-serverless.amazonaws.com" } }, caller, { identity: [policy] });
        assert.strictEqual(elsewhere.decision, "implicitDeny");
    });
});

/** Actions with a resource type that the role still grants on "*", and why. */
const wildcardReasons: Readonly<Record<string, string>> = {
    "cloudwatch:PutMetricData": "its one resource type (a metric dataset) is optional and MWAA publishes no dataset; the cloudwatch:namespace condition keeps it to AmazonMWAA",
};

describe("the MWAA execution role against the service authorization reference", function () {
    this.timeout(300_000);

    it("names only real actions, grants '*' only where the action has no resource type, and uses condition keys the actions carry", async () => {
        const run = await variantRun(airflowVariant);
        const statements = json(one(run, T.rolePolicy, "orchestration-airflow"), "policy").Statement as { Sid: string; Action: string | string[]; Resource: string | string[]; Condition?: Record<string, Record<string, unknown>> }[];
        const problems: string[] = [];
        for (const s of statements) {
            for (const action of ([] as string[]).concat(s.Action).filter((a) => !a.includes("*"))) {
                const facts = await actionFacts(action);
                if (([] as string[]).concat(s.Resource).includes("*") && !facts.wildcardOnly && !wildcardReasons[action]) problems.push(`${s.Sid}: ${action} takes resource ARNs, granted on "*"`);
                for (const key of Object.values(s.Condition ?? {}).flatMap((block) => Object.keys(block))) {
                    if (!(await actionCarriesKey(action, key))) problems.push(`${s.Sid}: ${action} never carries ${key}`);
                }
            }
        }
        assert.deepStrictEqual(problems, []);
    });
});
