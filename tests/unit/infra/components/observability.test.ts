import * as assert from "assert";
import { PlatformContext } from "../../../../infra/shared/context";
import { Observability } from "../../../../infra/observability";
import { construct, named, namesOf, testBase, types } from "./harness";

const spec = (name: string, stage: "ingest" | "warehouse") =>
    ({ name, stage, description: "d", namespace: "N", metricName: "M", dimensions: {}, statistic: "Sum", comparisonOperator: "GreaterThanThreshold", threshold: 0 }) as const;

describe("Observability, constructed alone", () => {
    it("subscribes no one by default", async () => {
        const { resources } = await construct(() => new Observability("alone", { context: testBase, kmsKeyArn: "k", budgetMonthlyUsd: 50 }));
        assert.deepStrictEqual(namesOf(resources, "aws:sns/topicSubscription:TopicSubscription"), []);
        assert.deepStrictEqual(named(resources, "aws:budgets/budget:Budget", "alone-monthly").inputs.limitAmount, "50.00");
    });

    it("builds the dashboard from the alarms it is given, whatever order they were declared in", async () => {
        const build = (order: "forward" | "reverse") => (context: PlatformContext) => {
            const observability = context.alarms as Observability;
            const parent = observability;
            const first = observability.registerAlarms(parent, [spec(`${order}-a`, "warehouse")]);
            const second = observability.registerAlarms(parent, [spec(`${order}-b`, "ingest")]);
            return observability.createDashboard(order === "forward" ? [...first, ...second] : [...second, ...first]);
        };
        const bodies = [];
        for (const order of ["forward", "reverse"] as const) {
            const { resources } = await construct(build(order));
            const body = JSON.parse(named(resources, "aws:cloudwatch/dashboard:Dashboard", "observability-dashboard").inputs.dashboardBody);
            bodies.push(body.widgets.slice(1).map((w: any) => [w.properties.title, w.properties.alarms.map((arn: string) => arn.replace(order, "x"))]));
            assert.deepStrictEqual(namesOf(resources, types.alarm), [`${order}-a`, `${order}-b`]);
        }
        assert.deepStrictEqual(bodies[0], [
            ["ingest alarms", ["arn:aws:cloudwatch:us-east-1:123456789012:metricAlarm/platform-test-x-b"]],
            ["warehouse alarms", ["arn:aws:cloudwatch:us-east-1:123456789012:metricAlarm/platform-test-x-a"]],
        ]);
        assert.deepStrictEqual(bodies[1], bodies[0]);
    });

    it("refuses a second dashboard", async () => {
        await assert.rejects(
            construct((context) => {
                const observability = context.alarms as Observability;
                observability.createDashboard([]);
                return observability.createDashboard([]);
            }),
            new Error("Observability.createDashboard: the stack already has its dashboard; expected one call with every component's alarms, found a second call. Fix: concatenate the alarms into one call"),
        );
    });
});
