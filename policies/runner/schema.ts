import { PolicyConfigSchema } from "@pulumi/policy";
import { PolicyConfigJSONSchema } from "@pulumi/policy/schema";

/**
 * Validation of policy config against a policy's `configSchema`, for the JSON Schema keywords
 * this pack uses. The Pulumi CLI validates the reconciled config with gojsonschema before it
 * starts a preview; the offline runner must reject the same mistakes.
 */
export const supportedKeywords = new Set([
    "type",
    "enum",
    "minimum",
    "maximum",
    "minLength",
    "pattern",
    "items",
    "minItems",
    "uniqueItems",
    "properties",
    "required",
    "additionalProperties",
    "default",
    "description",
]);

export function validateConfig(schema: PolicyConfigSchema, config: Record<string, unknown>): string[] {
    return validate({ type: "object", properties: schema.properties, required: schema.required }, config, "");
}

function typeOf(value: unknown): string {
    if (value === null) {
        return "null";
    }
    if (Array.isArray(value)) {
        return "array";
    }
    if (typeof value === "number") {
        return Number.isInteger(value) ? "integer" : "number";
    }
    return typeof value;
}

function validate(schema: PolicyConfigJSONSchema | boolean, value: unknown, path: string): string[] {
    if (schema === true) {
        return [];
    }
    if (schema === false) {
        return [`${path || "(root)"}: no value is allowed here`];
    }
    const at = path || "(root)";
    const errors: string[] = [];
    for (const keyword of Object.keys(schema)) {
        if (!supportedKeywords.has(keyword)) {
            errors.push(`${at}: the schema uses "${keyword}", which the offline runner does not support`);
        }
    }
    if (schema.type !== undefined) {
        const allowed = Array.isArray(schema.type) ? schema.type : [schema.type];
        const actual = typeOf(value);
        const ok = allowed.some((t) => t === actual || (t === "number" && actual === "integer"));
        if (!ok) {
            return [...errors, `${at}: expected ${allowed.join(" or ")}, found ${actual}`];
        }
    }
    if (schema.enum && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
        errors.push(`${at}: expected one of ${schema.enum.map((e) => JSON.stringify(e)).join(", ")}, found ${JSON.stringify(value)}`);
    }
    if (typeof value === "number") {
        if (schema.minimum !== undefined && value < schema.minimum) {
            errors.push(`${at}: must be at least ${schema.minimum}, found ${value}`);
        }
        if (schema.maximum !== undefined && value > schema.maximum) {
            errors.push(`${at}: must be at most ${schema.maximum}, found ${value}`);
        }
    }
    if (typeof value === "string") {
        if (schema.minLength !== undefined && value.length < schema.minLength) {
            errors.push(`${at}: must be at least ${schema.minLength} characters long`);
        }
        if (schema.pattern !== undefined && !new RegExp(schema.pattern).test(value)) {
            errors.push(`${at}: must match ${schema.pattern}, found ${JSON.stringify(value)}`);
        }
    }
    if (Array.isArray(value)) {
        if (schema.minItems !== undefined && value.length < schema.minItems) {
            errors.push(`${at}: must have at least ${schema.minItems} items`);
        }
        if (schema.uniqueItems && new Set(value.map((v) => JSON.stringify(v))).size !== value.length) {
            errors.push(`${at}: items must be unique`);
        }
        if (schema.items !== undefined && !Array.isArray(schema.items)) {
            value.forEach((item, i) => errors.push(...validate(schema.items as PolicyConfigJSONSchema, item, `${path}[${i}]`)));
        }
    }
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
        const record = value as Record<string, unknown>;
        for (const key of schema.required ?? []) {
            if (!(key in record)) {
                errors.push(`${at}: ${key} is required`);
            }
        }
        for (const [key, item] of Object.entries(record)) {
            const sub = schema.properties?.[key];
            const child = path ? `${path}.${key}` : key;
            if (sub !== undefined) {
                errors.push(...validate(sub, item, child));
            } else if (schema.additionalProperties !== undefined) {
                errors.push(...validate(schema.additionalProperties, item, child));
            }
        }
    }
    return errors;
}
