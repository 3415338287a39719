import { DatasetDefinition } from "./types";

/** ISO 4217 codes the platform converts between; the orders dataset's currencies plus a few majors. */
const currencies = ["USD", "EUR", "GBP", "JPY", "AUD", "CAD", "BRL", "MXN", "CHF", "CNY", "INR", "SEK"];

/**
 * Daily currency exchange rates, pulled from an HTTP API by the `fx_rates` API connector
 * (runtime/connectors/api). One record per (base, quote, rate date) revision: the provider may
 * correct a day's rate later, which arrives as a record with the same key and a later
 * `updated_at`; the transform keeps the latest revision per key (the event-time rule every
 * dataset follows). The Spark job converts order amounts to USD with the USD-based rates.
 */
export const fxRates: DatasetDefinition = {
    name: "fx_rates",
    version: 1,
    source: "api",
    description: "Daily currency exchange rates (units of quote currency per one unit of base currency), from an HTTP API",
    fields: [
        {
            name: "base_currency",
            type: "string",
            description: "ISO 4217 code of the currency being priced",
            required: true,
            rules: { allowed: currencies },
            normalise: { trim: true, case: "upper" },
        },
        {
            name: "quote_currency",
            type: "string",
            description: "ISO 4217 code of the currency the rate is expressed in",
            required: true,
            rules: { allowed: currencies },
            normalise: { trim: true, case: "upper" },
        },
        {
            name: "rate_date",
            type: "date",
            description: "The business day the rate applies to (the provider's reference date)",
            required: true,
        },
        {
            name: "rate",
            type: "decimal",
            // 15 digits: the most a double holds exactly, so rates travel as JSON numbers.
            precision: 15,
            scale: 8,
            description: "Units of quote currency for one unit of base currency",
            required: true,
            rules: { min: 0.00000001, max: 9_999_999 },
        },
        {
            name: "provider",
            type: "string",
            description: "Who published the rate (for example ECB)",
            rules: { maxLength: 40 },
            normalise: { trim: true },
        },
        {
            name: "updated_at",
            type: "timestamp",
            description: "When the provider published this revision of the rate (UTC); the connector's incremental field",
            required: true,
            rules: { maxFutureSkewSeconds: 300 },
        },
    ],
    key: ["base_currency", "quote_currency", "rate_date"],
    eventTimeField: "updated_at",
    partitioning: "hour",
    crossFieldRules: [],
    quality: [
        { kind: "rowCount", name: "fx_rates_present", min: 1, level: "error" },
        { kind: "uniqueness", name: "one_rate_per_pair_and_day", columns: ["base_currency", "quote_currency", "rate_date"], mostly: 1.0, level: "error" },
        { kind: "range", name: "rate_positive", column: "rate", min: 0.00000001, max: 9_999_999, mostly: 1.0, level: "error" },
        { kind: "freshness", name: "fx_rates_fresh", column: "updated_at", maxAgeHours: 96, level: "warn" },
    ],
    warehouse: { distStyle: "AUTO", sortKeys: ["rate_date", "quote_currency"] },
    classification: "public",
    aggregates: [],
};
