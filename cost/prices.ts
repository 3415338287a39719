import * as fs from "fs";
import * as path from "path";

/**
 * Prices, one dated JSON file per region under `cost/prices/`. Every price carries its unit,
 * a source, a status (C confirmed, D derived, U unconfirmed, A assumption) and the date it held.
 * Asking for a region without a file, or for a price the file lacks, is an error: never zero.
 */

export type PriceStatus = "C" | "D" | "U" | "A";

export interface PriceTier {
    /** Upper bound of the tier, in the price's unit (cumulative). Absent on the last tier. */
    readonly upTo?: number;
    readonly price: number;
}

export interface PriceEntry {
    /** Flat price per unit; absent when `tiers` is given. */
    readonly price?: number;
    readonly tiers?: readonly PriceTier[];
    readonly unit: string;
    readonly status: PriceStatus;
    readonly asOf: string;
    readonly source: string;
}

/** An always-free monthly allowance per account, over the quantities of the listed prices. */
export interface FreeTier {
    readonly priceIds: readonly string[];
    /** The allowance, in the unit of the listed prices. */
    readonly allowance: number;
    readonly unit: string;
    readonly asOf: string;
    readonly source: string;
}

export interface PriceFile {
    readonly region: string;
    readonly currency: "USD";
    readonly updated: string;
    readonly hoursPerMonth: number;
    readonly notes?: string;
    readonly prices: Readonly<Record<string, PriceEntry>>;
    readonly freeTiers?: Readonly<Record<string, FreeTier>>;
}

export const pricesDirectory = path.join(__dirname, "prices");

export class UnknownRegionError extends Error {
    readonly region: string;
    constructor(region: string, known: readonly string[]) {
        super(
            `region: expected one of ${known.join(", ") || "(none)"} (the regions with a price file in cost/prices/); found "${region}". ` +
                `Fix: add cost/prices/${region}.json with the same keys as cost/prices/${known[0] ?? "us-east-1"}.json, or deploy to a priced region.`,
        );
        this.name = "UnknownRegionError";
        this.region = region;
    }
}

export class MissingPriceError extends Error {
    readonly priceId: string;
    constructor(priceId: string, region: string) {
        super(`no price "${priceId}" in cost/prices/${region}.json; add it with its unit, source, status and date (see cost/README.md)`);
        this.name = "MissingPriceError";
        this.priceId = priceId;
    }
}

/** The prices of one region. */
export class PriceBook {
    readonly region: string;
    readonly hoursPerMonth: number;
    readonly updated: string;
    private readonly entries: Readonly<Record<string, PriceEntry>>;
    readonly freeTiers: Readonly<Record<string, FreeTier>>;

    constructor(file: PriceFile) {
        validatePriceFile(file);
        this.region = file.region;
        this.hoursPerMonth = file.hoursPerMonth;
        this.updated = file.updated;
        this.entries = file.prices;
        this.freeTiers = file.freeTiers ?? {};
    }

    has(id: string): boolean {
        return Object.prototype.hasOwnProperty.call(this.entries, id);
    }

    entry(id: string): PriceEntry {
        if (!this.has(id)) {
            throw new MissingPriceError(id, this.region);
        }
        return this.entries[id];
    }

    /** The flat price of `id`, or the first tier's price of a tiered one. */
    price(id: string): number {
        const e = this.entry(id);
        return e.price ?? e.tiers![0].price;
    }

    ids(): string[] {
        return Object.keys(this.entries);
    }
}

function validatePriceFile(file: PriceFile): void {
    const problems: string[] = [];
    if (!Number.isFinite(file.hoursPerMonth) || file.hoursPerMonth <= 0) {
        problems.push(`hoursPerMonth: expected a positive number; found ${JSON.stringify(file.hoursPerMonth)}`);
    }
    for (const [id, e] of Object.entries(file.prices ?? {})) {
        const flat = typeof e.price === "number" && Number.isFinite(e.price) && e.price >= 0;
        const tiered = Array.isArray(e.tiers) && e.tiers.length > 0 && e.tiers.every((t, i) => t.price >= 0 && (i === e.tiers!.length - 1 ? t.upTo === undefined : (t.upTo ?? 0) > 0));
        if (flat === tiered) {
            problems.push(`${id}: expected either a non-negative "price" or "tiers" (the last tier without "upTo")`);
        }
        for (const field of ["unit", "asOf", "source"] as const) {
            if (typeof e[field] !== "string" || e[field].length === 0) {
                problems.push(`${id}.${field}: expected a non-empty string`);
            }
        }
        if (!/^\d{4}-\d{2}-\d{2}$/.test(e.asOf ?? "")) {
            problems.push(`${id}.asOf: expected a date YYYY-MM-DD; found ${JSON.stringify(e.asOf)}`);
        }
        if (!["C", "D", "U", "A"].includes(e.status)) {
            problems.push(`${id}.status: expected C, D, U or A; found ${JSON.stringify(e.status)}`);
        }
    }
    for (const [id, tier] of Object.entries(file.freeTiers ?? {})) {
        if (!Number.isFinite(tier.allowance) || tier.allowance <= 0) {
            problems.push(`freeTiers.${id}.allowance: expected a positive number; found ${JSON.stringify(tier.allowance)}`);
        }
        for (const priceId of tier.priceIds ?? []) {
            if (!Object.prototype.hasOwnProperty.call(file.prices ?? {}, priceId)) {
                problems.push(`freeTiers.${id}.priceIds: "${priceId}" is not a price in this file`);
            } else if (file.prices[priceId].unit !== tier.unit) {
                problems.push(`freeTiers.${id}.unit: expected "${file.prices[priceId].unit}" (the unit of ${priceId}); found "${tier.unit}"`);
            }
        }
        if ((tier.priceIds ?? []).length === 0) {
            problems.push(`freeTiers.${id}.priceIds: expected at least one price id`);
        }
    }
    if (problems.length > 0) {
        throw new Error(`invalid price file for ${file.region}:\n  - ${problems.join("\n  - ")}`);
    }
}

export function knownRegions(directory = pricesDirectory): string[] {
    return fs
        .readdirSync(directory)
        .filter((f) => f.endsWith(".json"))
        .map((f) => f.slice(0, -5))
        .sort();
}

const cache = new Map<string, PriceBook>();

/** Loads the price book of a region; throws `UnknownRegionError` for a region without a file. */
export function loadPriceBook(region: string, directory = pricesDirectory): PriceBook {
    const key = `${directory}\0${region}`;
    const cached = cache.get(key);
    if (cached) {
        return cached;
    }
    const known = knownRegions(directory);
    if (!/^[a-z0-9-]+$/.test(region) || !known.includes(region)) {
        throw new UnknownRegionError(region, known);
    }
    const file = JSON.parse(fs.readFileSync(path.join(directory, `${region}.json`), "utf8")) as PriceFile;
    if (file.region !== region) {
        throw new Error(`cost/prices/${region}.json declares region "${file.region}"; expected "${region}"`);
    }
    const book = new PriceBook(file);
    cache.set(key, book);
    return book;
}
