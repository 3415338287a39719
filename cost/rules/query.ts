import type * as aws from "@pulumi/aws";
import { AnyRule, costRule, priced, usage } from "./rule";

/**
 * Athena (SQL engine v3) bills the data each query scans, per TB, rounded up to 10 MB per query;
 * the workgroup itself costs nothing. The usage is the workgroup's monthly scanned terabytes.
 */
export const athenaWorkgroup = costRule<aws.athena.WorkgroupArgs>({
    type: "aws:athena/workgroup:Workgroup",
    usage: { monthlyScannedTb: { unit: "TB", description: "Data scanned by the workgroup's queries per month (after partition pruning and columnar reads)." } },
    price(_props, _resource, ctx) {
        return priced(usage(ctx, "Data scanned", "athena.scannedTb", ctx.usage("monthlyScannedTb")));
    },
});

/**
 * CloudTrail: the first copy of management events in an account is free, each further trail that
 * records them pays per 100,000; data events are paid on every trail, per 100,000. Log delivery to
 * CloudWatch Logs is priced on the trail's log group (its ingest usage), S3 storage on its bucket.
 */
export const cloudtrailTrail = costRule<aws.cloudtrail.TrailArgs>({
    type: "aws:cloudtrail/trail:Trail",
    usage: {
        monthlyManagementEvents: { unit: "events", description: "Management events the trail records per month." },
        otherManagementTrails: { unit: "trails", description: "Other trails in the account that already record management events (0: this trail's copy is the free one)." },
        monthlyDataEvents: { unit: "events", description: "Data events (S3 object-level) the trail records per month." },
    },
    price(_props, _resource, ctx) {
        const per100k = (events: number | undefined) => (events === undefined ? undefined : events / 100_000);
        // The account's first copy of management events has no charge, so it adds no component.
        const paidCopy = (ctx.usage("otherManagementTrails") ?? 0) > 0;
        return priced(
            ...(paidCopy ? [usage(ctx, "Management events (additional copy)", "cloudtrail.managementEvents.additionalCopy.100k", per100k(ctx.usage("monthlyManagementEvents")))] : []),
            usage(ctx, "Data events", "cloudtrail.dataEvents.100k", per100k(ctx.usage("monthlyDataEvents"))),
        );
    },
});

export const queryRules: readonly AnyRule[] = [athenaWorkgroup, cloudtrailTrail];
