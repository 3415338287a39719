import { ConfigurationError } from "../common/errors";
import { RejectErrorType } from "../ingest/types";
import { ProducerMessage } from "./types";

/**
 * A generator of realistic `orders` records (valid per runtime/datasets/orders.ts), deterministic
 * for a seed, with a configurable share of defective ones: rule violations of every kind the
 * validator knows, and poison (not JSON, not an object, not UTF-8, oversized). Each message says
 * which defect it carries and the reject error type the ingest function must give it.
 */

/** The defects the generator can inject, each mapped to the error type the validator reports first. */
export const orderDefects = {
    missing_customer: "missing_required",
    bad_order_id: "pattern_mismatch",
    unknown_region: "not_allowed",
    zero_quantity: "out_of_range",
    quantity_as_text: "type_mismatch",
    amount_mismatch: "cross_field",
    amount_too_precise: "decimal_precision",
    shipped_without_time: "cross_field",
    shipped_before_event: "cross_field",
    future_event_time: "future_timestamp",
    extra_field: "unknown_field",
    long_coupon: "length_out_of_range",
    no_line_items: "item_count",
    not_json: "not_json",
    json_array: "not_object",
    binary: "undecodable",
    oversized: "oversized",
} as const satisfies Record<string, RejectErrorType>;

export type OrderDefect = keyof typeof orderDefects;

export interface OrderGeneratorOptions {
    /** Seed of the pseudo-random sequence; equal seeds and options give equal messages. */
    readonly seed: number;
    /** Share of defective messages, 0 to 1. Defaults to 0. */
    readonly badRatio?: number;
    /** Event time of the first order, epoch milliseconds. Defaults to 2024-05-01T00:00:00Z. */
    readonly startTimeMs?: number;
    /** Mean spacing of event times in milliseconds. Defaults to 1,000. */
    readonly intervalMs?: number;
    /** Defects to draw from. Defaults to all except `oversized` (which needs `oversizeBytes`). */
    readonly defects?: readonly OrderDefect[];
    /** Payload size of `oversized` messages; required to enable that defect. */
    readonly oversizeBytes?: number;
}

export interface GeneratedOrder extends ProducerMessage {
    /** 0-based position in the generated sequence. */
    readonly sequence: number;
    readonly defect: OrderDefect | null;
    /** The reject error type the ingest function must report, or null for a valid order. */
    readonly expectedErrorType: RejectErrorType | null;
}

export interface OrderGenerator {
    next(): GeneratedOrder;
    take(count: number): GeneratedOrder[];
}

/** mulberry32: a small, fast, well-distributed 32-bit PRNG. Returns floats in [0, 1). */
export function createRandom(seed: number): () => number {
    let state = seed >>> 0;
    return () => {
        state = (state + 0x6d2b79f5) >>> 0;
        let t = state;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

const alphanumeric = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const regions = [
    { region: "NA", weight: 40, currencies: ["USD", "CAD"] },
    { region: "EMEA", weight: 30, currencies: ["EUR", "GBP"] },
    { region: "APAC", weight: 20, currencies: ["JPY", "AUD"] },
    { region: "LATAM", weight: 10, currencies: ["BRL", "MXN"] },
];
const statuses = [
    { status: "placed", weight: 40 },
    { status: "paid", weight: 30 },
    { status: "shipped", weight: 20 },
    { status: "cancelled", weight: 5 },
    { status: "refunded", weight: 5 },
];
const channels = [
    { channel: "store", weight: 50 },
    { channel: "web", weight: 30 },
    { channel: "mobile", weight: 20 },
];
const coupons = ["SAVE10", "WELCOME5", "SPRING24", "VIP20", "FREESHIP"];

function pickWeighted<T extends { readonly weight: number }>(random: () => number, items: readonly T[]): T {
    const total = items.reduce((sum, item) => sum + item.weight, 0);
    let roll = random() * total;
    for (const item of items) {
        roll -= item.weight;
        if (roll < 0) {
            return item;
        }
    }
    return items[items.length - 1] as T;
}

function pick<T>(random: () => number, items: readonly T[]): T {
    return items[Math.floor(random() * items.length)] as T;
}

function integer(random: () => number, min: number, max: number): number {
    return min + Math.floor(random() * (max - min + 1));
}

function code(random: () => number, length: number, alphabet = alphanumeric): string {
    let text = "";
    for (let i = 0; i < length; i += 1) {
        text += alphabet[Math.floor(random() * alphabet.length)];
    }
    return text;
}

/** An ISO timestamp, sometimes written with a non-UTC offset (same instant) as real producers do. */
function isoTime(random: () => number, epochMs: number): string {
    if (random() < 0.1) {
        const offsetHours = pick(random, [2, -5, 9]);
        const local = new Date(epochMs + offsetHours * 3_600_000).toISOString().slice(0, 19);
        const sign = offsetHours < 0 ? "-" : "+";
        return `${local}${sign}${String(Math.abs(offsetHours)).padStart(2, "0")}:00`;
    }
    return new Date(epochMs).toISOString();
}

/** Creates the generator. */
export function createOrderGenerator(options: OrderGeneratorOptions): OrderGenerator {
    const random = createRandom(options.seed);
    const badRatio = options.badRatio ?? 0;
    if (!(badRatio >= 0 && badRatio <= 1)) {
        throw new ConfigurationError("badRatio", `badRatio must be a share between 0 and 1, such as 0.05; found ${badRatio}`);
    }
    const defects = options.defects ?? (Object.keys(orderDefects) as OrderDefect[]).filter((defect) => defect !== "oversized" || options.oversizeBytes !== undefined);
    if (defects.includes("oversized") && options.oversizeBytes === undefined) {
        throw new ConfigurationError("oversizeBytes", "the oversized defect needs oversizeBytes (the payload size to generate); found none. Pass oversizeBytes, such as 1100000, or leave 'oversized' out of defects");
    }
    if (badRatio > 0 && defects.length === 0) {
        throw new ConfigurationError("defects", `badRatio is ${badRatio} but defects is empty: expected at least one defect when badRatio is above 0; enable a defect or set badRatio to 0`);
    }
    const startTimeMs = options.startTimeMs ?? Date.UTC(2024, 4, 1);
    const intervalMs = options.intervalMs ?? 1_000;
    let sequence = 0;

    const next = (): GeneratedOrder => {
        const index = sequence;
        sequence += 1;
        const eventMs = startTimeMs + index * intervalMs + Math.floor(random() * intervalMs);
        const region = pickWeighted(random, regions);
        const channel = pickWeighted(random, channels).channel;
        const status = pickWeighted(random, statuses).status;
        const itemCount = random() < 0.8 ? integer(random, 1, 3) : integer(random, 4, 8);
        const lineItems = Array.from({ length: itemCount }, () => ({
            sku: `SKU-${code(random, 6)}`,
            quantity: random() < 0.9 ? integer(random, 1, 5) : integer(random, 6, 40),
            unitCents: integer(random, 199, 49_999),
        }));
        const orderId = `ORD-${code(random, 12)}`;
        const order: Record<string, unknown> = {
            order_id: orderId,
            customer_id: `CUST-${String(integer(random, 1, 50_000)).padStart(8, "0")}`,
            store_id: channel === "store" ? `S${String(integer(random, 1, 250)).padStart(4, "0")}` : "WEB",
            // Producers are sloppy with case and spacing; the dataset normalises both.
            region: random() < 0.05 ? region.region.toLowerCase() : region.region,
            channel: random() < 0.05 ? ` ${channel.toUpperCase()} ` : channel,
            status,
            currency: pick(random, region.currencies),
            amount: lineItems.reduce((sum, item) => sum + item.quantity * item.unitCents, 0) / 100,
            line_items: lineItems.map((item) => ({ sku: item.sku, quantity: item.quantity, unit_price: item.unitCents / 100 })),
            ...(random() < 0.1 ? { coupon_code: pick(random, coupons) } : {}),
            event_time: isoTime(random, eventMs),
            ...(status === "shipped" ? { shipped_time: new Date(eventMs + integer(random, 1, 48) * 3_600_000).toISOString() } : {}),
        };
        const defect: OrderDefect | null = badRatio > 0 && random() < badRatio ? pick(random, defects) : null;
        const value = defect === null ? Buffer.from(JSON.stringify(order)) : applyDefect(defect, order, eventMs, options.oversizeBytes ?? 0);
        return {
            key: orderId,
            value,
            headers: { "content-type": "application/json", producer: "etl-platform-order-generator" },
            sequence: index,
            defect,
            expectedErrorType: defect === null ? null : orderDefects[defect],
        };
    };

    return { next, take: (count: number) => Array.from({ length: count }, () => next()) };
}

function applyDefect(defect: OrderDefect, order: Record<string, unknown>, eventMs: number, oversizeBytes: number): Buffer {
    const items = order.line_items as { sku: string; quantity: unknown; unit_price: number }[];
    const recomputeAmount = () => {
        order.amount = Math.round(items.reduce((sum, item) => sum + (typeof item.quantity === "number" ? item.quantity : 0) * item.unit_price * 100, 0)) / 100;
    };
    switch (defect) {
        case "missing_customer":
            delete order.customer_id;
            break;
        case "bad_order_id":
            order.order_id = `ORDER-${String(order.order_id).slice(4, 10)}`;
            break;
        case "unknown_region":
            order.region = "MARS";
            break;
        case "zero_quantity":
            (items[0] as { quantity: unknown }).quantity = 0;
            recomputeAmount();
            break;
        case "quantity_as_text":
            (items[0] as { quantity: unknown }).quantity = String((items[0] as { quantity: unknown }).quantity);
            break;
        case "amount_mismatch":
            order.amount = Math.round(((order.amount as number) + 5) * 100) / 100;
            break;
        case "amount_too_precise":
            order.amount = (order.amount as number) + 0.004;
            break;
        case "shipped_without_time":
            order.status = "shipped";
            delete order.shipped_time;
            break;
        case "shipped_before_event":
            order.status = "shipped";
            order.shipped_time = new Date(eventMs - 3_600_000).toISOString();
            break;
        case "future_event_time":
            order.event_time = new Date(eventMs + 7 * 86_400_000).toISOString();
            delete order.shipped_time;
            order.status = "placed";
            break;
        case "extra_field":
            order.loyalty_tier = "gold";
            break;
        case "long_coupon":
            order.coupon_code = "C".repeat(25);
            break;
        case "no_line_items":
            order.line_items = [];
            order.amount = 0;
            break;
        case "not_json":
            return Buffer.from(JSON.stringify(order).slice(0, 40));
        case "json_array":
            return Buffer.from(JSON.stringify([order]));
        case "binary":
            return Buffer.from([0xff, 0xfe, 0x00, 0x81, ...Buffer.from(String(order.order_id))]);
        case "oversized":
            order.notes = "x".repeat(Math.max(0, oversizeBytes));
            break;
    }
    return Buffer.from(JSON.stringify(order));
}
