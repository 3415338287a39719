import { CostInput, CostReport, FreeResource, FreeTierCredit, FreeTierSummary, money, NotPricedResource, PricedResource, totalsOf } from "./model";
import { InvalidInputError, normalizeInputs, UnknownInputError } from "./inputs";
import { loadPriceBook, MissingPriceError, PriceBook, pricesDirectory } from "./prices";
import { coverage, costRules, RuleContext, StackView } from "./rules";
import { emptyUsage, UsageDocument, UsageFileError, usageFor } from "./usage";
import { ingestKeys } from "../infra/config/ingest";
import { isIngestDelivery, perMillionRecords, recordsPerMonthAt } from "./stages";

export interface EstimateOptions {
    /** Stack name shown in the report. */
    readonly stack: string;
    /** Region of resources whose provider does not say (the stack's `aws:region`). */
    readonly region?: string;
    readonly usage?: UsageDocument;
    /** Where the usage came from, for the report ("none" when no usage). */
    readonly usageSource?: string;
    readonly pricesDirectory?: string;
}

const providerType = "pulumi:providers:aws";

/** The region each provider resource declares, by provider URN. */
function providerRegions(resources: readonly CostInput[]): Map<string, string> {
    const map = new Map<string, string>();
    for (const r of resources) {
        if (r.type === providerType && typeof r.inputs.region === "string") {
            map.set(r.urn, r.inputs.region);
        }
    }
    return map;
}

/** Provider references are `<provider URN>::<id>`; URNs contain `::` themselves. */
function regionOf(resource: CostInput, regions: Map<string, string>, fallback: string | undefined): string | undefined {
    if (resource.provider) {
        for (const [urn, region] of regions) {
            if (resource.provider === urn || resource.provider.startsWith(`${urn}::`)) {
                return region;
            }
        }
    }
    return fallback;
}

function stackView(resources: readonly CostInput[]): StackView {
    return {
        resources,
        ofType: (type) => resources.filter((r) => r.type === type),
        childrenOf: (urn) => resources.filter((r) => r.parent === urn),
    };
}

/**
 * Checks usage against the rules: every type default names a priced type and only its keys,
 * every per-resource entry only its resource's keys. Entries for resources not in this stack
 * are warnings (a usage file can serve several stacks).
 */
function checkUsage(usage: UsageDocument, resources: readonly CostInput[], source: string): string[] {
    const problems: string[] = [];
    const warnings: string[] = [];
    const checkKeys = (where: string, type: string, values: Readonly<Record<string, number>>) => {
        const rule = costRules.get(type);
        if (!rule) {
            problems.push(`${where}: ${type} has no cost rule with usage (priced types: see cost/README.md)`);
            return;
        }
        for (const key of Object.keys(values)) {
            if (!(key in rule.usage)) {
                const known = Object.keys(rule.usage);
                problems.push(`${where}.${key}: expected one of ${known.length ? known.join(", ") : "(no usage keys)"} for ${type}; found an unknown key`);
            }
        }
    };
    for (const [type, values] of Object.entries(usage.resourceTypeDefaults)) {
        checkKeys(`resourceTypeDefaults.${type}`, type, values);
    }
    for (const [target, values] of Object.entries(usage.resources)) {
        // A logical name is shared by a resource and its configuration resources (a bucket and its
        // policy); the entry applies to those with a cost rule.
        const matches = resources.filter((r) => (r.urn === target || r.name === target) && costRules.has(r.type));
        if (matches.length === 0) {
            warnings.push(`usage for "${target}" (${source}) matches no priced resource in this stack`);
            continue;
        }
        const known = new Set(matches.flatMap((r) => Object.keys(costRules.get(r.type)!.usage)));
        for (const key of Object.keys(values)) {
            if (!known.has(key)) {
                const types = [...new Set(matches.map((r) => r.type))].join(", ");
                problems.push(`resources.${target}.${key}: expected one of ${known.size ? [...known].join(", ") : "(no usage keys)"} for ${types}; found an unknown key`);
            }
        }
    }
    if (problems.length > 0) {
        throw new UsageFileError(source, problems);
    }
    return warnings;
}

/**
 * Prices declared resources with the rules and the region's price file. Every resource ends up
 * priced, free (with a reason) or not priced (with a reason).
 */
export function estimateCost(declared: readonly CostInput[], options: EstimateOptions): CostReport {
    const resources: CostInput[] = declared.map((r) => ({ ...r, inputs: (normalizeInputs(r.inputs) ?? {}) as Record<string, unknown> }));
    const usageDoc = options.usage ?? emptyUsage;
    const usageSource = options.usage ? (options.usageSource ?? "inline") : "none";
    const warnings = checkUsage(usageDoc, resources, usageSource);
    const regions = providerRegions(resources);
    // Component resources carry no provider; with one AWS region among the providers, that is theirs.
    const distinct = [...new Set(regions.values())];
    const defaultRegion = options.region ?? (distinct.length === 1 ? distinct[0] : undefined);
    const view = stackView(resources);
    const priced: PricedResource[] = [];
    const freeList: FreeResource[] = [];
    const notPriced: NotPricedResource[] = [];
    for (const r of resources) {
        const ref = { urn: r.urn, type: r.type, name: r.name };
        const cover = coverage(r.type);
        if (cover.kind === "free") {
            freeList.push({ ...ref, reason: cover.reason });
            continue;
        }
        if (cover.kind === "none") {
            notPriced.push({ ...ref, reason: `no cost rule for ${r.type}; add one under cost/rules/ or list it as free with a reason` });
            continue;
        }
        const region = regionOf(r, regions, defaultRegion);
        if (region === undefined) {
            throw new Error(`region: expected the region of ${r.urn} from its provider or the stack's aws:region; found neither. Fix: set aws:region on the stack (pulumi config set aws:region us-east-1)`);
        }
        const prices = loadPriceBook(region, options.pricesDirectory ?? pricesDirectory);
        const values = usageFor(usageDoc, r);
        const ctx: RuleContext = { prices, hours: prices.hoursPerMonth, usage: (key) => values[key], stack: view };
        try {
            const outcome = cover.rule.price(r.inputs, r, ctx);
            if (outcome.kind === "priced") {
                const monthly = money(outcome.components.reduce((sum, c) => sum + c.monthly, 0));
                priced.push({ ...ref, monthly, components: outcome.components });
            } else if (outcome.kind === "free") {
                freeList.push({ ...ref, reason: outcome.reason });
            } else {
                notPriced.push({ ...ref, reason: outcome.reason });
            }
        } catch (err) {
            if (err instanceof UnknownInputError || err instanceof MissingPriceError || err instanceof InvalidInputError) {
                notPriced.push({ ...ref, reason: err.message });
            } else {
                throw err;
            }
        }
    }
    const book = defaultRegion === undefined ? undefined : loadPriceBook(defaultRegion, options.pricesDirectory ?? pricesDirectory);
    const report: CostReport = {
        stack: options.stack,
        currency: "USD",
        region: defaultRegion ?? distinct[0] ?? "unknown",
        usageSource,
        monthly: totalsOf(priced),
        resources: priced,
        free: freeList,
        notPriced,
        warnings,
        freeTiers: book === undefined ? { upTo: 0, credits: [] } : freeTierSummary(priced, book),
    };
    const rate = options.usage?.recordsPerSecond;
    if (rate === undefined || book === undefined) {
        return report;
    }
    return { ...report, perMillion: perMillionRecords(report, rate, book.hoursPerMonth, firehoseAlternative(view, usageDoc, book, rate)) };
}

const firehoseType = "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream";

/** A config key's default from the ingest key table, as a number. */
function ingestDefault(name: string): number {
    return Number(ingestKeys.find((k) => k.name === name)?.default);
}

/**
 * What Firehose delivery (`ingestDelivery: firehose`) would cost for the same records: a delivery
 * stream as the platform declares it (dynamic partitioning, the default buffer, the ingest
 * function as its transformation) priced by the Firehose rule, with the records a month from
 * `recordsPerSecond` and the record size, partitions and transformation time from the usage
 * file's Firehose entry. Undefined when the stack has no ingest function or the usage file gives
 * no Firehose entry to price it with.
 */
function firehoseAlternative(view: StackView, usageDoc: UsageDocument, book: PriceBook, recordsPerSecond: number): { monthly: number; assumes: string } | undefined {
    const ingestFunction = view.ofType("aws:lambda/function:Function").find((r) => isIngestDelivery(r.urn));
    const assumed = usageDoc.resourceTypeDefaults[firehoseType];
    if (ingestFunction === undefined || typeof ingestFunction.inputs.name !== "string" || assumed === undefined || ["averageRecordKb", "activePartitions", "transformDurationMs"].some((key) => assumed[key] === undefined)) {
        return undefined;
    }
    const values: Record<string, number> = { ...assumed, monthlyRecordsMillions: recordsPerMonthAt(recordsPerSecond, book.hoursPerMonth) / 1e6 };
    const stream = {
        extendedS3Configuration: {
            bufferingSize: ingestDefault("firehoseBufferSizeMb"),
            bufferingInterval: ingestDefault("firehoseBufferIntervalSeconds"),
            dynamicPartitioningConfiguration: { enabled: true },
            processingConfiguration: { enabled: true, processors: [{ type: "Lambda", parameters: [{ parameterName: "LambdaArn", parameterValue: `arn:aws:lambda:::function:${ingestFunction.inputs.name}` }] }] },
        },
    };
    const rule = costRules.get(firehoseType)!;
    const outcome = rule.price(stream, { urn: "", type: firehoseType, name: "firehose-alternative", inputs: stream }, { prices: book, hours: book.hoursPerMonth, usage: (key) => values[key], stack: view });
    if (outcome.kind !== "priced") {
        return undefined;
    }
    const assumes = `${values.averageRecordKb} KB records billed in 5 KB increments, ${values.activePartitions} active partitions, ${values.transformDurationMs} ms per transformation; alarms left out on both sides`;
    return { monthly: outcome.components.reduce((sum, c) => sum + c.monthly, 0), assumes };
}

/**
 * What the always-free allowances could take off the total: per tier, the stack's quantity of the
 * tier's prices, capped at the allowance, at the components' average unit price.
 */
export function freeTierSummary(priced: readonly PricedResource[], book: PriceBook): FreeTierSummary {
    const credits: FreeTierCredit[] = [];
    for (const [id, tier] of Object.entries(book.freeTiers)) {
        const components = priced.flatMap((r) => r.components).filter((c) => c.quantity !== null && c.quantity > 0 && tier.priceIds.includes(c.priceId));
        const used = components.reduce((sum, c) => sum + (c.quantity ?? 0), 0);
        if (used === 0) {
            continue;
        }
        const dollars = components.reduce((sum, c) => sum + c.monthly, 0);
        credits.push({ id, unit: tier.unit, allowance: tier.allowance, used, upTo: money((Math.min(used, tier.allowance) / used) * dollars), source: tier.source });
    }
    return { upTo: money(credits.reduce((sum, c) => sum + c.upTo, 0)), credits };
}
