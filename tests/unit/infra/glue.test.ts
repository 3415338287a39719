import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { estimateRun } from "../../../cost";
import { glueWorkerDpus } from "../../../infra/config/spark";
import { checkOfflineRun } from "../../../policies/runner/offline";
import { OfflineRun } from "../../../tools/offline/program";
import { json, ofType, one, variantRun } from "../../helpers/stacks";

/**
 * The `sparkMode: glue` alternative as whole stacks under mocks: dev and prod with the mode
 * switched (test-only overrides of the committed stack files), their resources, the wiring between
 * the Glue jobs, the state machine and the alarms, the policy pack, and the cost model.
 */
export const glueVariants = {
    dev: { stack: "dev", overrides: { "platform:sparkMode": "glue" } },
    prod: { stack: "prod", overrides: { "platform:sparkMode": "glue", "platform:glueWorkers": "4" } },
} as const;

const root = path.resolve(__dirname, "..", "..", "..");

for (const stack of ["dev", "prod"] as const) {
    describe(`${stack} with Spark on Glue (sparkMode glue), under mocks`, function () {
        this.timeout(240_000);
        let run: OfflineRun;
        before(async () => {
            run = await variantRun(glueVariants[stack]);
        });

        const job = (kind: "transform" | "cdc-apply") => one(run, "aws:glue/job:Job", `transform-glue-${kind}`);

        it("declares a Glue 5.0 job per script (the transform and the CDC apply of the captured database) and no EMR compute", () => {
            assert.deepStrictEqual(
                ofType(run, "aws:glue/job:Job").map((j) => [j.name, j.inputs.glueVersion, (j.inputs.command as { scriptLocation: string }).scriptLocation.replace(/^s3:\/\/[^/]+\//, "")]).sort(),
                [
                    ["transform-glue-cdc-apply", "5.0", "spark/cdc_apply.py"],
                    ["transform-glue-transform", "5.0", "spark/transform_job.py"],
                ],
            );
            const expectedWorkers = stack === "dev" ? ["G.1X", 2] : ["G.1X", 4];
            assert.deepStrictEqual([job("transform").inputs.workerType, job("transform").inputs.numberOfWorkers], expectedWorkers);
            assert.deepStrictEqual(
                ["aws:emrserverless/application:Application", "aws:emr/cluster:Cluster"].flatMap((t) => ofType(run, t)),
                [],
            );
        });

        it("uploads both scripts where the jobs read them", () => {
            const keys = ofType(run, "aws:s3/bucketObjectv2:BucketObjectv2").map((o) => o.inputs.key);
            for (const kind of ["transform", "cdc-apply"] as const) {
                const location = (job(kind).inputs.command as { scriptLocation: string }).scriptLocation;
                assert.ok(keys.includes(location.replace(/^s3:\/\/[^/]+\//, "")), `${location} is not uploaded`);
            }
        });

        it("starts each job from the state machine by its declared name, and lets the state machine do only that with Glue", () => {
            const definition = json(one(run, "aws:sfn/stateMachine:StateMachine"), "definition");
            const transform = definition.States.PerDataset.ItemProcessor.States.Transform;
            const apply = definition.States.ApplyChanges.ItemProcessor.States.ApplyCdc;
            assert.deepStrictEqual([transform.Resource, transform.Arguments.JobName], ["arn:aws:states:::glue:startJobRun.sync", job("transform").inputs.name]);
            assert.deepStrictEqual([apply.Resource, apply.Arguments.JobName], ["arn:aws:states:::glue:startJobRun.sync", job("cdc-apply").inputs.name]);
            const policy = json(one(run, "aws:iam/rolePolicy:RolePolicy", "orchestration-state-machine"), "policy");
            const glue = policy.Statement.filter((s: { Action: string | string[] }) => [s.Action].flat().some((a) => a.startsWith("glue:")));
            assert.deepStrictEqual(glue, [
                { Sid: "RunSparkJobs", Effect: "Allow", Action: ["glue:StartJobRun", "glue:GetJobRun", "glue:GetJobRuns", "glue:BatchStopJobRun"], Resource: [job("transform").state.arn, job("cdc-apply").state.arn] },
            ]);
            const actions = policy.Statement.flatMap((s: { Action: string | string[] }) => [s.Action].flat());
            assert.deepStrictEqual(actions.filter((a: string) => a.startsWith("emr") || a.startsWith("elasticmapreduce") || a === "iam:PassRole"), []);
        });

        it("gives the CDC apply's grants to the Glue job role", () => {
            const role = one(run, "aws:iam/role:Role", "transform-job");
            assert.strictEqual(JSON.parse(role.inputs.assumeRolePolicy as string).Statement[0].Principal.Service, "glue.amazonaws.com");
            assert.strictEqual(one(run, "aws:iam/rolePolicy:RolePolicy", "orchestration-cdc-apply").inputs.role, role.state.name);
            for (const kind of ["transform", "cdc-apply"] as const) {
                assert.strictEqual(job(kind).inputs.roleArn, role.state.arn);
            }
        });

        it("alarms on failed, timed-out and errored runs of both jobs through the alarm topic", () => {
            const rule = one(run, "aws:cloudwatch/eventRule:EventRule", "transform-glue-failed-runs");
            assert.deepStrictEqual(json(rule, "eventPattern").detail.jobName, [job("transform").inputs.name, job("cdc-apply").inputs.name]);
            const topic = one(run, "aws:sns/topic:Topic", "observability-alarms").state.arn;
            assert.strictEqual(one(run, "aws:cloudwatch/eventTarget:EventTarget", "transform-glue-failed-runs").inputs.arn, topic);
            const alarm = one(run, "aws:cloudwatch/metricAlarm:MetricAlarm", "transform-failed-runs");
            assert.deepStrictEqual([alarm.inputs.metricName, alarm.inputs.dimensions, alarm.inputs.alarmActions], ["TriggeredRules", { RuleName: rule.inputs.name }, [topic]]);
        });

        it("has no mandatory policy violation", async () => {
            const result = await checkOfflineRun(run);
            assert.deepStrictEqual(result.violations.filter((v) => v.level === "mandatory"), []);
        });

        it("prices each Glue job's DPU-hours from its workers and the usage file, leaving no Glue resource unpriced", () => {
            const report = estimateRun(run);
            assert.deepStrictEqual(report.warnings, []);
            assert.deepStrictEqual(report.notPriced.filter((r) => r.type.startsWith("aws:glue/")), []);
            const usage = (yaml.load(fs.readFileSync(path.join(root, "cost", `usage.${stack}.yaml`), "utf8")) as any).resourceTypeDefaults["aws:glue/job:Job"];
            for (const kind of ["transform", "cdc-apply"] as const) {
                const j = job(kind);
                const dpus = (j.inputs.numberOfWorkers as number) * (glueWorkerDpus[j.inputs.workerType as string] as number);
                const priced = report.resources.find((r) => r.name === j.name);
                assert.ok(priced, `${j.name} is not priced`);
                // The report keeps four decimals.
                assert.ok(Math.abs(priced.monthly - (usage.monthlyRuns * Math.max(1, usage.averageRunMinutes) * dpus * 0.44) / 60) < 0.005, `${j.name}: $${priced.monthly}`);
            }
            assert.ok(report.free.some((r) => r.type === "aws:glue/securityConfiguration:SecurityConfiguration"));
        });
    });
}
