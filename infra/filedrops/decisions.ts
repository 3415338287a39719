import type * as pulumi from "@pulumi/pulumi";
import { FileDropsConfig } from "../config";
import { defaultManifestPrefix, defaultQuarantinePrefix } from "../../runtime/files/ingest";
import { fileTags } from "../../runtime/files/layout";
import { defaultFileMetricsNamespace } from "../../runtime/files/settings";
import { fileMetricNames } from "../../runtime/files/handler";
import { AlarmSpec, anyOccurrence } from "../observability/alarms";
import { identifierPrefix } from "../shared/options";

/** Prefixes of what file ingest writes in the landing bucket (the runtime's defaults, set explicitly on the function). */
export const landingPrefixes = { manifests: defaultManifestPrefix, quarantine: defaultQuarantinePrefix } as const;

/**
 * The landing bucket's physical name: `<project>-<stack>-landing-<account>`. Fixed rather than
 * generated, so the lake's access-log bucket can admit its server access logs by ARN before the
 * bucket exists (the Lake component is built first).
 */
export function landingBucketName(prefix: string, accountId: string): string {
    return `${prefix}-landing-${accountId}`.slice(0, 63);
}

export function landingBucketArn(partition: string, prefix: string, accountId: string): string {
    return `arn:${partition}:s3:::${landingBucketName(prefix, accountId)}`;
}

/** Names of one drop's resources. */
export function fileDropNames(prefix: string, drop: string): { functionName: string; queueName: string; ruleName: string; serviceName: string } {
    return { functionName: `${prefix}-files-${drop}`, queueName: `${prefix}-files-${drop}-failed`, ruleName: `${prefix}-files-${drop}`, serviceName: `file-ingest-${drop}` };
}

/** The EventBridge pattern of one drop: S3 "Object Created" events of the landing bucket under the drop's prefix. */
export function objectCreatedPattern(bucket: string, keyPrefix: string): Record<string, unknown> {
    return { source: ["aws.s3"], "detail-type": ["Object Created"], detail: { bucket: { name: [bucket] }, object: { key: [{ prefix: keyPrefix }] } } };
}

export interface LandingLifecycleRule {
    id: string;
    status: "Enabled";
    filter: { prefix?: string; tag?: { key: string; value: string } };
    expiration?: { days: number };
    noncurrentVersionExpiration: { noncurrentDays: number };
    abortIncompleteMultipartUpload: { daysAfterInitiation: number };
}

/**
 * Lifecycle of the landing bucket: files tagged as processed (landed, duplicate, quarantined,
 * handed off and then landed by the job) expire `processedExpirationDays` after upload;
 * quarantined copies and their reasons after `quarantineExpirationDays`; manifests are kept (a
 * re-upload of an old file must still find its manifest). Files never tagged (not processed yet)
 * never expire. Noncurrent versions expire after `noncurrentDays`; incomplete uploads after a day.
 */
export function landingLifecycleRules(cfg: Pick<FileDropsConfig, "processedExpirationDays" | "quarantineExpirationDays">, noncurrentDays: number): LandingLifecycleRule[] {
    const base = { status: "Enabled" as const, noncurrentVersionExpiration: { noncurrentDays }, abortIncompleteMultipartUpload: { daysAfterInitiation: 1 } };
    const processed = ["landed", "duplicate", "quarantined"].map((status) => ({
        id: `processed-${status}`,
        ...base,
        filter: { tag: { key: fileTags.status, value: status } },
        expiration: { days: cfg.processedExpirationDays },
    }));
    return [...processed, { id: "quarantine", ...base, filter: { prefix: landingPrefixes.quarantine }, expiration: { days: cfg.quarantineExpirationDays } }, { id: "old-versions", ...base, filter: { prefix: "" } }];
}

/** What the alarms of one drop watch. */
export interface FileDropAlarmTargets {
    readonly base: string;
    readonly drop: string;
    readonly functionName: pulumi.Input<string>;
    readonly queue: pulumi.Input<string>;
    readonly queueName: string;
    readonly serviceName: string;
}

/** Alarms of one drop: function errors, events in the dead-letter queue, quarantined files, and a high share of rejected rows. */
export function fileDropAlarms(t: FileDropAlarmTargets): AlarmSpec[] {
    const own = (metricName: string) => ({ namespace: defaultFileMetricsNamespace, metricName, dimensions: { service: t.serviceName, drop: t.drop } });
    return [
        {
            ...anyOccurrence,
            name: `${t.base}-errors`,
            stage: "ingest",
            description: `The file-ingest function of drop ${t.drop} failed; EventBridge retries the event, then it goes to ${t.queueName}. Read the function's logs.`,
            namespace: "AWS/Lambda",
            dimensions: { FunctionName: t.functionName },
            metricName: "Errors",
            statistic: "Sum",
        },
        {
            ...anyOccurrence,
            name: `${t.base}-failed-files`,
            stage: "ingest",
            description: `Events of drop ${t.drop} exhausted their retries and wait in ${t.queueName}. Fix the cause, then send each event to the function again (processing is idempotent).`,
            namespace: "AWS/SQS",
            metricName: "ApproximateNumberOfMessagesVisible",
            dimensions: { QueueName: t.queue },
            statistic: "Maximum",
        },
        {
            ...anyOccurrence,
            ...own(fileMetricNames.filesQuarantined),
            name: `${t.base}-quarantined`,
            stage: "ingest",
            description: `A file of drop ${t.drop} was quarantined (unknown format, header mismatch, unreadable). Its reason is under ${landingPrefixes.quarantine}${t.drop}/ in the landing bucket; ask the partner for a corrected file.`,
            statistic: "Sum",
        },
        {
            name: `${t.base}-rejects-rate`,
            stage: "ingest",
            description: `More than 5% of the rows of drop ${t.drop} were rejected in an hour. Look at the rejects zone by error_type and file.`,
            ratio: { numerator: own(fileMetricNames.rowsRejected), denominator: own(fileMetricNames.rowsIn) },
            comparisonOperator: "GreaterThanThreshold",
            threshold: 5,
            periodSeconds: 3600,
        },
    ];
}

/** The Glue database the drafts crawler writes its tables to: `<project>_<stack>_drafts`. */
export function draftsDatabaseName(project: string, stack: string): string {
    return `${identifierPrefix(project, stack)}_drafts`;
}

/**
 * The drafts crawler's Glue configuration: each partner folder directly under the drafts prefix
 * becomes one table (the table level counts the bucket as 1), whatever its subfolders; compatible
 * schemas of its files are combined into that table.
 */
export function draftsCrawlerConfiguration(prefix: string): Record<string, unknown> {
    const depth = prefix.split("/").filter((part) => part !== "").length;
    return { Version: 1.0, Grouping: { TableLevelConfiguration: depth + 2, TableGroupingPolicy: "CombineCompatibleSchemas" } };
}

/** The EventBridge pattern of the drafts crawler's failed crawls ("Glue Crawler State Change", state Failed). */
export function crawlerFailedPattern(crawlerName: string): Record<string, unknown> {
    return { source: ["aws.glue"], "detail-type": ["Glue Crawler State Change"], detail: { crawlerName: [crawlerName], state: ["Failed"] } };
}

/** The drafts crawler's alarm: a failed crawl, counted by the rule on its state-change events. */
export function draftsCrawlerAlarms(base: string, ruleName: pulumi.Input<string>): AlarmSpec[] {
    return [
        {
            ...anyOccurrence,
            name: `${base}-failed-crawls`,
            stage: "ingest",
            description: "The file-drop drafts crawler failed (the event also went to the alarm topic). Its log in /aws-glue/crawlers names the file or permission at fault; no table was changed.",
            namespace: "AWS/Events",
            metricName: "TriggeredRules",
            dimensions: { RuleName: ruleName },
            statistic: "Sum",
        },
    ];
}
