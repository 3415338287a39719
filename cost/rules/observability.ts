import type * as aws from "@pulumi/aws";
import { readNumber } from "../inputs";
import { AnyRule, costRule, fixed, priced, usage } from "./rule";

/**
 * CloudWatch alarms are billed per metric they evaluate: one for a plain alarm, one per metric
 * in a metric-math alarm, three for an anomaly-detection band; high resolution (period < 60 s)
 * at the higher rate.
 */
export const metricAlarm = costRule<aws.cloudwatch.MetricAlarmArgs>({
    type: "aws:cloudwatch/metricAlarm:MetricAlarm",
    usage: {},
    price(props, _resource, ctx) {
        const queries = props.metricQueries ?? [];
        const metrics = queries.length === 0 ? 1 : queries.filter((q) => q.metric !== undefined).length || 1;
        const anomaly = queries.some((q) => typeof q.expression === "string" && q.expression.includes("ANOMALY_DETECTION_BAND"));
        const periods = [props.period, ...queries.map((q) => q.metric?.period)].filter((p) => p !== undefined).map((p, i) => readNumber(p, `period[${i}]`));
        const highResolution = periods.some((p) => p < 60);
        const billed = anomaly ? metrics * 3 : metrics;
        const label = `${highResolution ? "High" : "Standard"} resolution${anomaly ? " anomaly detection" : ""}`;
        return priced(fixed(ctx, `${label} (${billed} alarm metric${billed === 1 ? "" : "s"})`, highResolution ? "cloudwatch.alarm.highResolutionMetric" : "cloudwatch.alarm.standardMetric", billed));
    },
});

export const dashboard = costRule<aws.cloudwatch.DashboardArgs>({
    type: "aws:cloudwatch/dashboard:Dashboard",
    usage: {},
    price(_props, _resource, ctx) {
        return priced(fixed(ctx, "Dashboard", "cloudwatch.dashboard.month", 1));
    },
});

export const logGroup = costRule<aws.cloudwatch.LogGroupArgs>({
    type: "aws:cloudwatch/logGroup:LogGroup",
    usage: {
        monthlyDataIngestedGb: { unit: "GB", description: "Log data ingested per month." },
        storageGb: { unit: "GB", description: "Log data stored (GB-months; bounded by the retention)." },
        monthlyInsightsScannedGb: { unit: "GB", description: "Data scanned by Logs Insights queries per month." },
    },
    price(_props, _resource, ctx) {
        return priced(
            usage(ctx, "Data ingested", "cloudwatch.logs.ingestGb", ctx.usage("monthlyDataIngestedGb")),
            usage(ctx, "Archival storage", "cloudwatch.logs.storageGb", ctx.usage("storageGb")),
            usage(ctx, "Insights queries data scanned", "cloudwatch.logs.insightsScannedGb", ctx.usage("monthlyInsightsScannedGb")),
        );
    },
});

export const observabilityRules: readonly AnyRule[] = [metricAlarm, dashboard, logGroup];
