import { ArrayOfStructField, DatasetDefinition, ScalarField } from "../../../runtime/datasets/types";
import { add, canonicalDecimal, checkCrossField, decimalTextOfNumber, expectedType, kindOf, lowerAscii, show, trimAscii, upperAscii } from "../../../runtime/ingest/rules";
import { formatTimestamp, isCanonicalTimestamp, isIsoDate, parseTimestamp } from "../../../runtime/ingest/time";
import { Violation } from "../../../runtime/ingest/types";
import { RecordValidator, ValidationContext, ValidationResult } from "../../../runtime/ingest/validate";

/**
 * The reference validator: a plain interpreter of the dataset rules, walking the definition for
 * every value. It is the specification the shipped validator (`runtime/ingest/validate.ts`, which
 * generates one function per dataset for speed) is checked against: both must give the same
 * normalised record, or the same violations in the same order with the same messages, for every
 * document. Both take the wording of messages and the cross-field rules from `rules.ts`; what
 * this one checks is how the definition is walked. Only the tests use it.
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

function compileScalar(field: ScalarField): CompiledScalar {
    const rules = field.rules ?? {};
    return {
        field,
        ...(rules.allowed ? { allowed: new Set(rules.allowed) } : {}),
        ...(rules.pattern !== undefined ? { pattern: new RegExp(`^(?:${rules.pattern})$`) } : {}),
    };
}

interface ViolationList {
    readonly items: Violation[];
    add(errorType: Violation["errorType"], rule: string, field: string, message: string): void;
}

function createViolationList(): ViolationList {
    const items: Violation[] = [];
    return { items, add: (errorType, rule, field, message) => add(items, errorType, rule, field, message) };
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
            value = trimAscii(value as string);
        }
        if (field.normalise?.case === "upper") {
            value = upperAscii(value as string);
        } else if (field.normalise?.case === "lower") {
            value = lowerAscii(value as string);
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
        // Judged by its exact decimal text, as a string is.
        const match = decimalText.exec(decimalTextOfNumber(value));
        if (!match) {
            return mismatchMarker;
        }
        numeric = value;
        integerDigits = (match[1] ?? "").replace(/^0+/, "").length;
        fractionDigits = (match[2] ?? "").replace(/0+$/, "").length;
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
            checkCrossField(out.items, rule, record, invalid);
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
