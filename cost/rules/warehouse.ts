import type * as aws from "@pulumi/aws";
import { readNumber, readString } from "../inputs";
import { AnyRule, costRule, fixed, free, monthlyHours, priced, RuleContext, usage } from "./rule";

const spectrumUsage = { spectrumScannedTb: { unit: "TB", description: "Data scanned by Redshift Spectrum queries over the lake per month." } };
const backupUsage = {
    backupStorageGb: {
        unit: "GB",
        description: "Snapshot storage billed per month: beyond the free allowance (provisioned: the cluster's storage size; serverless: manual snapshots and recovery points kept past 24 hours).",
    },
};

/** The Secrets Manager secret Redshift creates and rotates when it manages the admin password. */
function managedSecret(ctx: RuleContext, managed: boolean | undefined) {
    return managed === true ? [fixed(ctx, "Managed admin password (Secrets Manager secret)", "secretsmanager.secret.month", 1)] : [];
}

/** Provisioned Redshift: node-hours by node type, RA3 managed storage, Spectrum scans. */
export const redshiftCluster = costRule<aws.redshift.ClusterArgs>({
    type: "aws:redshift/cluster:Cluster",
    usage: {
        managedStorageGb: { unit: "GB", description: "RA3 managed storage used (GB-months)." },
        ...spectrumUsage,
        ...backupUsage,
    },
    price(props, _resource, ctx) {
        const nodeType = readString(props.nodeType, "nodeType");
        const nodes = readNumber(props.numberOfNodes, "numberOfNodes", 1);
        // A Multi-AZ cluster runs its compute in two AZs and bills both.
        const copies = props.multiAz === true ? 2 : 1;
        const label = copies === 2 ? `${nodes} × ${nodeType} in 2 AZs (Multi-AZ)` : `${nodes} × ${nodeType}`;
        return priced(
            fixed(ctx, `Cluster nodes (${label}, on-demand)`, `redshift.node.${nodeType}`, monthlyHours(ctx, nodes * copies)),
            nodeType.startsWith("ra3.") ? [usage(ctx, `Managed storage (${nodeType})`, "redshift.managedStorageGb", ctx.usage("managedStorageGb"))] : [],
            usage(ctx, "Spectrum", "redshift.spectrumTb", ctx.usage("spectrumScannedTb")),
            usage(ctx, "Snapshot storage beyond the free allowance", "redshift.backupStorageGb", ctx.usage("backupStorageGb")),
            managedSecret(ctx, props.manageMasterPassword),
        );
    },
});

/**
 * Redshift Serverless bills RPU-hours only while queries run (per second, 60 s minimum), so
 * compute is usage: `activeHoursPerDay` at the base capacity, or `monthlyRpuHours` directly.
 */
export const redshiftServerlessWorkgroup = costRule<aws.redshiftserverless.WorkgroupArgs>({
    type: "aws:redshiftserverless/workgroup:Workgroup",
    usage: {
        monthlyRpuHours: { unit: "RPU-hours", description: "RPU-hours consumed per month; overrides activeHoursPerDay." },
        activeHoursPerDay: { unit: "hours", description: "Hours per day the workgroup runs queries at its base capacity (730/24 days a month)." },
        ...spectrumUsage,
    },
    price(props, _resource, ctx) {
        const base = readNumber(props.baseCapacity, "baseCapacity", 128);
        const direct = ctx.usage("monthlyRpuHours");
        const active = ctx.usage("activeHoursPerDay");
        const rpuHours = direct ?? (active === undefined ? undefined : active * base * (ctx.hours / 24));
        return priced(
            usage(ctx, `Compute (base ${base} RPU)`, "redshiftServerless.rpuHour", rpuHours),
            usage(ctx, "Spectrum", "redshift.spectrumTb", ctx.usage("spectrumScannedTb")),
        );
    },
});

export const redshiftServerlessNamespace = costRule<aws.redshiftserverless.NamespaceArgs>({
    type: "aws:redshiftserverless/namespace:Namespace",
    usage: { managedStorageGb: { unit: "GB", description: "Redshift managed storage used by the namespace (GB-months)." }, ...backupUsage },
    price(props, _resource, ctx) {
        return priced(
            usage(ctx, "Managed storage", "redshift.managedStorageGb", ctx.usage("managedStorageGb")),
            usage(ctx, "Snapshot storage beyond the free allowance", "redshift.backupStorageGb", ctx.usage("backupStorageGb")),
            managedSecret(ctx, props.manageAdminPassword),
        );
    },
});

/** A usage limit costs nothing; its reason states the ceiling it puts on the workgroup's compute. */
export const redshiftServerlessUsageLimit = costRule<aws.redshiftserverless.UsageLimitArgs>({
    type: "aws:redshiftserverless/usageLimit:UsageLimit",
    usage: {},
    price(props, _resource, ctx) {
        const usageType = readString(props.usageType, "usageType", "");
        const amount = readNumber(props.amount, "amount", 0);
        const period = readString(props.period, "period", "monthly");
        if (usageType !== "serverless-compute" || amount <= 0) {
            return free("usage limits have no charge");
        }
        const perMonth = period === "daily" ? amount * (ctx.hours / 24) : period === "weekly" ? amount * (ctx.hours / 168) : amount;
        const ceiling = perMonth * ctx.prices.price("redshiftServerless.rpuHour");
        return free(`usage limits have no charge; this one caps compute at ${amount} RPU-hours ${period} (≈ ${perMonth.toFixed(0)} RPU-hours, $${ceiling.toFixed(2)} a month)`);
    },
});

export const warehouseRules: readonly AnyRule[] = [redshiftCluster, redshiftServerlessWorkgroup, redshiftServerlessNamespace, redshiftServerlessUsageLimit];
