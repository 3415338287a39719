import * as assert from "assert";
import { batchKeys, parseBatch } from "../../../infra/config/batch";
import { ConfigReader } from "../../../infra/config/reader";
import { parseClean, rejectsEach } from "./helpers";

const dev = (reader: ConfigReader) => parseBatch(reader, "dev");

describe("config area: batch", () => {
    it("defaults to Fargate Spot, 1 vCPU and 2 GiB jobs and a nightly compaction at 04:30 UTC", () => {
        assert.deepStrictEqual(parseClean(batchKeys, dev), { compute: "FARGATE_SPOT", maxVcpus: 16, jobVcpus: "1", jobMemoryMb: 2048, jobTimeoutMinutes: 60, compactionSchedule: "cron(30 4 * * ? *)" });
    });

    it("accepts on-demand Fargate with a memory step of the chosen vCPU value", () => {
        const parsed = parseClean(batchKeys, dev, { batchCompute: "FARGATE", batchJobVcpus: "0.25", batchJobMemoryMb: "1536", batchCompactionSchedule: "rate(1 day)" });
        assert.deepStrictEqual([parsed.compute, parsed.jobVcpus, parsed.jobMemoryMb, parsed.compactionSchedule], ["FARGATE", "0.25", 1536, "rate(1 day)"]);
    });

    rejectsEach(batchKeys, dev, [
        { title: "an unknown compute type", values: { batchCompute: "EC2" }, problem: { key: "platform:batchCompute", expected: "one of FARGATE_SPOT, FARGATE", found: '"EC2"', fix: "pulumi config set platform:batchCompute FARGATE_SPOT" } },
        { title: "a vCPU value Fargate does not offer", values: { batchJobVcpus: "3" }, problem: { key: "platform:batchJobVcpus", expected: "a Fargate vCPU value: 1, 2, 4, 8, 16, 0.25, 0.5", found: '"3"', fix: "pulumi config set platform:batchJobVcpus 2" } },
        { title: "Fargate memory invalid for the vCPUs", values: { batchJobMemoryMb: "1024" }, problem: { key: "platform:batchJobMemoryMb", expected: "2048 to 8192 MiB in steps of 1024 for 1 vCPU on Fargate", found: "1024", fix: "pulumi config set platform:batchJobMemoryMb 2048" } },
        { title: "Fargate memory off the step", values: { batchJobMemoryMb: "2500" }, problem: { key: "platform:batchJobMemoryMb", expected: "2048 to 8192 MiB in steps of 1024 for 1 vCPU on Fargate", found: "2500", fix: "pulumi config set platform:batchJobMemoryMb 2048" } },
        { title: "compute vCPUs above the dev cap", values: { batchMaxVcpus: "64" }, problem: { key: "platform:batchMaxVcpus", expected: "at most 32 in dev", found: "64", fix: "pulumi config set platform:batchMaxVcpus 32" } },
        { title: "a job timeout above a day", values: { batchJobTimeoutMinutes: "1441" }, problem: { key: "platform:batchJobTimeoutMinutes", expected: "an integer from 1 to 1440", found: "1441", fix: "pulumi config set platform:batchJobTimeoutMinutes 120" } },
        { title: "a compaction schedule with five cron fields", values: { batchCompactionSchedule: "cron(30 4 * * *)" }, problem: { key: "platform:batchCompactionSchedule", expected: "an EventBridge schedule such as rate(1 hour) or cron(30 4 * * ? *)", found: '"cron(30 4 * * *)"', fix: "pulumi config set platform:batchCompactionSchedule 'cron(30 4 * * ? *)'" } },
    ]);
});
