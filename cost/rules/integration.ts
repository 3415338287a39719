import type * as aws from "@pulumi/aws";
import { readString } from "../inputs";
import { AnyRule, costRule, millions, priced, RuleContext, tiered, usage } from "./rule";

/** SQS: requests, each 64 KB chunk of a message billed as one request. */
export const sqsQueue = costRule<aws.sqs.QueueArgs>({
    type: "aws:sqs/queue:Queue",
    usage: {
        monthlyRequests: { unit: "requests", description: "Send, receive and delete requests per month." },
        requestSizeKb: { unit: "KB", description: "Average request payload; every 64 KB chunk is billed as a request. Defaults to 64." },
    },
    price(props, _resource, ctx) {
        const fifo = props.fifoQueue === true;
        const requests = ctx.usage("monthlyRequests");
        const chunks = Math.max(1, Math.ceil((ctx.usage("requestSizeKb") ?? 64) / 64));
        return priced(usage(ctx, `Requests (${fifo ? "FIFO" : "standard"})`, fifo ? "sqs.fifo.requestsMillion" : "sqs.standard.requestsMillion", millions(requests === undefined ? undefined : requests * chunks)));
    },
});

/** Step Functions: state transitions (STANDARD) or requests and GB-hours (EXPRESS). */
export const stateMachine = costRule<aws.sfn.StateMachineArgs>({
    type: "aws:sfn/stateMachine:StateMachine",
    usage: {
        monthlyTransitions: { unit: "transitions", description: "STANDARD: state transitions per month." },
        monthlyRequests: { unit: "requests", description: "EXPRESS: executions per month." },
        workflowDurationMs: { unit: "ms", description: "EXPRESS: average execution duration." },
        memoryMb: { unit: "MB", description: "EXPRESS: memory billed per execution, in 64 MB steps. Defaults to 64." },
    },
    price(props, _resource, ctx) {
        const kind = readString(props.type, "type", "STANDARD");
        if (kind === "EXPRESS") {
            const requests = ctx.usage("monthlyRequests");
            const duration = ctx.usage("workflowDurationMs");
            const memoryGb = (Math.ceil((ctx.usage("memoryMb") ?? 64) / 64) * 64) / 1024;
            const gbHours = requests === undefined || duration === undefined ? undefined : (requests * duration * memoryGb) / 3_600_000;
            return priced(usage(ctx, "Requests (EXPRESS)", "sfn.express.requestsMillion", millions(requests)), tiered(ctx, "Duration (EXPRESS)", "sfn.express.gbHour", gbHours, true));
        }
        const transitions = ctx.usage("monthlyTransitions");
        return priced(usage(ctx, "Transitions (STANDARD)", "sfn.standard.transitions1k", transitions === undefined ? undefined : transitions / 1000));
    },
});

/** Invocations a month of a `rate(...)` expression; undefined for cron and one-off expressions. */
export function invocationsPerMonth(expression: string, ctx: Pick<RuleContext, "hours">): number | undefined {
    const m = /^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$/.exec(expression.trim());
    if (!m) {
        return undefined;
    }
    const n = Number(m[1]);
    const minutes = m[2].startsWith("minute") ? n : m[2].startsWith("hour") ? n * 60 : n * 1440;
    return (ctx.hours * 60) / minutes;
}

/** EventBridge Scheduler: invocations, counted from a rate() expression or given as usage for cron(). */
export const schedule = costRule<aws.scheduler.ScheduleArgs>({
    type: "aws:scheduler/schedule:Schedule",
    usage: { monthlyInvocations: { unit: "invocations", description: "Invocations per month, for cron() expressions (rate() ones are counted)." } },
    price(props, _resource, ctx) {
        const expression = readString(props.scheduleExpression, "scheduleExpression");
        const counted = invocationsPerMonth(expression, ctx);
        const invocations = counted ?? ctx.usage("monthlyInvocations");
        const component = usage(ctx, `Invocations (${expression})`, "scheduler.invocationsMillion", millions(invocations));
        return priced(counted === undefined ? component : { ...component, usageBased: false });
    },
});

export const snsTopic = costRule<aws.sns.TopicArgs>({
    type: "aws:sns/topic:Topic",
    usage: { monthlyRequests: { unit: "requests", description: "Publish API requests per month." } },
    price(_props, _resource, ctx) {
        return priced(usage(ctx, "API requests", "sns.requestsMillion", millions(ctx.usage("monthlyRequests"))));
    },
});

export const integrationRules: readonly AnyRule[] = [sqsQueue, stateMachine, schedule, snsTopic];

