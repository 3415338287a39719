import type * as aws from "@pulumi/aws";
import { AnyRule, costRule, priced, usage } from "./rule";

/**
 * DMS Serverless: billed per DCU-hour while the replication runs (Multi-AZ doubles it). The
 * capacity follows the load between min and max DCU, so the usage file gives the monthly average.
 */
export const dmsReplicationConfig = costRule<aws.dms.ReplicationConfigArgs>({
    type: "aws:dms/replicationConfig:ReplicationConfig",
    usage: { averageDcu: { unit: "DCU", description: "Average DMS capacity units over the month (between the config's min and max)." } },
    price(props, _resource, ctx) {
        const compute = (props.computeConfig ?? {}) as { multiAz?: boolean };
        const dcu = ctx.usage("averageDcu");
        const multiAz = compute.multiAz === true;
        return priced(usage(ctx, `Capacity (${multiAz ? "Multi-AZ" : "Single-AZ"} DCU-hours)`, "dms.serverless.dcuHour", dcu === undefined ? undefined : dcu * ctx.hours * (multiAz ? 2 : 1)));
    },
});

export const databaseRules: readonly AnyRule[] = [dmsReplicationConfig];
