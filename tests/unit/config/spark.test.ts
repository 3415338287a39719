import * as assert from "assert";
import { ConfigReader } from "../../../infra/config/reader";
import { parseSpark, sparkKeys } from "../../../infra/config/spark";
import { parseClean, rejectsEach } from "./helpers";

const dev = (reader: ConfigReader) => parseSpark(reader, "dev");
const cluster = { sparkMode: "cluster" };
const glue = { sparkMode: "glue" };

describe("config area: spark", () => {
    it("defaults to EMR Serverless with 16 vCPU and 64 GB", () => {
        assert.deepStrictEqual(parseClean(sparkKeys, dev), { mode: "serverless", releaseLabel: "emr-7.5.0", maxVcpu: 16, maxMemoryGb: 64, idleTimeoutMinutes: 30 });
    });

    it("defaults a cluster to two m6g.xlarge core nodes and up to four task nodes", () => {
        assert.deepStrictEqual(parseClean(sparkKeys, dev, cluster), { mode: "cluster", releaseLabel: "emr-7.5.0", instanceType: "m6g.xlarge", coreNodes: 2, maxTaskNodes: 4, idleTimeoutMinutes: 30 });
    });

    it("defaults Glue to version 5.0 with two G.1X workers (the smallest Spark job) and a two-hour timeout", () => {
        assert.deepStrictEqual(parseClean(sparkKeys, dev, glue), { mode: "glue", glueVersion: "5.0", workerType: "G.1X", workers: 2, timeoutMinutes: 120 });
    });

    it("reads the Glue worker type, count and timeout, allowing prod the large worker types", () => {
        const values = { ...glue, glueWorkerType: "G.8X", glueWorkers: "40", glueTimeoutMinutes: "240" };
        assert.deepStrictEqual(parseClean(sparkKeys, (reader) => parseSpark(reader, "prod"), values), { mode: "glue", glueVersion: "5.0", workerType: "G.8X", workers: 40, timeoutMinutes: 240 });
    });

    it("does not judge the EMR keys in glue mode, nor the Glue keys in the EMR modes", () => {
        parseClean(sparkKeys, dev, { ...glue, emrReleaseLabel: "emr-6.15.0", sparkMaxVcpu: "1", emrInstanceType: "x1.huge" });
        parseClean(sparkKeys, dev, { glueWorkerType: "Standard", glueWorkers: "0", glueVersion: "2.0" });
    });

    it("does not judge the other mode's keys", () => {
        parseClean(sparkKeys, dev, { emrInstanceType: "x1.huge", emrMaxTaskNodes: "500" });
        parseClean(sparkKeys, dev, { ...cluster, sparkMaxVcpu: "1", sparkMaxMemoryGb: "1" });
    });

    it("allows prod more serverless capacity than dev", () => {
        assert.strictEqual(parseClean(sparkKeys, (reader) => parseSpark(reader, "prod"), { sparkMaxVcpu: "400", sparkMaxMemoryGb: "1600" }).mode, "serverless");
    });

    rejectsEach(sparkKeys, dev, [
        { title: "an unknown Spark mode", values: { sparkMode: "kubernetes" }, problem: { key: "platform:sparkMode", expected: "one of serverless, cluster, glue", found: '"kubernetes"', fix: "pulumi config set platform:sparkMode serverless" } },
        { title: "an EMR 6 release label", values: { emrReleaseLabel: "emr-6.15.0" }, problem: { key: "platform:emrReleaseLabel", expected: "an EMR 7.x release label such as emr-7.5.0", found: '"emr-6.15.0"', fix: "pulumi config set platform:emrReleaseLabel emr-7.5.0" } },
        { title: "an idle timeout under 5 minutes", values: { emrIdleTimeoutMinutes: "1" }, problem: { key: "platform:emrIdleTimeoutMinutes", expected: "an integer from 5 to 1440", found: "1", fix: "pulumi config set platform:emrIdleTimeoutMinutes 60" } },
        { title: "serverless vCPU above the dev cap", values: { sparkMaxVcpu: "64", sparkMaxMemoryGb: "256" }, problem: { key: "platform:sparkMaxVcpu", expected: "at most 32 in dev", found: "64", fix: "pulumi config set platform:sparkMaxVcpu 32" } },
        { title: "serverless memory under 2 GB per vCPU", values: { sparkMaxMemoryGb: "16" }, problem: { key: "platform:sparkMaxMemoryGb", expected: "from 2 to 8 GB per vCPU (32 to 128 for sparkMaxVcpu 16)", found: "16", fix: "pulumi config set platform:sparkMaxMemoryGb 64" } },
        { title: "an EMR instance type not allowed in dev", values: { ...cluster, emrInstanceType: "r6g.2xlarge" }, problem: { key: "platform:emrInstanceType", expected: "a type allowed in dev: m5.xlarge, m6g.xlarge, c6g.xlarge", found: '"r6g.2xlarge"', fix: "pulumi config set platform:emrInstanceType m5.xlarge" } },
        { title: "task nodes above the dev cap", values: { ...cluster, emrMaxTaskNodes: "5" }, problem: { key: "platform:emrMaxTaskNodes", expected: "at most 4 in dev", found: "5", fix: "pulumi config set platform:emrMaxTaskNodes 4" } },
        { title: "a cluster without core nodes", values: { ...cluster, emrCoreNodes: "0" }, problem: { key: "platform:emrCoreNodes", expected: "an integer from 1 to 20", found: "0", fix: "pulumi config set platform:emrCoreNodes 3" } },
        { title: "a Glue version before 5", values: { ...glue, glueVersion: "4.0" }, problem: { key: "platform:glueVersion", expected: "a Glue 5.x version such as 5.0 (Spark 3.5, Python 3.11: what the job scripts are tested with)", found: '"4.0"', fix: "pulumi config set platform:glueVersion 5.0" } },
        { title: "a Glue worker type that is not a Spark worker type", values: { ...glue, glueWorkerType: "Standard" }, problem: { key: "platform:glueWorkerType", expected: "a Glue Spark worker type: G.1X, G.2X, G.4X, G.8X", found: '"Standard"', fix: "pulumi config set platform:glueWorkerType G.1X" } },
        { title: "a Glue worker type not allowed in dev", values: { ...glue, glueWorkerType: "G.4X" }, problem: { key: "platform:glueWorkerType", expected: "a worker type allowed in dev: G.1X, G.2X", found: '"G.4X"', fix: "pulumi config set platform:glueWorkerType G.1X" } },
        { title: "a single Glue worker (a driver needs executors)", values: { ...glue, glueWorkers: "1" }, problem: { key: "platform:glueWorkers", expected: "an integer from 2 to 100", found: "1", fix: "pulumi config set platform:glueWorkers 4" } },
        { title: "Glue workers above the dev cap", values: { ...glue, glueWorkers: "11" }, problem: { key: "platform:glueWorkers", expected: "at most 10 in dev", found: "11", fix: "pulumi config set platform:glueWorkers 10" } },
        { title: "a Glue timeout over two days", values: { ...glue, glueTimeoutMinutes: "3000" }, problem: { key: "platform:glueTimeoutMinutes", expected: "an integer from 5 to 2880", found: "3000", fix: "pulumi config set platform:glueTimeoutMinutes 180" } },
    ]);
});
