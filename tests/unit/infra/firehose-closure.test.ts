import * as assert from "assert";
import * as fs from "fs";
import { orders } from "../../../runtime/datasets";
import { transformFirehoseEvent } from "../../../runtime/firehose/transform";
import { FirehoseTransformationEvent, FirehoseTransformationResponse } from "../../../runtime/firehose/types";
import { compileValidator } from "../../../runtime/ingest/validate";
import { functionEnvironment, invokeFresh, unpackFunction } from "../../helpers/deployed";
import { firehoseEvent } from "../../helpers/firehose/events";
import { KinesisRecordSpec, sequenceNumber, validOrder } from "../../helpers/ingest/events";
import { firehoseDeliveryVariant, one, variantRun } from "../../helpers/stacks";

/**
 * The Firehose transformation function exactly as the program serialized it (the closure Pulumi
 * wrote for `aws.lambda.CallbackFunction` in the ingestDelivery firehose variant of dev), loaded in
 * a fresh Node process with the environment the program gave it and invoked under the Firehose
 * record-transformation contract with good, bad and mixed batches. It must answer exactly as the
 * runtime code does in-process, and make no AWS call (its AWS endpoint is unreachable).
 */
describe("the deployed Firehose transformation function, serialized as Pulumi does and run in a fresh process", function () {
    this.timeout(300_000);
    const dirs: string[] = [];
    after(() => dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

    async function deployed(): Promise<{ dir: string; env: Record<string, string> }> {
        const fn = one(await variantRun(firehoseDeliveryVariant), "aws:lambda/function:Function", "firehose-orders-transform");
        const dir = unpackFunction(fn);
        dirs.push(dir);
        return { dir, env: { ...functionEnvironment(fn), AWS_ENDPOINT_URL: "http://127.0.0.1:9" } };
    }

    const expected = (event: FirehoseTransformationEvent) => transformFirehoseEvent(event, { validator: compileValidator(orders), maxRecordBytes: 1024 * 1024 }).response;

    const good: KinesisRecordSpec[] = [1, 2, 3].map((n) => ({ sequenceNumber: sequenceNumber(n), partitionKey: `ORD-ABCDEFGHIJ3${n}`, value: validOrder({ order_id: `ORD-ABCDEFGHIJ3${n}` }) }));
    const bad: KinesisRecordSpec[] = [
        { sequenceNumber: sequenceNumber(4), value: validOrder({ status: "lost" }) },
        { sequenceNumber: sequenceNumber(5), value: "{not json" },
        { sequenceNumber: sequenceNumber(6), value: validOrder({ order_id: undefined }) },
    ];
    const mixed: KinesisRecordSpec[] = [good[0]!, bad[0]!, good[1]!, bad[1]!, { ...good[2]!, shardId: "shardId-000000000002" }, bad[2]!];

    for (const [title, specs, results] of [
        ["a good batch: every record Ok with its partition keys", good, ["Ok", "Ok", "Ok"]],
        ["a bad batch: every record ProcessingFailed", bad, ["ProcessingFailed", "ProcessingFailed", "ProcessingFailed"]],
        ["a mixed batch: each record on its own, in input order", mixed, ["Ok", "ProcessingFailed", "Ok", "ProcessingFailed", "Ok", "ProcessingFailed"]],
    ] as const) {
        it(`answers ${title}, exactly as the runtime does in-process`, async () => {
            const { dir, env } = await deployed();
            const event = firehoseEvent(specs, "platform-dev-orders-v1");
            const invocation = await invokeFresh(dir, event, env);
            assert.strictEqual(invocation.error, undefined, invocation.stdout);
            const response = invocation.result as FirehoseTransformationResponse;
            assert.deepStrictEqual(response.records.map((r) => r.result), results);
            assert.deepStrictEqual(response.records.map((r) => r.recordId), event.records.map((r) => r.recordId));
            assert.deepStrictEqual(response, expected(event));
            assert.ok(response.records.filter((r) => r.result === "Ok").every((r) => r.metadata?.partitionKeys.dt === "2024-05-01" && r.metadata.partitionKeys.hour === "10"));
        });
    }

    it("logs each failed record's reason and publishes the record counts as metrics", async () => {
        const { dir, env } = await deployed();
        const invocation = await invokeFresh(dir, firehoseEvent(mixed, "platform-dev-orders-v1"), env);
        const lines = invocation.stdout.split("\n").filter((line) => line.startsWith("{")).map((line) => JSON.parse(line) as Record<string, any>);
        const rejects = lines.filter((l) => Array.isArray(l.rejects)).flatMap((l) => l.rejects as { errorType: string; sequenceNumber: string }[]);
        assert.deepStrictEqual(rejects.map((r) => [r.sequenceNumber, r.errorType]), [
            [sequenceNumber(4), "not_allowed"],
            [sequenceNumber(5), "not_json"],
            [sequenceNumber(6), "missing_required"],
        ]);
        const emf = lines.find((l) => l._aws && l.RecordsIn !== undefined);
        assert.deepStrictEqual([emf?.RecordsIn, emf?.RecordsLanded, emf?.RecordsRejected, emf?.engine, emf?.dataset], [6, 3, 3, "firehose", "orders"]);
    });

    it("throws a clear EventShapeError for an event that is not a Firehose transformation event, so Firehose retries it", async () => {
        const { dir, env } = await deployed();
        const invocation = await invokeFresh(dir, { Records: [] }, env);
        assert.strictEqual(invocation.error?.name, "EventShapeError", invocation.stdout);
        assert.match(invocation.error?.message ?? "", /^event\.records: expected an array of Firehose records/);
    });
});
