import { Advice, AdvisorRow, Alternative, breakEven } from "../../cost/advice";
import { estimateRun } from "../../cost";
import { UsageDocument } from "../../cost/usage";
import { checkOfflineRun } from "../../policies/runner/offline";
import { configKeys } from "../../infra/config/keys";
import { OfflineRun, runOffline } from "./program";

/**
 * The what-if advisor behind `npm run cost -- --stack <s> --advise`: each alternative is a set of
 * config values, run through the same offline plan, priced with the same model and usage, and
 * checked by the same policy pack with the stack's pack config. Nothing is estimated by hand: an
 * alternative the stack's config refuses is reported with the config's own error.
 */

const ns = "platform";

/**
 * The stack's value of a key as the config holds it, or, when the stack omits it, the default the
 * program applies (from the key table; lists as their JSON text).
 */
function configValue(config: Readonly<Record<string, string>>, key: string): string {
    const set = config[`${ns}:${key}`];
    if (set !== undefined) {
        return set;
    }
    const declared = configKeys.find((k) => k.name === key);
    if (declared?.default === undefined) {
        throw new Error(`advisor: config key ${key} has no default in infra/config; the advisor reads only keys with one`);
    }
    return typeof declared.default === "string" ? declared.default : JSON.stringify(declared.default);
}

/**
 * The alternatives worth pricing for a stack's current config: the other warehouse mode and
 * capacities, the other streaming engine, another broker type, volume and monitoring level, fewer
 * NAT gateways, each interface endpoint dropped, the other Lambda architecture, the other Spark
 * modes, Firehose delivery on Kinesis. Each appears only when it differs from the stack's current
 * value.
 */
export function alternativesFor(config: Readonly<Record<string, string>>): Alternative[] {
    const value = (key: string) => configValue(config, key);
    const out: Alternative[] = [];
    const k = (key: string) => `${ns}:${key}`;

    const warehouse = value("warehouseMode");
    const baseRpu = warehouse === "serverless" ? value("warehouseBaseRpu") : undefined;
    const maxRpu = Number(value("warehouseMaxRpu"));
    for (const rpu of ["4", "8", "16"].filter((r) => r !== baseRpu)) {
        out.push({
            id: `warehouse-serverless-${rpu}`,
            title: `Redshift Serverless at ${rpu} RPU base`,
            overrides: { [k("warehouseMode")]: "serverless", [k("warehouseBaseRpu")]: rpu, [k("warehouseMaxRpu")]: String(Math.max(maxRpu, Number(rpu) * 4)) },
            tradeOff:
                rpu === "4"
                    ? "half the RPU-hours of 8 RPU while queries run, for warehouses under 32 TB; heavy queries scale up to the maximum or run longer"
                    : "billed per RPU-second while queries run (60 s minimum); more base capacity answers heavy queries sooner, the first query after idle waits for capacity",
        });
    }
    if (warehouse === "serverless") {
        out.push({
            id: "warehouse-provisioned-ra3-xlplus",
            title: "provisioned Redshift, 2 × ra3.xlplus",
            overrides: { [k("warehouseMode")]: "provisioned", [k("warehouseNodeType")]: "ra3.xlplus", [k("warehouseNodeCount")]: "2" },
            tradeOff: "always-on nodes with predictable latency and reserved-instance discounts, paid for idle hours too",
        });
    }

    const engine = value("streamingEngine");
    if (engine === "msk") {
        out.push({
            id: "streaming-kinesis",
            title: "Kinesis Data Streams (on demand) instead of MSK",
            overrides: { [k("streamingEngine")]: "kinesis" },
            tradeOff: "no brokers to size or patch and per-GB billing; producers move from the Kafka protocol to the Kinesis API",
        });
        const broker = value("mskInstanceType");
        if (broker !== "kafka.m5.large") {
            out.push({
                id: "msk-broker-m5-large",
                title: "MSK brokers on kafka.m5.large",
                overrides: { [k("mskInstanceType")]: "kafka.m5.large" },
                tradeOff: "the previous-generation Intel broker: same size, no Graviton price-performance",
            });
        }
        const volume = Number(value("mskVolumeGiB"));
        const otherVolume = volume > 100 ? 100 : 500;
        out.push({
            id: `msk-volume-${otherVolume}`,
            title: `MSK volumes of ${otherVolume} GiB per broker (storage autoscaling grows them)`,
            overrides: { [k("mskVolumeGiB")]: String(otherVolume) },
            tradeOff:
                otherVolume < volume
                    ? "enough for 7 days of the committed traffic with 3 replicas (gzip producers); autoscaling adds storage at 60 % full, and storage never shrinks"
                    : "room for weeks of retention or a traffic spike before autoscaling acts, paid every month whether used or not",
        });
        const monitoring = value("mskEnhancedMonitoring");
        const otherMonitoring = monitoring === "DEFAULT" ? "PER_TOPIC_PER_BROKER" : "DEFAULT";
        out.push({
            id: `msk-monitoring-${otherMonitoring.toLowerCase().replace(/_/g, "-")}`,
            title: `MSK enhanced monitoring at ${otherMonitoring}`,
            overrides: { [k("mskEnhancedMonitoring")]: otherMonitoring },
            tradeOff:
                otherMonitoring === "DEFAULT"
                    ? "free cluster and broker metrics, enough for the platform's alarms; no per-topic byte and message rates for debugging"
                    : "per-topic byte and message rates on every broker for debugging, billed as CloudWatch custom metrics",
        });
    } else {
        out.push({
            id: "streaming-msk",
            title: "Amazon MSK (3 × kafka.t3.small) instead of Kinesis",
            overrides: { [k("streamingEngine")]: "msk", [k("mskInstanceType")]: "kafka.t3.small", [k("mskBrokerCount")]: "3" },
            tradeOff: "Kafka clients and topics, paid per broker-hour whether or not records flow",
        });
    }

    const nat = value("natGateways");
    for (const strategy of ["Single", "None"].filter((s) => s !== nat)) {
        out.push({
            id: `nat-${strategy.toLowerCase()}`,
            title: strategy === "Single" ? "one NAT gateway for all AZs" : "no NAT gateway (VPC endpoints only)",
            overrides: { [k("natGateways")]: strategy },
            tradeOff: strategy === "Single" ? "an outage of the NAT's AZ cuts internet egress for every AZ" : "private subnets reach only AWS services with an endpoint; package pulls and third-party APIs fail",
        });
    }

    const endpoints = JSON.parse(value("interfaceEndpoints")) as string[];
    for (const service of endpoints) {
        out.push({
            id: `endpoint-drop-${service}`,
            title: `without the ${service} interface endpoint`,
            overrides: { [k("interfaceEndpoints")]: JSON.stringify(endpoints.filter((s) => s !== service)) },
            tradeOff: `private-subnet calls to ${service} leave through NAT (priced per GB there) instead of staying on the endpoint`,
        });
    }

    const architecture = value("lambdaArchitecture");
    const otherArchitecture = architecture === "arm64" ? "x86_64" : "arm64";
    out.push({
        id: `lambda-${otherArchitecture.replace("_", "-")}`,
        title: `functions on ${otherArchitecture}`,
        overrides: { [k("lambdaArchitecture")]: otherArchitecture },
        tradeOff:
            otherArchitecture === "arm64"
                ? "Graviton functions: about 20 % less per GB-second; the code is JavaScript, so nothing is rebuilt"
                : "x86_64 functions: about 25 % more per GB-second, for native dependencies built only for x86",
    });

    const spark = value("sparkMode");
    const sparkModes: Record<string, Omit<Alternative, "id" | "overrides">> = {
        serverless: { title: "Spark on EMR Serverless", tradeOff: "no cluster to start or size; per-second vCPU and GB billing with a one-minute minimum per worker" },
        cluster: { title: "Spark on an auto-terminating EMR cluster", tradeOff: "instance fleets with Spot task nodes: cheaper per hour of heavy work, minutes of cluster start-up per run" },
        glue: { title: "Spark on AWS Glue jobs", tradeOff: "no application or cluster to run; each run bills at least a minute of all its workers (DPU-hours), and the jobs run in Glue's network" },
    };
    for (const [mode, alternative] of Object.entries(sparkModes).filter(([m]) => m !== spark)) {
        out.push({ id: `spark-${mode}`, ...alternative, overrides: { [k("sparkMode")]: mode } });
    }
    if (engine === "kinesis" && value("ingestDelivery") === "lambda") {
        out.push({
            id: "ingest-firehose",
            title: "Firehose delivery instead of the ingest function's event source mapping",
            overrides: { [k("ingestDelivery")]: "firehose" },
            tradeOff: "AWS-managed buffering and S3 writes, at least once instead of exactly once by key; rejects go to Firehose's error prefix",
        });
    }
    return out;
}


export interface AdviseOptions {
    readonly usage: UsageDocument;
    readonly usageSource: string;
    /** Only these alternative ids (all by default). */
    readonly only?: readonly string[];
    /** Runs the program; the offline run by default (tests pass a recorded one). */
    readonly run?: (stack: string, overrides: Readonly<Record<string, string>>) => Promise<OfflineRun>;
    readonly onProgress?: (done: number, total: number, id: string) => void;
}

/** Prices and checks each alternative of a stack's config against its current config. */
export async function advise(stack: string, options: AdviseOptions): Promise<Advice> {
    const run = options.run ?? ((s: string, overrides: Readonly<Record<string, string>>) => runOffline({ stack: s, overrides }));
    const rate = options.usage.recordsPerSecond;
    if (rate === undefined) {
        throw new Error(`${options.usageSource}: expected recordsPerSecond (the workload the usage assumes) for break-even traffic; found none. Fix: add e.g. "recordsPerSecond: 200" at the top of the usage file.`);
    }
    const base = await run(stack, {});
    const current = estimateRun(base, { usage: options.usage }).monthly;
    const alternatives = alternativesFor(base.config).filter((a) => options.only === undefined || options.only.includes(a.id));
    if (options.only !== undefined) {
        const unknown = options.only.filter((id) => !alternatives.some((a) => a.id === id));
        if (unknown.length > 0) {
            throw new Error(`--only: expected alternative ids of stack ${stack} (${alternativesFor(base.config).map((a) => a.id).join(", ")}); found ${unknown.join(", ")}`);
        }
    }
    const rows: AdvisorRow[] = [];
    for (const [i, alternative] of alternatives.entries()) {
        options.onProgress?.(i, alternatives.length, alternative.id);
        let variant: OfflineRun;
        try {
            variant = await run(stack, alternative.overrides);
        } catch (err) {
            rows.push({ alternative, outcome: "refused", refusal: refusalOf(err as Error) });
            continue;
        }
        const monthly = estimateRun(variant, { usage: options.usage }).monthly;
        const checked = await checkOfflineRun(variant);
        const mandatoryPolicies = [...new Set(checked.violations.filter((v) => v.level === "mandatory").map((v) => v.policy))].sort();
        rows.push({
            alternative,
            outcome: "priced",
            monthly,
            change: Math.round((monthly.total - current.total) * 100) / 100,
            policy: { mandatory: checked.mandatory, advisory: checked.advisory, passes: checked.mandatory === 0, mandatoryPolicies },
            breakEven: breakEven(current, monthly, rate),
        });
    }
    options.onProgress?.(alternatives.length, alternatives.length, "");
    rows.sort((a, b) => (a.change ?? Number.POSITIVE_INFINITY) - (b.change ?? Number.POSITIVE_INFINITY));
    return { stack, usageSource: options.usageSource, recordsPerSecond: rate, current, rows };
}

/** A config error in one line: the problems after the "invalid config" heading, or the message itself. */
export function refusalOf(err: Error): string {
    const lines = err.message.split("\n").map((l) => l.trim().replace(/^- /, "")).filter((l) => l.length > 0);
    const problems = /invalid config value/.test(lines[0] ?? "") ? lines.slice(1) : lines;
    return problems.join(" ") || err.name;
}


