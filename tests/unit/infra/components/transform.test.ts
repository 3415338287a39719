import * as assert from "assert";
import { SparkConfig } from "../../../../infra/config";
import { PlatformContext } from "../../../../infra/shared/context";
import { Transform } from "../../../../infra/transform";
import { datasets } from "../../../../runtime/datasets";
import { bucket, construct, named, namesOf, ofType, promiseOf, types } from "./harness";

const network = { vpcId: "vpc-1", privateSubnetIds: ["subnet-a", "subnet-b"] };
const serverless: SparkConfig = { mode: "serverless", releaseLabel: "emr-7.5.0", maxVcpu: 16, maxMemoryGb: 64, idleTimeoutMinutes: 15 };
const cluster: SparkConfig = { mode: "cluster", releaseLabel: "emr-7.5.0", instanceType: "m7g.xlarge", coreNodes: 2, maxTaskNodes: 4, idleTimeoutMinutes: 30 };

function transform(spark: SparkConfig) {
    return (context: PlatformContext) => new Transform("transform", { context, spark, network, rawBucket: bucket("raw"), curatedBucket: bucket("curated"), artifactsBucket: bucket("artifacts") });
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
});
