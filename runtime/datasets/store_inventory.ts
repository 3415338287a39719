import { DatasetDefinition } from "./types";

/**
 * Store inventory snapshots: how many units of a SKU a store had on hand at a moment. Partners
 * deliver it as daily CSV file drops (one row per store and SKU); a later snapshot of the same
 * store and SKU supersedes an earlier one, so the key includes the as-of time.
 */
export const storeInventory: DatasetDefinition = {
    name: "store_inventory",
    version: 1,
    description: "On-hand stock per store and SKU, as of a point in time, delivered by partners as file drops",
    fields: [
        {
            name: "store_id",
            type: "string",
            description: "Store identifier (S followed by 4 digits)",
            required: true,
            rules: { pattern: "^S[0-9]{4}$" },
            normalise: { trim: true, case: "upper" },
        },
        {
            name: "sku",
            type: "string",
            description: "Stock keeping unit",
            required: true,
            rules: { pattern: "^[A-Z0-9-]{4,32}$" },
            normalise: { trim: true, case: "upper" },
        },
        {
            name: "on_hand",
            type: "int",
            description: "Units on hand in the store at the as-of time",
            required: true,
            rules: { min: 0, max: 1_000_000 },
        },
        {
            name: "as_of",
            type: "timestamp",
            description: "When the stock was counted (UTC)",
            required: true,
            rules: { maxFutureSkewSeconds: 86_400 },
        },
    ],
    key: ["store_id", "sku", "as_of"],
    eventTimeField: "as_of",
    partitioning: "hour",
    crossFieldRules: [],
    quality: [
        { kind: "rowCount", name: "inventory_present", min: 1, level: "error" },
        { kind: "uniqueness", name: "inventory_key_unique", columns: ["store_id", "sku", "as_of"], mostly: 1.0, level: "error" },
        { kind: "range", name: "on_hand_in_range", column: "on_hand", min: 0, max: 1_000_000, mostly: 1.0, level: "error" },
        { kind: "freshness", name: "inventory_fresh", column: "as_of", maxAgeHours: 48, level: "warn" },
    ],
    warehouse: { distStyle: "KEY", distKey: "sku", sortKeys: ["as_of", "store_id"] },
    classification: "internal",
    source: "file",
    aggregates: [
        {
            name: "daily_stock_by_store",
            groupBy: ["store_id"],
            measures: [
                { name: "skus", fn: "countDistinct", column: "sku" },
                { name: "units_on_hand", fn: "sum", column: "on_hand" },
            ],
        },
    ],
};
