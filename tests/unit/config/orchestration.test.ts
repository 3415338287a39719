import * as assert from "assert";
import { orchestrationKeys, parseOrchestration } from "../../../infra/config/orchestration";
import { ConfigReader } from "../../../infra/config/reader";
import { parseClean, readArea, rejectsEach } from "./helpers";

const dev = (reader: ConfigReader) => parseOrchestration(reader, "dev");
const prod = (reader: ConfigReader) => parseOrchestration(reader, "prod");

describe("config area: orchestration", () => {
    it("defaults to Step Functions, an hourly pipeline and a one-day late-data sweep at 02:30 UTC", () => {
        assert.deepStrictEqual(parseClean(orchestrationKeys, dev), { orchestrator: "stepfunctions", schedule: "rate(1 hour)", sweep: { schedule: "cron(30 2 * * ? *)", days: 1 } });
    });

    it("accepts cron and rate schedules and a sweep turned off", () => {
        assert.deepStrictEqual(parseClean(orchestrationKeys, dev, { pipelineSchedule: "cron(15 * * * ? *)", pipelineSweepSchedule: "rate(12 hours)", pipelineSweepDays: "0" }), {
            orchestrator: "stepfunctions",
            schedule: "cron(15 * * * ? *)",
            sweep: { schedule: "rate(12 hours)", days: 0 },
        });
    });

    it("gives orchestrator airflow the smallest MWAA class with one worker by default", () => {
        assert.deepStrictEqual(parseClean(orchestrationKeys, dev, { orchestrator: "airflow" }).airflow, { environmentClass: "mw1.micro", minWorkers: 1, maxWorkers: 1 });
    });

    it("accepts a larger class that scales its workers out in prod", () => {
        assert.deepStrictEqual(parseClean(orchestrationKeys, prod, { orchestrator: "airflow", airflowEnvironmentClass: "mw1.small", airflowMinWorkers: "1", airflowMaxWorkers: "4" }).airflow, {
            environmentClass: "mw1.small",
            minWorkers: 1,
            maxWorkers: 4,
        });
    });

    it("leaves the Airflow keys unread with Step Functions, so a bad value there does not block the stack", () => {
        const reader = readArea(orchestrationKeys, { airflowEnvironmentClass: "mw2.huge" });
        assert.strictEqual(dev(reader).airflow, undefined);
        assert.deepStrictEqual(reader.problems, []);
    });

    rejectsEach(orchestrationKeys, dev, [
        { title: "an unknown orchestrator", values: { orchestrator: "dagster" }, problem: { key: "platform:orchestrator", expected: "one of stepfunctions, airflow", found: '"dagster"', fix: "pulumi config set platform:orchestrator stepfunctions" } },
        { title: "a malformed pipeline schedule", values: { pipelineSchedule: "every hour" }, problem: { key: "platform:pipelineSchedule", expected: "an EventBridge schedule such as rate(1 hour) or cron(15 * * * ? *)", found: '"every hour"', fix: "pulumi config set platform:pipelineSchedule 'cron(15 * * * ? *)'" } },
        { title: "a sweep schedule in seconds", values: { pipelineSweepSchedule: "rate(30 seconds)" }, problem: { key: "platform:pipelineSweepSchedule", expected: "an EventBridge schedule such as rate(1 hour) or cron(30 2 * * ? *)", found: '"rate(30 seconds)"', fix: "pulumi config set platform:pipelineSweepSchedule 'cron(30 2 * * ? *)'" } },
        { title: "a late-data sweep over more than a week", values: { pipelineSweepDays: "8" }, problem: { key: "platform:pipelineSweepDays", expected: "an integer from 0 to 7", found: "8", fix: "pulumi config set platform:pipelineSweepDays 2" } },
        {
            title: "an MWAA class that does not exist",
            values: { orchestrator: "airflow", airflowEnvironmentClass: "mw1.tiny" },
            problem: { key: "platform:airflowEnvironmentClass", expected: "one of mw1.micro, mw1.small, mw1.medium, mw1.large, mw1.xlarge, mw1.2xlarge", found: '"mw1.tiny"', fix: "pulumi config set platform:airflowEnvironmentClass mw1.micro" },
        },
        {
            title: "more than one worker on mw1.micro",
            values: { orchestrator: "airflow", airflowMaxWorkers: "3" },
            problem: {
                key: "platform:airflowMaxWorkers",
                expected: "1 with airflowEnvironmentClass mw1.micro (its scheduler and worker share one container)",
                found: "3",
                fix: "pulumi config set platform:airflowMaxWorkers 1, or choose a larger class: pulumi config set platform:airflowEnvironmentClass mw1.small",
            },
        },
        {
            title: "fewer maximum than minimum workers",
            values: { orchestrator: "airflow", airflowEnvironmentClass: "mw1.small", airflowMinWorkers: "3", airflowMaxWorkers: "2" },
            problem: { key: "platform:airflowMaxWorkers", expected: "at least airflowMinWorkers (3)", found: "2", fix: "pulumi config set platform:airflowMaxWorkers 3" },
        },
        {
            title: "an Airflow pipeline on an EventBridge-only schedule (the third Monday)",
            values: { orchestrator: "airflow", pipelineSchedule: "cron(0 5 ? * 2#3 *)" },
            problem: {
                key: "platform:pipelineSchedule",
                expected: "with orchestrator airflow, a schedule Airflow can run: rate(...), or cron(...) with year * and without L, W or #",
                found: '"cron(0 5 ? * 2#3 *)"',
                fix: "pulumi config set platform:pipelineSchedule 'cron(15 * * * ? *)'",
            },
        },
        { title: "more workers than MWAA allows", values: { orchestrator: "airflow", airflowEnvironmentClass: "mw1.small", airflowMaxWorkers: "30" }, problem: { key: "platform:airflowMaxWorkers", expected: "an integer from 1 to 25", found: "30", fix: "pulumi config set platform:airflowMaxWorkers 3" } },
    ]);

    rejectsEach(orchestrationKeys, prod, [
        {
            title: "mw1.micro in prod",
            values: { orchestrator: "airflow" },
            problem: {
                key: "platform:airflowEnvironmentClass",
                expected: "mw1.small or larger in prod (mw1.micro runs one combined scheduler/worker and one web server, with no failover)",
                found: '"mw1.micro"',
                fix: "pulumi config set platform:airflowEnvironmentClass mw1.small",
            },
        },
    ]);
});
