import * as assert from "assert";
import { perMillionRecords, stageOf } from "../../../cost/stages";
import { CostReport } from "../../../cost/model";
import { estimateRun } from "../../../cost";
import { stackRun } from "../../helpers/stacks";

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
        assert.strictEqual(stageOf("urn:pulumi:dev::platform::platform:firehose:FirehoseDelivery$aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream::firehose-orders"), "ingest");
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

    it("compares prod's ingest-function delivery with Firehose delivering the same records, priced by the Firehose rule", async function () {
        this.timeout(120_000);
        const delivery = estimateRun(await stackRun("prod")).perMillion!.delivery!;
        // ingest function 11.62 (2.1M requests, 840,000 arm64 GB-seconds) + event source mapping 135.05 (one EPU,
        // 730 h × 0.185) + logs 1.24 (2.1 GB ingested × 0.50 + 6.3 GB stored × 0.03) + failed-batch queue 0.00
        assert.ok(Math.abs(delivery.ingestFunction.monthly - 147.91) < 0.005, `ingest function ${delivery.ingestFunction.monthly}`);
        assert.strictEqual(delivery.ingestFunction.perMillionRecords, 0.2814);
        // 525.6M records: ingestion 525.6M × 5 KB = 2,506.26 GB × 0.029 = 72.68; dynamic partitioning
        // 501.25 GB × 0.02 = 10.03 and max(1.2 × 2,628,000 s / 60, 501.25 GB / 64 MB) = 52,560 objects × 0.005/1k = 0.26;
        // transformation: 513,280 invocations (one per MiB) × 0.2/M = 0.10 and 51,328 arm64 GB-seconds × 0.0000133334 = 0.68
        assert.ok(Math.abs(delivery.firehose.monthly - 83.75) <= 0.02, `Firehose ${delivery.firehose.monthly}`);
        assert.strictEqual(delivery.firehose.perMillionRecords, Math.round((delivery.firehose.monthly / 525.6) * 10_000) / 10_000);
        assert.match(delivery.firehoseAssumes, /^1 KB records billed in 5 KB increments, 1\.2 active partitions, 100 ms per transformation/);
    });
});
