import { DatasetDefinition } from "./types";

/**
 * Customers of the retail business, captured from the operational database's `public.customers`
 * table by change data capture (runtime/cdc). Orders reference them by `customer_id`; the
 * transform puts each customer's segment and country on the curated order.
 */
export const customers: DatasetDefinition = {
    name: "customers",
    version: 1,
    description: "Customers from the operational database, one row per customer (latest state, or every version in history mode)",
    fields: [
        {
            name: "id",
            type: "string",
            description: "Customer identifier (CUST- followed by 8 digits), the source table's primary key",
            required: true,
            rules: { pattern: "^CUST-[0-9]{8}$" },
        },
        { name: "name", type: "string", description: "Full name (personal data)", required: true, rules: { minLength: 1, maxLength: 200 } },
        { name: "email", type: "string", description: "E-mail address (personal data)", rules: { maxLength: 320, pattern: "^[^@\\s]+@[^@\\s]+$" } },
        { name: "country", type: "string", description: "ISO 3166-1 alpha-2 country of residence (personal data)", rules: { pattern: "^[A-Z]{2}$" } },
        { name: "segment", type: "string", description: "Marketing segment", required: true, rules: { allowed: ["consumer", "small_business", "enterprise"] } },
        { name: "created_at", type: "timestamp", description: "When the customer was created at the source (UTC)", required: true },
        { name: "updated_at", type: "timestamp", description: "When the customer row last changed at the source (UTC)", required: true },
    ],
    key: ["id"],
    eventTimeField: "updated_at",
    partitioning: "hour",
    crossFieldRules: [{ kind: "notAfter", name: "created_before_updated", earlier: "created_at", later: "updated_at" }],
    quality: [
        { kind: "uniqueness", name: "customer_id_unique", columns: ["id"], mostly: 1.0, level: "error" },
        { kind: "completeness", name: "customer_country_present", column: "country", mostly: 0.95, level: "warn" },
    ],
    // Joined to orders on the customer id: the same distribution key co-locates the join.
    warehouse: { distStyle: "KEY", distKey: "id", sortKeys: ["id"] },
    classification: "confidential",
    personalData: ["name", "email", "country"],
    aggregates: [],
    history: "current",
    // Orders join this on customer_id (the enrichment `customers` in orders.ts).
    publishes: { name: "customers", columns: { id: "customer_id", segment: "customer_segment", country: "customer_country" } },
    source: "database",
    sourceTable: { schema: "public", table: "customers" },
};
