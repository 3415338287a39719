import * as assert from "assert";
import { ingestKeys, parseIngest } from "../../../infra/config/ingest";
import { parseClean, rejectsEach } from "./helpers";

describe("config area: ingest", () => {
    it("defaults to 512 MB functions taking batches of 500 records within 5 seconds", () => {
        assert.deepStrictEqual(parseClean(ingestKeys, parseIngest), {
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
        const parsed = parseClean(ingestKeys, parseIngest, { ingestMemoryMb: "10240", ingestTimeoutSeconds: "10", ingestBatchingWindowSeconds: "0", ingestMaxRetries: "0", kinesisParallelization: "10", mskMaxPollers: "2000" });
        assert.deepStrictEqual([parsed.memoryMb, parsed.timeoutSeconds, parsed.batchingWindowSeconds, parsed.maxRetries, parsed.kinesisParallelization, parsed.mskMaxPollers], [10240, 10, 0, 0, 10, 2000]);
    });

    rejectsEach(ingestKeys, parseIngest, [
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
});
