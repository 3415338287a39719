import * as assert from "assert";
import { perMillionRecords, stageOf } from "../../../cost/stages";
import { CostReport } from "../../../cost/model";

describe("cost per pipeline stage and per million records", () => {
    it("assigns a resource to the stage of the component that declared it", () => {
        assert.strictEqual(stageOf("urn:pulumi:prod::platform::platform:ingest:Ingest$aws:lambda/function:Function::ingest-orders"), "ingest");
        assert.strictEqual(stageOf("urn:pulumi:prod::platform::platform:streaming:Streaming$aws:msk/cluster:Cluster::streaming-cluster"), "ingest");
        assert.strictEqual(stageOf("urn:pulumi:prod::platform::platform:databases:Databases$aws:dms/replicationConfig:ReplicationConfig::r"), "sources");
        assert.strictEqual(stageOf("urn:pulumi:prod::platform::platform:orchestration:Orchestration$aws:sfn/stateMachine:StateMachine::p"), "transform");
        assert.strictEqual(stageOf("urn:pulumi:prod::platform::platform:warehouse:Warehouse$aws:redshift/cluster:Cluster::w"), "load");
        assert.strictEqual(stageOf("urn:pulumi:prod::platform::platform:lake:Lake$aws:s3/bucket:Bucket::lake-raw"), "storage");
        assert.strictEqual(stageOf("urn:pulumi:prod::platform::platform:network:Network$awsx:ec2:Vpc::network"), "platform");
        assert.strictEqual(stageOf("urn:pulumi:prod::platform::aws:s3/bucket:Bucket::loose"), "platform");
    });

    it("divides each stage's monthly cost by the millions of records a month", () => {
        const resource = (urn: string, monthly: number) => ({ urn, type: "t", name: "n", monthly, components: [] });
        const report = {
            monthly: { fixed: 100, usage: 40, total: 140 },
            resources: [
                resource("urn:pulumi:s::p::platform:ingest:Ingest$aws:lambda/function:Function::a", 52.56),
                resource("urn:pulumi:s::p::platform:warehouse:Warehouse$aws:redshift/cluster:Cluster::b", 70.08),
                resource("urn:pulumi:s::p::platform:keys:Keys$aws:kms/key:Key::c", 17.36),
            ],
        } as unknown as CostReport;
        // 10 records/s × 730 h × 3,600 s = 26.28 million a month
        const pm = perMillionRecords(report, 10);
        assert.strictEqual(pm.recordsPerMonth, 26_280_000);
        const byStage = Object.fromEntries(pm.stages.map((s) => [s.stage, [s.monthly, s.perMillionRecords]]));
        // 52.56 / 26.28 = 2.00; 70.08 / 26.28 = 2.6667; 17.36 / 26.28 = 0.6606
        assert.deepStrictEqual(byStage, { ingest: [52.56, 2], sources: [0, 0], transform: [0, 0], load: [70.08, 2.6667], storage: [0, 0], platform: [17.36, 0.6606] });
        // 140 / 26.28 = 5.3272
        assert.strictEqual(pm.totalPerMillionRecords, 5.3272);
    });
});
