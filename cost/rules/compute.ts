import type * as aws from "@pulumi/aws";
import { CostComponent } from "../model";
import { isUnknown, readNumber, readString, UnknownInputError } from "../inputs";
import { AnyRule, costRule, fixed, free, millions, monthlyHours, notPriced, priced, RuleContext, tiered, usage } from "./rule";
import { firehoseTransformFunctionName } from "./streaming";

/**
 * Lambda: requests and GB-seconds (x86 or arm64 tiers), plus ephemeral storage above the free 512 MB.
 * A Firehose data-transformation function is priced with its delivery stream instead.
 */
export const lambdaFunction = costRule<aws.lambda.FunctionArgs>({
    type: "aws:lambda/function:Function",
    usage: {
        monthlyRequests: { unit: "requests", description: "Invocations per month." },
        requestDurationMs: { unit: "ms", description: "Average billed duration of an invocation." },
    },
    price(props, _resource, ctx) {
        const deliveryStream = ctx.stack.ofType("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream").find((s) => props.name !== undefined && firehoseTransformFunctionName(s.inputs as Parameters<typeof firehoseTransformFunctionName>[0]) === props.name);
        if (deliveryStream !== undefined) {
            return free(`priced with the Firehose delivery stream ${deliveryStream.name}, which invokes it as its data-transformation function`);
        }
        const memoryMb = readNumber(props.memorySize, "memorySize", 128);
        const architectures = (props.architectures ?? ["x86_64"]) as unknown[];
        const arm = architectures.includes("arm64");
        const requests = ctx.usage("monthlyRequests");
        const durationMs = ctx.usage("requestDurationMs");
        const seconds = requests === undefined || durationMs === undefined ? undefined : (requests * durationMs) / 1000;
        const gbSeconds = seconds === undefined ? undefined : seconds * (memoryMb / 1024);
        const ephemeralMb = readNumber(props.ephemeralStorage?.size, "ephemeralStorage.size", 512);
        return priced(
            usage(ctx, "Requests", "lambda.requestsMillion", millions(requests)),
            tiered(ctx, `Duration (${memoryMb} MB, ${arm ? "arm64" : "x86_64"})`, arm ? "lambda.arm.gbSecond" : "lambda.x86.gbSecond", gbSeconds, true),
            ephemeralMb > 512
                ? [usage(ctx, `Ephemeral storage (${ephemeralMb - 512} MB above the free 512 MB)`, "lambda.ephemeralStorageGbSecond", seconds === undefined ? undefined : seconds * ((ephemeralMb - 512) / 1024))]
                : [],
        );
    },
});

/**
 * An event source mapping has no charge of its own (invocations are priced on the function),
 * except in provisioned mode, which bills Event Poller Unit-hours. The model counts one EPU per
 * minimum poller, at least one: exact for the single-poller minimum the stacks declare, and an
 * upper bound when AWS packs several pollers (or a poller group's mappings) into one EPU.
 */
export const lambdaEventSourceMapping = costRule<aws.lambda.EventSourceMappingArgs>({
    type: "aws:lambda/eventSourceMapping:EventSourceMapping",
    usage: {
        averageEventPollerUnits: {
            unit: "EPU",
            description: "Average Event Poller Units the mapping runs over the month in provisioned mode (at least its minimum; more while it scales up for spikes).",
        },
    },
    price(props, _resource, ctx) {
        const pollers = props.provisionedPollerConfig;
        if (isUnknown(pollers)) {
            throw new UnknownInputError("provisionedPollerConfig");
        }
        if (pollers === undefined || pollers === null) {
            return free("on-demand event source mappings have no charge; invocations are priced on the function");
        }
        // Provisioned mode bills Event Poller Units while the mapping is enabled: the minimum
        // pollers are always on (at least one EPU), and scaling up to the maximum is usage.
        const min = readNumber(pollers.minimumPollers, "provisionedPollerConfig.minimumPollers", 1);
        const max = readNumber(pollers.maximumPollers, "provisionedPollerConfig.maximumPollers", 200);
        const floor = Math.max(1, min);
        const average = ctx.usage("averageEventPollerUnits");
        const above = average === undefined ? undefined : Math.max(0, Math.min(average, max) - floor);
        return priced(
            fixed(ctx, `Event poller units (provisioned minimum ${floor})`, "lambda.esm.provisioned.epuHour", monthlyHours(ctx, floor)),
            usage(ctx, `Event poller units above the minimum (up to ${max})`, "lambda.esm.provisioned.epuHour", above === undefined ? undefined : monthlyHours(ctx, above)),
        );
    },
});

/** EMR Serverless: vCPU-hours and GB-hours of the workers jobs run on (x86_64 or ARM64 rates). */
export const emrServerlessApplication = costRule<aws.emrserverless.ApplicationArgs>({
    type: "aws:emrserverless/application:Application",
    usage: {
        monthlyVcpuHours: { unit: "vCPU-hours", description: "Worker vCPU-hours consumed by jobs per month." },
        monthlyMemoryGbHours: { unit: "GB-hours", description: "Worker memory GB-hours consumed by jobs per month." },
    },
    price(props, _resource, ctx) {
        const arch = readString(props.architecture, "architecture", "X86_64") === "ARM64" ? "arm" : "x86";
        const label = arch === "arm" ? "ARM64" : "x86_64";
        return priced(
            usage(ctx, `Worker vCPU (${label})`, `emrServerless.${arch}.vcpuHour`, ctx.usage("monthlyVcpuHours")),
            usage(ctx, `Worker memory (${label})`, `emrServerless.${arch}.gbHour`, ctx.usage("monthlyMemoryGbHours")),
        );
    },
});

interface NodeSet {
    readonly role: string;
    readonly instanceType: string;
    readonly onDemand: number;
    readonly spot: number;
    readonly ebs: readonly { readonly type: string; readonly sizeGb: number; readonly volumes: number }[];
}

type FleetInput = {
    instanceTypeConfigs?: { instanceType?: unknown; weightedCapacity?: unknown; ebsConfigs?: { size?: unknown; type?: unknown; volumesPerInstance?: unknown }[] }[];
    targetOnDemandCapacity?: unknown;
    targetSpotCapacity?: unknown;
};

type GroupInput = { instanceType?: unknown; instanceCount?: unknown; bidPrice?: unknown; ebsConfigs?: { size?: unknown; type?: unknown; volumesPerInstance?: unknown }[] };

function ebsOf(configs: GroupInput["ebsConfigs"], field: string): NodeSet["ebs"] {
    return (configs ?? []).map((e, i) => ({
        type: readString(e.type, `${field}.ebsConfigs[${i}].type`, "gp3"),
        sizeGb: readNumber(e.size, `${field}.ebsConfigs[${i}].size`),
        volumes: readNumber(e.volumesPerInstance, `${field}.ebsConfigs[${i}].volumesPerInstance`, 1),
    }));
}

/** A fleet runs its target capacity; EMR picks among the instance types, the model prices the first listed. */
function fleetNodes(role: string, fleet: FleetInput, field: string): NodeSet {
    const config = fleet.instanceTypeConfigs?.[0];
    if (!config) {
        throw new Error(`${field}.instanceTypeConfigs: expected at least one instance type; found none`);
    }
    const weight = readNumber(config.weightedCapacity, `${field}.instanceTypeConfigs[0].weightedCapacity`, 1);
    const count = (target: unknown, name: string) => Math.ceil(readNumber(target, `${field}.${name}`, 0) / weight);
    return {
        role,
        instanceType: readString(config.instanceType, `${field}.instanceTypeConfigs[0].instanceType`),
        onDemand: count(fleet.targetOnDemandCapacity, "targetOnDemandCapacity"),
        spot: count(fleet.targetSpotCapacity, "targetSpotCapacity"),
        ebs: ebsOf(config.ebsConfigs, `${field}.instanceTypeConfigs[0]`),
    };
}

function groupNodes(role: string, group: GroupInput, field: string, defaultCount: number): NodeSet {
    const count = readNumber(group.instanceCount, `${field}.instanceCount`, defaultCount);
    const spot = group.bidPrice !== undefined && group.bidPrice !== "";
    return { role, instanceType: readString(group.instanceType, `${field}.instanceType`), onDemand: spot ? 0 : count, spot: spot ? count : 0, ebs: ebsOf(group.ebsConfigs, field) };
}

function derivedComponent(name: string, unit: string, unitPrice: number, priceId: string, quantity: number | undefined, usageBased: boolean): CostComponent {
    return { name, unit, quantity: quantity ?? null, unitPrice, monthly: quantity === undefined ? 0 : quantity * unitPrice, usageBased, priceId };
}

/**
 * EC2 instance-hours (on-demand, or Spot at the price file's assumed fraction of on-demand), the
 * EMR fee per instance-hour, and attached EBS volumes, for `hours` hours a month.
 */
function nodeComponents(ctx: RuleContext, nodes: NodeSet, hours: number | undefined, usageBased: boolean): CostComponent[] {
    const out: CostComponent[] = [];
    const t = nodes.instanceType;
    const ec2Id = `ec2.instance.${t}`;
    const ec2 = ctx.prices.price(ec2Id);
    const fee = ctx.prices.price(`emr.fee.${t}`);
    const hoursOf = (count: number) => (hours === undefined ? undefined : count * hours);
    if (nodes.onDemand > 0) {
        out.push(derivedComponent(`${nodes.role} EC2 (${nodes.onDemand} × ${t}, on-demand)`, "hours", ec2, ec2Id, hoursOf(nodes.onDemand), usageBased));
    }
    if (nodes.spot > 0) {
        const fraction = ctx.prices.price("ec2.spotFraction");
        out.push(derivedComponent(`${nodes.role} EC2 (${nodes.spot} × ${t}, Spot)`, "hours", ec2 * fraction, `${ec2Id} × ec2.spotFraction`, hoursOf(nodes.spot), usageBased));
    }
    const all = nodes.onDemand + nodes.spot;
    if (all > 0) {
        out.push(derivedComponent(`${nodes.role} EMR fee (${all} × ${t})`, "hours", fee, `emr.fee.${t}`, hoursOf(all), usageBased));
    }
    for (const v of nodes.ebs) {
        const id = `ebs.${v.type}.storageGb`;
        const gb = all * v.sizeGb * v.volumes;
        if (gb > 0) {
            out.push(derivedComponent(`${nodes.role} EBS (${v.type}, ${v.volumes} × ${v.sizeGb} GB per instance)`, "GB", ctx.prices.price(id), id, hours === undefined ? undefined : gb * (hours / ctx.hours), usageBased));
        }
    }
    return out;
}

/**
 * EMR on EC2. A cluster without auto-termination runs all month (730 h, fixed); one that
 * terminates when idle runs `monthlyHours` (usage).
 */
export const emrCluster = costRule<aws.emr.ClusterArgs>({
    type: "aws:emr/cluster:Cluster",
    usage: { monthlyHours: { unit: "hours", description: "Hours per month an auto-terminating cluster runs (ignored for an always-on cluster: 730)." } },
    price(props, _resource, ctx) {
        const transient = props.autoTerminationPolicy?.idleTimeout !== undefined || props.keepJobFlowAliveWhenNoSteps === false;
        const hours = transient ? ctx.usage("monthlyHours") : ctx.hours;
        const sets: NodeSet[] = [];
        if (props.masterInstanceFleet) sets.push(fleetNodes("Primary", props.masterInstanceFleet as FleetInput, "masterInstanceFleet"));
        else if (props.masterInstanceGroup) sets.push(groupNodes("Primary", props.masterInstanceGroup as GroupInput, "masterInstanceGroup", 1));
        if (props.coreInstanceFleet) sets.push(fleetNodes("Core", props.coreInstanceFleet as FleetInput, "coreInstanceFleet"));
        else if (props.coreInstanceGroup) sets.push(groupNodes("Core", props.coreInstanceGroup as GroupInput, "coreInstanceGroup", 1));
        if (sets.length === 0) {
            return notPriced("declares neither instance fleets nor instance groups");
        }
        return priced(sets.flatMap((s) => nodeComponents(ctx, s, hours, transient)));
    },
});

const taskUsage = { monthlyInstanceHours: { unit: "hours", description: "Instance-hours the task nodes run per month (managed scaling adds and removes them)." } };

/**
 * Task nodes: with `monthlyInstanceHours` usage, those hours split over the declared on-demand and
 * Spot mix (Spot when nothing is declared, as managed scaling adds Spot task nodes); without
 * usage, the declared capacity all month.
 */
function taskComponents(ctx: RuleContext, nodes: NodeSet): CostComponent[] {
    const hours = ctx.usage("monthlyInstanceHours");
    const count = nodes.onDemand + nodes.spot;
    if (hours === undefined && count > 0) {
        return nodeComponents(ctx, nodes, ctx.hours, false);
    }
    const t = nodes.instanceType;
    const ec2Id = `ec2.instance.${t}`;
    const ec2 = ctx.prices.price(ec2Id);
    const spotShare = count === 0 ? 1 : nodes.spot / count;
    const share = (fraction: number) => (hours === undefined ? undefined : hours * fraction);
    const out: CostComponent[] = [];
    if (spotShare < 1) {
        out.push(derivedComponent(`Task EC2 (${t}, on-demand)`, "hours", ec2, ec2Id, share(1 - spotShare), true));
    }
    if (spotShare > 0) {
        out.push(derivedComponent(`Task EC2 (${t}, Spot)`, "hours", ec2 * ctx.prices.price("ec2.spotFraction"), `${ec2Id} × ec2.spotFraction`, share(spotShare), true));
    }
    out.push(derivedComponent(`Task EMR fee (${t})`, "hours", ctx.prices.price(`emr.fee.${t}`), `emr.fee.${t}`, hours, true));
    for (const v of nodes.ebs) {
        const id = `ebs.${v.type}.storageGb`;
        const gbMonths = hours === undefined ? undefined : (hours / ctx.hours) * v.sizeGb * v.volumes;
        out.push(derivedComponent(`Task EBS (${v.type}, ${v.volumes} × ${v.sizeGb} GB per instance)`, "GB", ctx.prices.price(id), id, gbMonths, true));
    }
    return out;
}

/** A task instance fleet: its declared target capacity all month, or the instance-hours usage gives. */
export const emrInstanceFleet = costRule<aws.emr.InstanceFleetArgs>({
    type: "aws:emr/instanceFleet:InstanceFleet",
    usage: taskUsage,
    price(props, _resource, ctx) {
        return priced(taskComponents(ctx, fleetNodes("Task", props as FleetInput, "instanceFleet")));
    },
});

export const emrInstanceGroup = costRule<aws.emr.InstanceGroupArgs>({
    type: "aws:emr/instanceGroup:InstanceGroup",
    usage: taskUsage,
    price(props, _resource, ctx) {
        return priced(taskComponents(ctx, groupNodes("Task", props as GroupInput, "instanceGroup", 1)));
    },
});

/**
 * AWS Batch itself is free; a Fargate compute environment is priced by the vCPU-hours and
 * GB-hours its jobs use, at the Fargate or Fargate Spot rate.
 */
export const batchComputeEnvironment = costRule<aws.batch.ComputeEnvironmentArgs>({
    type: "aws:batch/computeEnvironment:ComputeEnvironment",
    usage: {
        monthlyVcpuHours: { unit: "vCPU-hours", description: "vCPU-hours the jobs in this environment use per month." },
        monthlyMemoryGbHours: { unit: "GB-hours", description: "Memory GB-hours the jobs in this environment use per month." },
    },
    price(props, _resource, ctx) {
        const kind = readString(props.computeResources?.type, "computeResources.type", "");
        if (kind !== "FARGATE" && kind !== "FARGATE_SPOT") {
            return notPriced(`computeResources.type ${kind || "(unmanaged)"}: EC2-backed environments are priced by the instances Batch chooses, which the model does not know`);
        }
        const spot = kind === "FARGATE_SPOT";
        const fraction = spot ? ctx.prices.price("fargate.spotFraction") : 1;
        const label = spot ? "Fargate Spot" : "Fargate";
        const suffix = spot ? " × fargate.spotFraction" : "";
        const vcpu = ctx.prices.price("fargate.x86.vcpuHour");
        const gb = ctx.prices.price("fargate.x86.gbHour");
        const maxVcpus = readNumber(props.computeResources?.maxVcpus, "computeResources.maxVcpus", 0);
        return priced(
            derivedComponent(`${label} vCPU (max ${maxVcpus} vCPUs)`, "vCPU-hours", vcpu * fraction, `fargate.x86.vcpuHour${suffix}`, ctx.usage("monthlyVcpuHours"), true),
            derivedComponent(`${label} memory`, "GB-hours", gb * fraction, `fargate.x86.gbHour${suffix}`, ctx.usage("monthlyMemoryGbHours"), true),
        );
    },
});

/** DPUs of one Glue Spark worker, by worker type (Glue bills each worker at this many DPUs). */
const glueWorkerDpu: Readonly<Record<string, number>> = { "G.025X": 0.25, "G.1X": 1, "G.2X": 2, "G.4X": 4, "G.8X": 8 };

/**
 * Glue Spark job: DPU-hours of its runs, at the standard or flexible execution class rate. A run
 * is billed per second with a one-minute minimum (Glue 2.0 and later), so the billed minutes are
 * runs × max(1, average minutes); its DPUs are workers × the worker type's DPUs.
 */
export const glueJob = costRule<aws.glue.JobArgs>({
    type: "aws:glue/job:Job",
    usage: {
        monthlyRuns: { unit: "runs", description: "Job runs per month." },
        averageRunMinutes: { unit: "minutes", description: "Average billed duration of a run (Glue bills at least 1 minute per run)." },
    },
    price(props, _resource, ctx) {
        const workerType = readString(props.workerType, "workerType");
        const perWorker = glueWorkerDpu[workerType];
        if (perWorker === undefined) {
            return notPriced(`worker type ${workerType} has no DPU figure in the model (known: ${Object.keys(glueWorkerDpu).join(", ")})`);
        }
        const workers = readNumber(props.numberOfWorkers, "numberOfWorkers");
        const dpus = workers * perWorker;
        const flex = readString(props.executionClass, "executionClass", "STANDARD") === "FLEX";
        const runs = ctx.usage("monthlyRuns");
        const minutes = ctx.usage("averageRunMinutes");
        const dpuHours = runs === undefined || minutes === undefined ? undefined : (runs * Math.max(1, minutes) * dpus) / 60;
        return priced(usage(ctx, `Spark DPU-hours (${workers} × ${workerType} = ${dpus} DPU${flex ? ", flex" : ""})`, flex ? "glue.etl.flex.dpuHour" : "glue.etl.dpuHour", dpuHours));
    },
});

/** Glue crawler: DPU-hours of its crawls, billed per second with a ten-minute minimum per crawl. */
export const glueCrawler = costRule<aws.glue.CrawlerArgs>({
    type: "aws:glue/crawler:Crawler",
    usage: {
        monthlyCrawls: { unit: "crawls", description: "Crawler runs per month (scheduled and on demand)." },
        averageCrawlMinutes: { unit: "minutes", description: "Average duration of a crawl (Glue bills at least 10 minutes per crawl)." },
        crawlDpus: { unit: "DPU", description: "DPUs Glue allocates to a crawl (not configurable; a small crawl uses 2)." },
    },
    price(_props, _resource, ctx) {
        const crawls = ctx.usage("monthlyCrawls");
        const minutes = ctx.usage("averageCrawlMinutes");
        const dpus = ctx.usage("crawlDpus");
        const dpuHours = crawls === undefined || minutes === undefined || dpus === undefined ? undefined : (crawls * Math.max(10, minutes) * dpus) / 60;
        return priced(usage(ctx, "Crawler DPU-hours", "glue.crawler.dpuHour", dpuHours));
    },
});

export const computeRules: readonly AnyRule[] = [lambdaFunction, lambdaEventSourceMapping, emrServerlessApplication, emrCluster, emrInstanceFleet, emrInstanceGroup, batchComputeEnvironment, glueJob, glueCrawler];

