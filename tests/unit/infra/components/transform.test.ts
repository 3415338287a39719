import * as assert from "assert";
import { SparkConfig } from "../../../../infra/config";
import { PlatformContext } from "../../../../infra/shared/context";
import { Transform } from "../../../../infra/transform";
import { datasets } from "../../../../runtime/datasets";
import { bucket, construct, named, namesOf, ofType, promiseOf, types } from "./harness";

const network = { vpcId: "vpc-1", privateSubnetIds: ["subnet-a", "subnet-b"] };
const serverless: SparkConfig = { mode: "serverless", releaseLabel: "emr-7.5.0", maxVcpu: 16, maxMemoryGb: 64, idleTimeoutMinutes: 15 };
const cluster: SparkConfig = { mode: "cluster", releaseLabel: "emr-7.5.0", instanceType: "m7g.xlarge", coreNodes: 2, maxTaskNodes: 4, idleTimeoutMinutes: 30 };
const glue: SparkConfig = { mode: "glue", glueVersion: "5.0", workerType: "G.2X", workers: 6, timeoutMinutes: 90 };

function transform(spark: SparkConfig, cdcApply?: { scriptKey: string }) {
    return (context: PlatformContext) => new Transform("transform", { context, spark, network, rawBucket: bucket("raw"), curatedBucket: bucket("curated"), artifactsBucket: bucket("artifacts"), cdcApply });
}

describe("Transform, constructed alone", () => {
    it("defaults to a spec per platform dataset next to the job script", async () => {
        const { component, resources } = await construct(transform(serverless));
        assert.deepStrictEqual(namesOf(resources, types.bucketObject), ["transform-script", ...datasets.map((d) => `transform-spec-${d.name}`)].sort());
        assert.deepStrictEqual(Object.keys(component.specUris), datasets.map((d) => d.name));
        assert.match(await promiseOf(component.scriptUri), /^s3:\/\/artifacts-.*\/spark\/transform_job\.py$/);
    });

    it("serverless: an ARM64 application in the private subnets, exposed as one compute object, with a failed-run alarm on it", async () => {
        const { component, resources } = await construct(transform(serverless));
        const app = named(resources, types.emrApplication, "transform-app");
        assert.deepStrictEqual([app.inputs.architecture, app.inputs.networkConfiguration.subnetIds], ["ARM64", network.privateSubnetIds]);
        assert.strictEqual(component.compute.mode, "serverless");
        assert.ok(component.compute.mode === "serverless" && (await promiseOf(component.compute.applicationId)));
        assert.deepStrictEqual(ofType(resources, types.emrCluster), []);
        const alarm = named(resources, types.alarm, "transform-failed-runs");
        assert.deepStrictEqual([alarm.inputs.namespace, alarm.inputs.dimensions], ["AWS/EMRServerless", { ApplicationId: await promiseOf(component.compute.applicationId) }]);
    });

    it("cluster: an EMR cluster with Spot task capacity, exposed as one compute object, with a failed-step alarm on it", async () => {
        const { component, resources } = await construct(transform(cluster));
        const emr = named(resources, types.emrCluster, "transform-cluster");
        assert.deepStrictEqual([emr.inputs.coreInstanceFleet.targetOnDemandCapacity, emr.inputs.logEncryptionKmsKeyId], [2, "arn:aws:kms:us-east-1:123456789012:key/lake"]);
        assert.strictEqual(named(resources, "aws:emr/instanceFleet:InstanceFleet", "transform-task").inputs.name, "task-spot");
        assert.deepStrictEqual(ofType(resources, types.emrApplication), []);
        assert.ok(component.compute.mode === "cluster");
        const alarm = named(resources, types.alarm, "transform-failed-runs");
        assert.deepStrictEqual([alarm.inputs.namespace, alarm.inputs.dimensions], ["AWS/ElasticMapReduce", { JobFlowId: await promiseOf(component.compute.clusterId) }]);
    });

    it("cluster without task nodes: no Spot fleet", async () => {
        const { resources } = await construct(transform({ ...cluster, maxTaskNodes: 0 }));
        assert.deepStrictEqual(ofType(resources, "aws:emr/instanceFleet:InstanceFleet"), []);
    });

    it("declares the catalog access its job needs: read raw, write curated and its data location", async () => {
        const { component } = await construct(transform(serverless));
        assert.deepStrictEqual(
            component.catalogAccess.map(({ principalArn: _principal, ...grant }) => grant),
            [
                { name: "spark", zone: "raw", tablePermissions: ["SELECT", "DESCRIBE"], databasePermissions: ["DESCRIBE"] },
                { name: "spark", zone: "curated", tablePermissions: ["SELECT", "DESCRIBE", "INSERT", "DELETE", "ALTER"], databasePermissions: ["DESCRIBE"], dataLocation: true },
            ],
        );
    });

    describe("glue", () => {
        it("a Glue 5 job running the uploaded transform script with the configured workers, timeout, queued runs and no Glue retries", async () => {
            const { component, resources } = await construct(transform(glue));
            const job = named(resources, "aws:glue/job:Job", "transform-glue-transform");
            assert.deepStrictEqual(
                [job.inputs.name, job.inputs.glueVersion, job.inputs.workerType, job.inputs.numberOfWorkers, job.inputs.timeout, job.inputs.maxRetries, job.inputs.jobRunQueuingEnabled, job.inputs.executionProperty],
                ["platform-test-transform", "5.0", "G.2X", 6, 90, 0, true, { maxConcurrentRuns: 2 }],
            );
            assert.deepStrictEqual(job.inputs.command, { name: "glueetl", pythonVersion: "3", scriptLocation: await promiseOf(component.scriptUri) });
            assert.strictEqual(job.inputs.roleArn, await promiseOf(component.jobRole.arn));
            assert.ok(component.compute.mode === "glue");
            assert.strictEqual(await promiseOf(component.compute.transformJob.name), "platform-test-transform");
            assert.deepStrictEqual([ofType(resources, types.emrApplication), ofType(resources, types.emrCluster), ofType(resources, types.securityGroup)], [[], [], []]);
        });

        it("default arguments: metrics, continuous logs into its encrypted log group, no bookmarks, Glue's temp dir in the artifacts bucket", async () => {
            const { resources } = await construct(transform(glue));
            const job = named(resources, "aws:glue/job:Job", "transform-glue-transform");
            const logs = named(resources, "aws:cloudwatch/logGroup:LogGroup", "transform-glue-logs");
            assert.deepStrictEqual([logs.inputs.name, logs.inputs.kmsKeyId], ["/aws-glue/jobs/platform-test-spark", "arn:aws:kms:us-east-1:123456789012:key/observability"]);
            assert.deepStrictEqual(job.inputs.defaultArguments, {
                "--job-language": "python",
                "--enable-metrics": "true",
                "--enable-continuous-cloudwatch-log": "true",
                "--continuous-log-logGroup": "/aws-glue/jobs/platform-test-spark",
                "--enable-continuous-log-filter": "true",
                "--job-bookmark-option": "job-bookmark-disable",
                "--TempDir": `s3://${job.inputs.command.scriptLocation.split("/")[2]}/glue-temp/`,
            });
        });

        it("a security configuration with the lake key for S3 and bookmarks and the observability key for logs, attached to the job", async () => {
            const { resources } = await construct(transform(glue));
            const security = named(resources, "aws:glue/securityConfiguration:SecurityConfiguration", "transform-glue-security");
            assert.deepStrictEqual(security.inputs.encryptionConfiguration, {
                s3Encryption: { s3EncryptionMode: "SSE-KMS", kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/lake" },
                cloudwatchEncryption: { cloudwatchEncryptionMode: "SSE-KMS", kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/observability" },
                jobBookmarksEncryption: { jobBookmarksEncryptionMode: "CSE-KMS", kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/lake" },
            });
            assert.strictEqual(named(resources, "aws:glue/job:Job", "transform-glue-transform").inputs.securityConfiguration, security.inputs.name);
        });

        it("a role Glue assumes for this account only", async () => {
            const { resources } = await construct(transform(glue));
            const trust = JSON.parse(named(resources, "aws:iam/role:Role", "transform-job").inputs.assumeRolePolicy);
            assert.deepStrictEqual(trust.Statement[0].Principal, { Service: "glue.amazonaws.com" });
            assert.deepStrictEqual(trust.Statement[0].Condition, { StringEquals: { "aws:SourceAccount": "123456789012" } });
        });

        it("a CDC apply job beside the transform when given the CDC script, both watched by one failed-runs rule sent to the alarm topic", async () => {
            const { component, resources } = await construct(transform(glue, { scriptKey: "spark/cdc_apply.py" }));
            const cdc = named(resources, "aws:glue/job:Job", "transform-glue-cdc-apply");
            assert.match(cdc.inputs.command.scriptLocation, /^s3:\/\/artifacts-.*\/spark\/cdc_apply\.py$/);
            assert.ok(component.compute.mode === "glue" && component.compute.cdcApplyJob);
            const rule = named(resources, "aws:cloudwatch/eventRule:EventRule", "transform-glue-failed-runs");
            assert.deepStrictEqual(JSON.parse(rule.inputs.eventPattern), {
                source: ["aws.glue"],
                "detail-type": ["Glue Job State Change"],
                detail: { jobName: ["platform-test-transform", "platform-test-cdc-apply"], state: ["FAILED", "TIMEOUT", "ERROR"] },
            });
            assert.strictEqual(named(resources, "aws:cloudwatch/eventTarget:EventTarget", "transform-glue-failed-runs").inputs.rule, rule.inputs.name);
            const alarm = named(resources, types.alarm, "transform-failed-runs");
            assert.deepStrictEqual([alarm.inputs.namespace, alarm.inputs.metricName, alarm.inputs.dimensions], ["AWS/Events", "TriggeredRules", { RuleName: rule.inputs.name }]);
        });

        it("no CDC apply job without the CDC script", async () => {
            const { resources } = await construct(transform(glue));
            assert.deepStrictEqual(namesOf(resources, "aws:glue/job:Job"), ["transform-glue-transform"]);
        });
    });
});