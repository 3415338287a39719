import * as assert from "assert";
import { orchestrationKeys, parseOrchestration } from "../../../infra/config/orchestration";
import { parseClean, rejectsEach } from "./helpers";

describe("config area: orchestration", () => {
    it("defaults to an hourly pipeline and a one-day late-data sweep at 02:30 UTC", () => {
        assert.deepStrictEqual(parseClean(orchestrationKeys, parseOrchestration), { schedule: "rate(1 hour)", sweep: { schedule: "cron(30 2 * * ? *)", days: 1 } });
    });

    it("accepts cron and rate schedules and a sweep turned off", () => {
        assert.deepStrictEqual(parseClean(orchestrationKeys, parseOrchestration, { pipelineSchedule: "cron(15 * * * ? *)", pipelineSweepSchedule: "rate(12 hours)", pipelineSweepDays: "0" }), {
            schedule: "cron(15 * * * ? *)",
            sweep: { schedule: "rate(12 hours)", days: 0 },
        });
    });

    rejectsEach(orchestrationKeys, parseOrchestration, [
        { title: "a malformed pipeline schedule", values: { pipelineSchedule: "every hour" }, problem: { key: "platform:pipelineSchedule", expected: "an EventBridge schedule such as rate(1 hour) or cron(15 * * * ? *)", found: '"every hour"', fix: "pulumi config set platform:pipelineSchedule 'cron(15 * * * ? *)'" } },
        { title: "a sweep schedule in seconds", values: { pipelineSweepSchedule: "rate(30 seconds)" }, problem: { key: "platform:pipelineSweepSchedule", expected: "an EventBridge schedule such as rate(1 hour) or cron(30 2 * * ? *)", found: '"rate(30 seconds)"', fix: "pulumi config set platform:pipelineSweepSchedule 'cron(30 2 * * ? *)'" } },
        { title: "a late-data sweep over more than a week", values: { pipelineSweepDays: "8" }, problem: { key: "platform:pipelineSweepDays", expected: "an integer from 0 to 7", found: "8", fix: "pulumi config set platform:pipelineSweepDays 2" } },
    ]);
});
