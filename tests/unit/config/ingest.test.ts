import * as assert from "assert";
import { ingestKeys, parseIngest } from "../../../infra/config/ingest";
import { ConfigReader } from "../../../infra/config/reader";
import { parseClean, readArea, rejectsEach } from "./helpers";

const onKinesis = (reader: ConfigReader) => parseIngest(reader, "kinesis");
const onMsk = (reader: ConfigReader) => parseIngest(reader, "msk");

describe("config area: ingest", () => {
    it("defaults to 512 MB functions taking batches of 500 records within 5 seconds", () => {
        assert.deepStrictEqual(parseClean(ingestKeys, onKinesis), {
            delivery: "lambda",
            memoryMb: 512,
            timeoutSeconds: 120,
            reservedConcurrency: 10,
            batchSize: 500,
            batchingWindowSeconds: 5,
            maxRetries: 5,
            maxRecordAgeSeconds: 86400,
            kinesisParallelization: 2,
            mskMaxPollers: 4,
        });
    });

    it("accepts the bounds of each range", () => {
        const parsed = parseClean(ingestKeys, onKinesis, { ingestMemoryMb: "10240", ingestTimeoutSeconds: "10", ingestBatchingWindowSeconds: "0", ingestMaxRetries: "0", kinesisParallelization: "10", mskMaxPollers: "2000" });
        assert.deepStrictEqual([parsed.memoryMb, parsed.timeoutSeconds, parsed.batchingWindowSeconds, parsed.maxRetries, parsed.kinesisParallelization, parsed.mskMaxPollers], [10240, 10, 0, 0, 10, 2000]);
    });

    rejectsEach(ingestKeys, onKinesis, [
        { title: "memory under 128 MB", values: { ingestMemoryMb: "64" }, problem: { key: "platform:ingestMemoryMb", expected: "an integer from 128 to 10240", found: "64", fix: "pulumi config set platform:ingestMemoryMb 1024" } },
        { title: "a timeout beyond Lambda's 15 minutes", values: { ingestTimeoutSeconds: "901" }, problem: { key: "platform:ingestTimeoutSeconds", expected: "an integer from 10 to 900", found: "901", fix: "pulumi config set platform:ingestTimeoutSeconds 300" } },
        { title: "no reserved concurrency", values: { ingestReservedConcurrency: "0" }, problem: { key: "platform:ingestReservedConcurrency", expected: "an integer from 1 to 1000", found: "0", fix: "pulumi config set platform:ingestReservedConcurrency 50" } },
        { title: "a batch size above 10000", values: { ingestBatchSize: "10001" }, problem: { key: "platform:ingestBatchSize", expected: "an integer from 1 to 10000", found: "10001", fix: "pulumi config set platform:ingestBatchSize 1000" } },
        { title: "a batching window above 300 seconds", values: { ingestBatchingWindowSeconds: "301" }, problem: { key: "platform:ingestBatchingWindowSeconds", expected: "an integer from 0 to 300", found: "301", fix: "pulumi config set platform:ingestBatchingWindowSeconds 10" } },
        { title: "negative retries", values: { ingestMaxRetries: "-1" }, problem: { key: "platform:ingestMaxRetries", expected: "an integer from 0 to 10000", found: "-1", fix: "pulumi config set platform:ingestMaxRetries 10" } },
        { title: "a record age under a minute", values: { ingestMaxRecordAgeSeconds: "59" }, problem: { key: "platform:ingestMaxRecordAgeSeconds", expected: "an integer from 60 to 604800", found: "59", fix: "pulumi config set platform:ingestMaxRecordAgeSeconds 21600" } },
        { title: "a Kinesis parallelization above 10", values: { kinesisParallelization: "11" }, problem: { key: "platform:kinesisParallelization", expected: "an integer from 1 to 10", found: "11", fix: "pulumi config set platform:kinesisParallelization 4" } },
        { title: "no MSK pollers", values: { mskMaxPollers: "0" }, problem: { key: "platform:mskMaxPollers", expected: "an integer from 1 to 2000", found: "0", fix: "pulumi config set platform:mskMaxPollers 10" } },
    ]);

    describe("ingestDelivery", () => {
        it("delivers with Firehose on a Kinesis stack, buffering 64 MiB or 60 seconds by default", () => {
            const parsed = parseClean(ingestKeys, onKinesis, { ingestDelivery: "firehose" });
            assert.strictEqual(parsed.delivery, "firehose");
            assert.deepStrictEqual(parsed.firehose, { bufferSizeMb: 64, bufferIntervalSeconds: 60 });
        });

        it("takes the buffering from config", () => {
            const parsed = parseClean(ingestKeys, onKinesis, { ingestDelivery: "firehose", firehoseBufferSizeMb: "128", firehoseBufferIntervalSeconds: "900" });
            assert.deepStrictEqual(parsed.firehose, { bufferSizeMb: 128, bufferIntervalSeconds: 900 });
        });

        it("has no Firehose settings with the Lambda delivery", () => {
            assert.strictEqual(parseClean(ingestKeys, onMsk).firehose, undefined);
        });

        it("refuses firehose on an MSK stack, naming the key, the value and both fixes", () => {
            // The event source mapping keys an MSK stack sets (prod sets ingestBatchSize) stay valid: one fix, one problem.
            const reader = readArea(ingestKeys, { ingestDelivery: "firehose", ingestBatchSize: "1000", mskMaxPollers: "10" });
            onMsk(reader);
            assert.deepStrictEqual(reader.problems, [
                {
                    key: "platform:ingestDelivery",
                    expected: "lambda on an MSK stack (a Firehose delivery stream reads Kinesis data streams only here; the MSK source would need its own connectivity and is not supported)",
                    found: '"firehose"',
                    fix: "pulumi config set platform:ingestDelivery lambda, or pulumi config set platform:streamingEngine kinesis",
                },
            ]);
        });
    });

    rejectsEach(ingestKeys, onKinesis, [
        { title: "an unknown delivery", values: { ingestDelivery: "kafka-connect" }, problem: { key: "platform:ingestDelivery", expected: "one of lambda, firehose", found: '"kafka-connect"', fix: "pulumi config set platform:ingestDelivery lambda" } },
        { title: "a Firehose buffer under the 64 MiB dynamic partitioning needs", values: { ingestDelivery: "firehose", firehoseBufferSizeMb: "5" }, problem: { key: "platform:firehoseBufferSizeMb", expected: "an integer from 64 to 128", found: "5", fix: "pulumi config set platform:firehoseBufferSizeMb 128" } },
        { title: "a Firehose buffer interval above 900 seconds", values: { ingestDelivery: "firehose", firehoseBufferIntervalSeconds: "1200" }, problem: { key: "platform:firehoseBufferIntervalSeconds", expected: "an integer from 60 to 900", found: "1200", fix: "pulumi config set platform:firehoseBufferIntervalSeconds 300" } },
        {
            title: "an event source mapping key with the Firehose delivery",
            values: { ingestDelivery: "firehose", ingestBatchSize: "100" },
            problem: {
                key: "platform:ingestBatchSize",
                expected: "unset with ingestDelivery firehose (the key configures the Lambda event source mapping, which a Firehose delivery does not have)",
                found: "100",
                fix: "pulumi config rm platform:ingestBatchSize, or pulumi config set platform:ingestDelivery lambda",
            },
        },
        {
            title: "a transformation timeout beyond the 5 minutes Firehose waits",
            values: { ingestDelivery: "firehose", ingestTimeoutSeconds: "600" },
            problem: { key: "platform:ingestTimeoutSeconds", expected: "at most 300 with ingestDelivery firehose (Firehose waits at most 5 minutes for a transformation invocation)", found: "600", fix: "pulumi config set platform:ingestTimeoutSeconds 120" },
        },
        {
            title: "a Firehose key with the Lambda delivery",
            values: { firehoseBufferSizeMb: "128" },
            problem: { key: "platform:firehoseBufferSizeMb", expected: "unset unless ingestDelivery is firehose", found: "128", fix: "pulumi config rm platform:firehoseBufferSizeMb, or pulumi config set platform:ingestDelivery firehose" },
        },
    ]);
});
