import { ArrayOfStructField, CrossFieldRule, DatasetDefinition, ScalarField } from "../../../runtime/datasets/types";
import { formatTimestamp, isCanonicalTimestamp, isIsoDate, parseTimestamp } from "../../../runtime/ingest/time";
import { Violation } from "../../../runtime/ingest/types";
import { RecordValidator, ValidationContext, ValidationResult, maxViolationsPerRecord } from "../../../runtime/ingest/validate";

/**
 * The reference validator: a plain interpreter of the dataset rules, walking the definition for
 * every value. It is the specification the shipped validator (`runtime/ingest/validate.ts`, which
 * generates one function per dataset for speed) is checked against: both must give the same
 * normalised record, or the same violations in the same order with the same messages, for every
 * document. Only the tests use it.
 */

interface CompiledScalar {
    readonly field: ScalarField;
    readonly allowed?: ReadonlySet<string>;
    readonly pattern?: RegExp;
}

interface CompiledArray {
    readonly field: ArrayOfStructField;
    readonly items: readonly CompiledScalar[];
    readonly itemNames: ReadonlySet<string>;
}

type Compiled = CompiledScalar | CompiledArray;

const decimalText = /^[+-]?(\d+)(?:\.(\d+))?$/;

function show(value: unknown): string {
    let text: string;
    try {
        text = typeof value === "string" ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
    } catch {
        text = String(value);
    }
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function kindOf(value: unknown): string {
    return Array.isArray(value) ? "an array" : value === null ? "null" : typeof value === "object" ? "an object" : `a ${typeof value}`;
}

function compileScalar(field: ScalarField): CompiledScalar {
    const rules = field.rules ?? {};
    return {
        field,
        ...(rules.allowed ? { allowed: new Set(rules.allowed) } : {}),
        ...(rules.pattern !== undefined ? { pattern: new RegExp(`^(?:${rules.pattern})$`) } : {}),
    };
}

function expectedType(field: ScalarField): string {
    switch (field.type) {
        case "string":
            return "a string";
        case "int":
            return "a 32-bit integer";
        case "long":
            return "an integer within ±2^53";
        case "double":
            return "a finite number";
        case "decimal":
            return `a decimal number (precision ${field.precision}, scale ${field.scale}) as a JSON number or string`;
        case "boolean":
            return "true or false";
        case "date":
            return "a date written YYYY-MM-DD";
        case "timestamp":
            return "an ISO-8601 timestamp with a zone, such as 2024-05-01T10:15:00Z";
    }
}

interface ViolationList {
    readonly items: Violation[];
    add(errorType: Violation["errorType"], rule: string, field: string, message: string): void;
}

function createViolationList(): ViolationList {
    const items: Violation[] = [];
    const add = (errorType: Violation["errorType"], rule: string, field: string, message: string) => {
        if (items.length < maxViolationsPerRecord) {
            items.push({ errorType, rule, field, message: `${field}: ${message}` });
        }
    };
    return { items, add };
}

/**
 * Checks one scalar value. Returns the normalised value, `null` for an absent optional value, or
 * `undefined` after recording a violation.
 */
function mismatch(field: ScalarField, raw: unknown, path: string, out: ViolationList): undefined {
    out.add("type_mismatch", "type", path, `expected ${expectedType(field)}, found ${kindOf(raw)} ${show(raw)}`);
    return undefined;
}

const noRules: ScalarField["rules"] = {};

function checkScalar(compiled: CompiledScalar, raw: unknown, path: string, context: ValidationContext, out: ViolationList): unknown {
    const field = compiled.field;
    const rules = field.rules ?? (noRules as NonNullable<ScalarField["rules"]>);
    let value: unknown = raw;
    if (typeof value === "string" && field.type === "string") {
        if (field.normalise?.trim) {
            value = (value as string).trim();
        }
        if (field.normalise?.case === "upper") {
            value = (value as string).toUpperCase();
        } else if (field.normalise?.case === "lower") {
            value = (value as string).toLowerCase();
        }
        if (value === "") {
            value = null;
        }
    }
    if (value === undefined || value === null) {
        if (field.required) {
            out.add("missing_required", "required", path, raw === "" || typeof raw === "string" ? "a value is required, found an empty string" : "a value is required, found none (missing or null)");
            return undefined;
        }
        return null;
    }
    let normalised: string | number | boolean;
    let numeric: number | undefined;
    switch (field.type) {
        case "string":
            if (typeof value !== "string") {
                return mismatch(field, raw, path, out);
            }
            normalised = value;
            break;
        case "int":
            if (typeof value !== "number" || !Number.isInteger(value) || value < -2147483648 || value > 2147483647) {
                return mismatch(field, raw, path, out);
            }
            normalised = numeric = value;
            break;
        case "long":
            if (typeof value !== "number" || !Number.isSafeInteger(value)) {
                return mismatch(field, raw, path, out);
            }
            normalised = numeric = value;
            break;
        case "double":
            if (typeof value !== "number" || !Number.isFinite(value)) {
                return mismatch(field, raw, path, out);
            }
            normalised = numeric = value;
            break;
        case "decimal": {
            const checked = checkDecimal(field, value, path, out);
            if (checked === undefined) {
                return undefined;
            }
            if ("mismatch" in checked) {
                return mismatch(field, raw, path, out);
            }
            normalised = checked.value;
            numeric = checked.numeric;
            break;
        }
        case "boolean":
            if (typeof value !== "boolean") {
                return mismatch(field, raw, path, out);
            }
            normalised = value;
            break;
        case "date":
            if (typeof value !== "string" || !isIsoDate(value)) {
                return mismatch(field, raw, path, out);
            }
            normalised = value;
            break;
        case "timestamp": {
            const epochMs = typeof value === "string" ? parseTimestamp(value) : undefined;
            if (epochMs === undefined) {
                return mismatch(field, raw, path, out);
            }
            if (rules.maxFutureSkewSeconds !== undefined && context.referenceTimeMs !== null && epochMs > context.referenceTimeMs + rules.maxFutureSkewSeconds * 1000) {
                out.add(
                    "future_timestamp",
                    "maxFutureSkewSeconds",
                    path,
                    `expected at most ${rules.maxFutureSkewSeconds} s after the stream time ${formatTimestamp(context.referenceTimeMs)}, found ${show(raw)} (${Math.round((epochMs - context.referenceTimeMs) / 1000)} s ahead); check the producer's clock`,
                );
                return undefined;
            }
            normalised = isCanonicalTimestamp(value as string) ? (value as string) : formatTimestamp(epochMs);
            break;
        }
    }
    let ok = true;
    if (numeric !== undefined) {
        if (rules.min !== undefined && numeric < rules.min) {
            out.add("out_of_range", "min", path, `expected a value >= ${rules.min}, found ${show(raw)}`);
            ok = false;
        }
        if (rules.max !== undefined && numeric > rules.max) {
            out.add("out_of_range", "max", path, `expected a value <= ${rules.max}, found ${show(raw)}`);
            ok = false;
        }
    }
    if (typeof normalised === "string" && field.type === "string") {
        if (rules.minLength !== undefined && normalised.length < rules.minLength) {
            out.add("length_out_of_range", "minLength", path, `expected at least ${rules.minLength} characters, found ${normalised.length} in ${show(raw)}`);
            ok = false;
        }
        if (rules.maxLength !== undefined && normalised.length > rules.maxLength) {
            out.add("length_out_of_range", "maxLength", path, `expected at most ${rules.maxLength} characters, found ${normalised.length} in ${show(raw)}`);
            ok = false;
        }
        if (compiled.pattern && !compiled.pattern.test(normalised)) {
            out.add("pattern_mismatch", "pattern", path, `expected a value matching ${rules.pattern}, found ${show(raw)}`);
            ok = false;
        }
    }
    if (compiled.allowed && !compiled.allowed.has(String(normalised))) {
        out.add("not_allowed", "allowed", path, `expected one of ${[...compiled.allowed].join(", ")}, found ${show(raw)}`);
        ok = false;
    }
    return ok ? normalised : undefined;
}

const mismatchMarker = { mismatch: true } as const;

/** Decimal checks: type, then precision/scale. Returns the stored value and its numeric value. */
function checkDecimal(
    field: ScalarField,
    value: unknown,
    path: string,
    out: ViolationList,
): { readonly value: number | string; readonly numeric: number } | typeof mismatchMarker | undefined {
    const precision = field.precision ?? 18;
    const scale = field.scale ?? 2;
    let integerDigits: number;
    let fractionDigits: number;
    let numeric: number;
    let text: string | undefined;
    if (typeof value === "number") {
        if (!Number.isFinite(value)) {
            return mismatchMarker;
        }
        numeric = value;
        const scaled = Math.abs(value) * 10 ** scale;
        const rounded = Math.round(scaled);
        fractionDigits = Math.abs(scaled - rounded) <= 1e-9 * Math.max(1, scaled) ? 0 : scale + 1;
        integerDigits = Math.abs(value) < 10 ** (precision - scale) ? 0 : precision - scale + 1;
    } else if (typeof value === "string") {
        const match = decimalText.exec(value.trim());
        if (!match) {
            return mismatchMarker;
        }
        text = value.trim();
        numeric = Number(text);
        integerDigits = (match[1] ?? "").replace(/^0+/, "").length;
        fractionDigits = (match[2] ?? "").replace(/0+$/, "").length;
    } else {
        return mismatchMarker;
    }
    if (fractionDigits > scale) {
        out.add("decimal_precision", "scale", path, `expected at most ${scale} digits after the point, found ${show(value)}`);
        return undefined;
    }
    if (integerDigits > precision - scale) {
        out.add("decimal_precision", "precision", path, `expected at most ${precision - scale} digits before the point (decimal(${precision},${scale})), found ${show(value)}`);
        return undefined;
    }
    const factor = 10 ** scale;
    const roundedNumber = Math.round(numeric * factor) / factor;
    if (precision > 15 && text !== undefined) {
        return { value: canonicalDecimal(text), numeric };
    }
    return { value: Object.is(roundedNumber, -0) ? 0 : roundedNumber, numeric };
}

/** `+007.50` → `7.5`, `-0.0` → `0`. */
function canonicalDecimal(text: string): string {
    const negative = text.startsWith("-");
    const unsigned = text.replace(/^[+-]/, "");
    const [integer = "0", fraction = ""] = unsigned.split(".");
    const int = integer.replace(/^0+(?=\d)/, "");
    const frac = fraction.replace(/0+$/, "");
    const body = frac ? `${int}.${frac}` : int;
    return negative && body !== "0" ? `-${body}` : body;
}

function checkArray(compiled: CompiledArray, raw: unknown, context: ValidationContext, out: ViolationList): unknown {
    const field = compiled.field;
    if (raw === undefined || raw === null) {
        if (field.required) {
            out.add("missing_required", "required", field.name, "a value is required, found none (missing or null)");
            return undefined;
        }
        return null;
    }
    if (!Array.isArray(raw)) {
        out.add("type_mismatch", "type", field.name, `expected an array of objects, found ${kindOf(raw)} ${show(raw)}`);
        return undefined;
    }
    let ok = true;
    if (field.minItems !== undefined && raw.length < field.minItems) {
        out.add("item_count", "minItems", field.name, `expected at least ${field.minItems} items, found ${raw.length}`);
        ok = false;
    }
    if (field.maxItems !== undefined && raw.length > field.maxItems) {
        out.add("item_count", "maxItems", field.name, `expected at most ${field.maxItems} items, found ${raw.length}`);
        ok = false;
    }
    const items: Record<string, unknown>[] = [];
    raw.forEach((item: unknown, index: number) => {
        const path = `${field.name}[${index}]`;
        if (typeof item !== "object" || item === null || Array.isArray(item)) {
            out.add("type_mismatch", "type", path, `expected an object, found ${kindOf(item)} ${show(item)}`);
            ok = false;
            return;
        }
        const source = item as Record<string, unknown>;
        for (const name in source) {
            if (Object.prototype.hasOwnProperty.call(source, name) && !compiled.itemNames.has(name)) {
                out.add("unknown_field", "schema", `${path}.${name}`, `the dataset does not declare this field; expected only ${[...compiled.itemNames].join(", ")}`);
                ok = false;
            }
        }
        const normalised: Record<string, unknown> = {};
        for (const member of compiled.items) {
            const value = checkScalar(member, source[member.field.name], `${path}.${member.field.name}`, context, out);
            if (value === undefined) {
                ok = false;
            }
            normalised[member.field.name] = value ?? null;
        }
        items.push(normalised);
    });
    return ok ? items : undefined;
}

function asNumber(value: unknown): number | undefined {
    return typeof value === "number" ? value : typeof value === "string" && value !== "" && Number.isFinite(Number(value)) ? Number(value) : undefined;
}

function checkCrossField(rule: CrossFieldRule, record: Record<string, unknown>, invalid: ReadonlySet<string>, out: ViolationList): void {
    switch (rule.kind) {
        case "sumOfProducts": {
            if (invalid.has(rule.field) || invalid.has(rule.array)) {
                return;
            }
            const total = asNumber(record[rule.field]);
            const items = record[rule.array];
            if (total === undefined || !Array.isArray(items)) {
                return;
            }
            let sum = 0;
            for (const item of items as Record<string, unknown>[]) {
                const a = asNumber(item[rule.factors[0]]);
                const b = asNumber(item[rule.factors[1]]);
                if (a === undefined || b === undefined) {
                    return;
                }
                sum += a * b;
            }
            if (Math.abs(total - sum) > rule.tolerance + 1e-9) {
                out.add(
                    "cross_field",
                    rule.name,
                    rule.field,
                    `expected the sum over ${rule.array} of ${rule.factors[0]} × ${rule.factors[1]} (${Math.round(sum * 1e6) / 1e6}) within ${rule.tolerance}, found ${total}`,
                );
            }
            return;
        }
        case "notAfter": {
            if (invalid.has(rule.earlier) || invalid.has(rule.later)) {
                return;
            }
            const earlier = record[rule.earlier];
            const later = record[rule.later];
            if (typeof earlier !== "string" || typeof later !== "string") {
                return;
            }
            if ((parseTimestamp(earlier) ?? Number.NEGATIVE_INFINITY) > (parseTimestamp(later) ?? Number.POSITIVE_INFINITY)) {
                out.add("cross_field", rule.name, rule.later, `expected a time at or after ${rule.earlier} (${earlier}), found ${later}`);
            }
            return;
        }
        case "requiredWhen": {
            if (invalid.has(rule.field) || invalid.has(rule.then)) {
                return;
            }
            const trigger = record[rule.field];
            if (trigger !== null && trigger !== undefined && rule.values.includes(String(trigger)) && (record[rule.then] === null || record[rule.then] === undefined)) {
                out.add("cross_field", rule.name, rule.then, `a value is required when ${rule.field} is ${rule.values.join(" or ")}, found none`);
            }
            return;
        }
    }
}

/** A validator that interprets the definition for every record (see the module comment). */
export function interpretValidator(dataset: DatasetDefinition): RecordValidator {
    const compiled: Compiled[] = dataset.fields.map((field) =>
        field.type === "array" ? { field, items: field.items.map(compileScalar), itemNames: new Set(field.items.map((item) => item.name)) } : compileScalar(field),
    );
    const declared = new Set(dataset.fields.map((field) => field.name));
    const declaredList = dataset.fields.map((field) => field.name).join(", ");
    const eventTimeField = dataset.eventTimeField;

    const validate = (document: unknown, context: ValidationContext): ValidationResult => {
        const out = createViolationList();
        if (typeof document !== "object" || document === null || Array.isArray(document)) {
            out.add("type_mismatch", "type", "$", `expected a JSON object, found ${kindOf(document)}`);
            return { ok: false, violations: out.items };
        }
        const source = document as Record<string, unknown>;
        for (const name in source) {
            if (Object.prototype.hasOwnProperty.call(source, name) && !declared.has(name)) {
                out.add("unknown_field", "schema", name, `dataset '${dataset.name}' does not declare this field; expected only ${declaredList}`);
            }
        }
        const record: Record<string, unknown> = {};
        const invalid = new Set<string>();
        for (const entry of compiled) {
            const name = entry.field.name;
            const value = "items" in entry ? checkArray(entry, source[name], context, out) : checkScalar(entry, source[name], name, context, out);
            if (value === undefined) {
                invalid.add(name);
            }
            record[name] = value ?? null;
        }
        for (const rule of dataset.crossFieldRules) {
            checkCrossField(rule, record, invalid, out);
        }
        if (out.items.length > 0) {
            return { ok: false, violations: out.items };
        }
        const eventTime = record[eventTimeField];
        const eventTimeMs = typeof eventTime === "string" ? parseTimestamp(eventTime) : undefined;
        if (eventTimeMs === undefined) {
            return {
                ok: false,
                violations: [{ errorType: "missing_required", rule: "eventTimeField", field: eventTimeField, message: `${eventTimeField}: the event time is required to partition the record, found none` }],
            };
        }
        return { ok: true, record, eventTimeMs };
    };

    return { dataset, validate };
}
