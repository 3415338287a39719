import { createHash } from "crypto";
import { orders } from "../../../runtime/datasets";
import { DatasetDefinition, FieldDefinition } from "../../../runtime/datasets/types";
import { MskEvent } from "../../../runtime/ingest/types";
import { mskEvent, validOrder } from "../../helpers/ingest/events";

/** `orders` as it was before the fix: BRL and MXN not yet accepted, coupon codes of at most 8 characters. */
export const ordersBeforeFix: DatasetDefinition = {
    ...orders,
    fields: orders.fields.map((field): FieldDefinition => {
        if (field.name === "currency" && field.type !== "array") {
            return { ...field, rules: { ...field.rules, allowed: ["USD", "EUR", "GBP", "JPY", "AUD", "CAD"] } };
        }
        if (field.name === "coupon_code" && field.type !== "array") {
            return { ...field, rules: { ...field.rules, maxLength: 8 } };
        }
        return field;
    }),
};

/**
 * One MSK batch, offsets 100 to 106, stream time 2024-05-01T10:16Z. Under `ordersBeforeFix`:
 * A (BRL), B (MXN and a wrong amount) and D (region MARS) are rejected as not_allowed, C (a long
 * coupon, event time 09:40) as length_out_of_range, E as not_json, F (no value) as undecodable;
 * G lands. With the fix A and C pass, B fails on the amount (cross_field), the rest fail as before.
 */
export const replayBatch: MskEvent = mskEvent([
    { offset: 100, key: "A", value: validOrder({ order_id: "ORD-AAAAAAAAAAA1", currency: "BRL" }) },
    { offset: 101, key: "B", value: validOrder({ order_id: "ORD-BBBBBBBBBBB1", currency: "MXN", amount: 99 }) },
    { offset: 102, key: "C", value: validOrder({ order_id: "ORD-CCCCCCCCCCC1", coupon_code: "SPRING2024SALE", event_time: "2024-05-01T09:40:00Z" }) },
    { offset: 103, key: "D", value: validOrder({ order_id: "ORD-DDDDDDDDDDD1", region: "MARS" }) },
    { offset: 104, key: "E", value: "{oops" },
    { offset: 105, key: "F", value: null },
    { offset: 106, key: "G", value: validOrder({ order_id: "ORD-GGGGGGGGGGG1" }) },
]);

/** The object name of every object `replayBatch` lands. */
export const replayBatchName = "orders+0+00000000000000000100";

export const replayRejectKeys = {
    notAllowed: `orders/error_type=not_allowed/dt=2024-05-01/hour=10/${replayBatchName}.ndjson.gz`,
    length: `orders/error_type=length_out_of_range/dt=2024-05-01/hour=10/${replayBatchName}.ndjson.gz`,
    notJson: `orders/error_type=not_json/dt=2024-05-01/hour=10/${replayBatchName}.ndjson.gz`,
    undecodable: `orders/error_type=undecodable/dt=2024-05-01/hour=10/${replayBatchName}.ndjson.gz`,
};

/** The replay id of a reject object, computed independently of the code under test. */
export function expectedReplayId(rejectKey: string): string {
    return createHash("sha256").update(rejectKey).digest("hex").slice(0, 24);
}

/** A compaction output key, computed independently of the code under test. */
export function expectedCompactedKey(hour: string, inputs: readonly string[]): string {
    const id = createHash("sha256").update([...inputs].sort().join("\n")).digest("hex").slice(0, 32);
    return `orders/dt=2024-05-01/hour=${hour}/compacted-${id}.ndjson.gz`;
}

const compactionStreamMs = Date.UTC(2024, 4, 1, 15);

/** One MSK batch of valid orders at the given offsets, with event times in `hour` of 2024-05-01. */
export function ordersBatchAt(offsets: readonly number[], hour: number): MskEvent {
    return mskEvent(
        offsets.map((offset) => ({
            offset,
            timestamp: compactionStreamMs,
            value: validOrder({ order_id: `ORD-${String(offset).padStart(12, "0")}`, event_time: `2024-05-01T${String(hour).padStart(2, "0")}:${String(offset % 60).padStart(2, "0")}:00Z` }),
        })),
    );
}

/** The raw key of the batch whose first offset is `first`, in `hour`. */
export function rawBatchKey(hour: string, first: number): string {
    return `orders/dt=2024-05-01/hour=${hour}/orders+0+${String(first).padStart(20, "0")}.ndjson.gz`;
}
