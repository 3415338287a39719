import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

/**
 * The stages of the pipeline. Every stage the stack deploys must have at least one alarm wired
 * to the alarm topic (the policy pack checks it through the `pipeline-stage` tag).
 */
export type PipelineStage = "network" | "streaming" | "ingest" | "lake" | "transform" | "batch" | "warehouse" | "orchestration" | "quality" | "audit";

export const stageTagKey = "pipeline-stage";

export interface MetricRef {
    readonly namespace: string;
    readonly metricName: string;
    readonly dimensions: Readonly<Record<string, pulumi.Input<string>>>;
}

/**
 * An alarm as data: what a component wants watched, registered by `Observability.registerAlarms`
 * with the alarm topic as its alarm and OK action and the stage as its `pipeline-stage` tag.
 */
export type AlarmSpec = SingleMetricAlarm | RatioAlarm;

interface AlarmBase {
    /** The alarm's Pulumi name; its AWS name is `<project>-<stack>-<name>`. */
    readonly name: string;
    readonly stage: PipelineStage;
    /** What the alarm means and what to do first, shown in the notification. */
    readonly description: string;
    readonly comparisonOperator: "GreaterThanThreshold" | "GreaterThanOrEqualToThreshold" | "LessThanThreshold" | "LessThanOrEqualToThreshold";
    readonly threshold: number;
    /** Seconds; defaults to 300. */
    readonly periodSeconds?: number;
    /** Defaults to 1. */
    readonly evaluationPeriods?: number;
    /** Defaults to notBreaching: no data means nothing ran, not that something broke. */
    readonly treatMissingData?: "breaching" | "notBreaching" | "ignore" | "missing";
}

export interface SingleMetricAlarm extends AlarmBase, MetricRef {
    readonly statistic: "Sum" | "Average" | "Maximum" | "Minimum" | "SampleCount";
}

/** Alarms on 100 × sum(numerator) / sum(denominator), a percentage (e.g. the share of records rejected). */
export interface RatioAlarm extends AlarmBase {
    readonly ratio: { readonly numerator: MetricRef; readonly denominator: MetricRef };
}

/** The condition of most alarms: anything above zero (an error, a failed run, a message in a dead-letter queue). */
export const anyOccurrence = { comparisonOperator: "GreaterThanThreshold", threshold: 0 } as const;

/** CloudWatch metric queries of a ratio alarm: two sums and the percentage expression that returns data. */
export function ratioQueries(spec: RatioAlarm) {
    const period = spec.periodSeconds ?? 300;
    const metric = (id: string, ref: MetricRef) => ({ id, returnData: false, metric: { namespace: ref.namespace, metricName: ref.metricName, dimensions: ref.dimensions, stat: "Sum", period } });
    return [
        metric("numerator", spec.ratio.numerator),
        metric("denominator", spec.ratio.denominator),
        { id: "percentage", expression: "IF(denominator > 0, 100 * numerator / denominator, 0)", label: "percentage", returnData: true },
    ];
}

/** The inputs of the CloudWatch alarm of one spec: defaults applied, actions to the alarm topic. */
export function metricAlarmArgs(spec: AlarmSpec, namePrefix: string, alarmTopicArn: pulumi.Input<string>): aws.cloudwatch.MetricAlarmArgs {
    return {
        name: `${namePrefix}-${spec.name}`,
        alarmDescription: spec.description,
        ...("ratio" in spec
            ? { metricQueries: ratioQueries(spec) }
            : { namespace: spec.namespace, metricName: spec.metricName, dimensions: spec.dimensions, statistic: spec.statistic, period: spec.periodSeconds ?? 300 }),
        comparisonOperator: spec.comparisonOperator,
        threshold: spec.threshold,
        evaluationPeriods: spec.evaluationPeriods ?? 1,
        treatMissingData: spec.treatMissingData ?? "notBreaching",
        alarmActions: [alarmTopicArn],
        okActions: [alarmTopicArn],
        tags: { [stageTagKey]: spec.stage },
    };
}

/** A dashboard widget per stage listing that stage's alarms, in pipeline order. */
export function dashboardBody(region: string, title: string, alarmsByStage: ReadonlyMap<PipelineStage, readonly string[]>): string {
    const order: PipelineStage[] = ["network", "streaming", "ingest", "lake", "transform", "quality", "batch", "warehouse", "orchestration", "audit"];
    const widgets: unknown[] = [{ type: "text", x: 0, y: 0, width: 24, height: 2, properties: { markdown: `# ${title}\nAlarm state per pipeline stage. Each alarm notifies the platform's alarm topic.` } }];
    let y = 2;
    for (const stage of order) {
        const arns = alarmsByStage.get(stage);
        if (!arns || arns.length === 0) {
            continue;
        }
        const height = 2 + Math.ceil(arns.length / 4) * 2;
        widgets.push({ type: "alarm", x: 0, y, width: 24, height, properties: { title: `${stage} alarms`, region, alarms: [...arns].sort() } });
        y += height;
    }
    return JSON.stringify({ widgets });
}
