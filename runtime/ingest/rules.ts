import { CrossFieldRule, ScalarField } from "../datasets/types";
import { isCanonicalTimestamp, parseTimestamp } from "./time";
import { Violation } from "./types";

/**
 * The rule semantics the validator shares with anything that must judge records the same way:
 * how violations are collected and worded, how decimals given as text are written, and the
 * cross-field rules. `validate.ts` calls these from the code it generates; the tests' reference
 * interpreter calls them too, so the two differ only in how they walk a definition.
 */

/** At most this many violations are reported per record; the first one decides the error type. */
export const maxViolationsPerRecord = 25;

export type ErrorType = Violation["errorType"];

/** Values nested deeper than this are described, not rendered: rendering recurses. */
const maxShownDepth = 64;

/** Whether a value nests arrays or objects more than `limit` levels deep; iterative, so any depth is safe. */
export function nestedDeeperThan(value: unknown, limit: number): boolean {
    const stack: { readonly value: unknown; readonly depth: number }[] = [{ value, depth: 0 }];
    while (stack.length > 0) {
        const top = stack.pop() as { readonly value: unknown; readonly depth: number };
        if (typeof top.value !== "object" || top.value === null) {
            continue;
        }
        if (top.depth >= limit) {
            return true;
        }
        for (const child of Object.values(top.value)) {
            stack.push({ value: child, depth: top.depth + 1 });
        }
    }
    return false;
}

/** A value as it appears in a message: JSON text, at most 80 characters. Never throws. */
export function show(value: unknown): string {
    if (typeof value === "object" && value !== null && nestedDeeperThan(value, maxShownDepth)) {
        return `${kindOf(value)} nested more than ${maxShownDepth} levels deep`;
    }
    let text: string;
    try {
        text = typeof value === "string" ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
    } catch {
        text = kindOf(value);
    }
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** What a value is, for messages: `an array`, `null`, `a string`, ... */
export function kindOf(value: unknown): string {
    return Array.isArray(value) ? "an array" : value === null ? "null" : typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/** What a scalar field expects, for type-mismatch messages. */
export function expectedType(field: ScalarField): string {
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

/** Adds a violation unless the record already has `maxViolationsPerRecord`. */
export function add(out: Violation[], errorType: ErrorType, rule: string, field: string, message: string): void {
    if (out.length < maxViolationsPerRecord) {
        out.push({ errorType, rule, field, message: `${field}: ${message}` });
    }
}

// Normalisation touches ASCII only. Unicode case mapping turns "ı" (dotless i), "ſ" (long s) and
// ligatures such as "ﬀ" into ASCII letters, so a non-ASCII identifier would pass an ASCII pattern as
// a different, real ID; Unicode trimming would likewise merge "ID\u00a0" with "ID". The text is
// validated as received, with only ASCII spaces trimmed and ASCII letters re-cased.
//
// These run on every string of every record, and almost every string is already trimmed and in
// the right case, so each first checks with a plain character loop whether there is anything to
// change, and returns the text itself when there is not (no regular expression, no new string).

/** Whether a UTF-16 code unit is ASCII whitespace: tab, line feed, vertical tab, form feed, carriage return, space. */
function isAsciiSpace(code: number): boolean {
    return code === 32 || (code >= 9 && code <= 13);
}

/** Removes ASCII whitespace (tab, line feed, vertical tab, form feed, carriage return, space) at both ends. */
export function trimAscii(text: string): string {
    let start = 0;
    let end = text.length;
    while (start < end && isAsciiSpace(text.charCodeAt(start))) {
        start += 1;
    }
    while (end > start && isAsciiSpace(text.charCodeAt(end - 1))) {
        end -= 1;
    }
    return start === 0 && end === text.length ? text : text.slice(start, end);
}

/**
 * Re-cases the ASCII letters from `from` to `to` (`a`-`z` or `A`-`Z`, given by their first code).
 * Text without such letters comes back as it is. For ASCII text the native mapping is exactly
 * the ASCII one, and much faster than a callback; other text re-cases letter runs one by one.
 */
function recaseAscii(text: string, from: number, toCase: (run: string) => string, runs: RegExp): string {
    let change = false;
    for (let i = 0; i < text.length; i += 1) {
        const code = text.charCodeAt(i);
        if (code > 0x7f) {
            return text.replace(runs, toCase);
        }
        if (code >= from && code <= from + 25) {
            change = true;
        }
    }
    return change ? toCase(text) : text;
}

const lowerRuns = /[a-z]+/g;
const upperRuns = /[A-Z]+/g;
const toUpper = (run: string) => run.toUpperCase();
const toLower = (run: string) => run.toLowerCase();

/** Upper-cases a-z only; every other character is kept as received. */
export function upperAscii(text: string): string {
    return recaseAscii(text, 97 /* a */, toUpper, lowerRuns);
}

/** Lower-cases A-Z only; every other character is kept as received. */
export function lowerAscii(text: string): string {
    return recaseAscii(text, 65 /* A */, toLower, upperRuns);
}

/**
 * The exact decimal text of a JSON number as the validator received it. `String` gives the
 * shortest text that reads back as the same double; for a number written with at most 15
 * significant digits that is the text written, canonicalised (longer numbers that a double does
 * not hold exactly never reach the validator: the parse step rejects them, see `json.ts`).
 * Exponent forms (`1e-7`, `1.5e+21`) are expanded.
 */
export function decimalTextOfNumber(value: number): string {
    return expandExponent(String(value));
}

/** Number text without its exponent: `1.5e+21` → `1500000000000000000000`, `-2E-3` → `-0.002`. */
export function expandExponent(text: string): string {
    const e = text.search(/[eE]/);
    if (e < 0) {
        return text;
    }
    const negative = text.startsWith("-");
    const [int = "0", frac = ""] = text.slice(negative ? 1 : 0, e).split(".");
    const exponent = Number(text.slice(e + 1));
    const digits = int + frac;
    const point = int.length + exponent;
    const body = point <= 0 ? `0.${"0".repeat(-point)}${digits}` : point >= digits.length ? digits + "0".repeat(point - digits.length) : `${digits.slice(0, point)}.${digits.slice(point)}`;
    return negative ? `-${body}` : body;
}

/** `+007.50` → `7.5`, `-0.0` → `0`. */
export function canonicalDecimal(text: string): string {
    const negative = text.startsWith("-");
    const unsigned = text.replace(/^[+-]/, "");
    const [integer = "0", fraction = ""] = unsigned.split(".");
    const int = integer.replace(/^0+(?=\d)/, "");
    const frac = fraction.replace(/0+$/, "");
    const body = frac ? `${int}.${frac}` : int;
    return negative && body !== "0" ? `-${body}` : body;
}

function asNumber(value: unknown): number | undefined {
    return typeof value === "number" ? value : typeof value === "string" && value !== "" && Number.isFinite(Number(value)) ? Number(value) : undefined;
}

/** One cross-field rule over the normalised record; rules over fields that already failed are skipped. */
export function checkCrossField(out: Violation[], rule: CrossFieldRule, record: Record<string, unknown>, invalid: ReadonlySet<string>): void {
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
                add(
                    out,
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
            // Canonical timestamps (fixed width, UTC) sort as text in time order, so canonical text in
            // order needs no parsing: were either not a real time, the rule would not apply either.
            if (earlier <= later && isCanonicalTimestamp(earlier) && isCanonicalTimestamp(later)) {
                return;
            }
            if ((parseTimestamp(earlier) ?? Number.NEGATIVE_INFINITY) > (parseTimestamp(later) ?? Number.POSITIVE_INFINITY)) {
                add(out, "cross_field", rule.name, rule.later, `expected a time at or after ${rule.earlier} (${earlier}), found ${later}`);
            }
            return;
        }
        case "requiredWhen": {
            if (invalid.has(rule.field) || invalid.has(rule.then)) {
                return;
            }
            const trigger = record[rule.field];
            if (trigger !== null && trigger !== undefined && rule.values.includes(String(trigger)) && (record[rule.then] === null || record[rule.then] === undefined)) {
                add(out, "cross_field", rule.name, rule.then, `a value is required when ${rule.field} is ${rule.values.join(" or ")}, found none`);
            }
            return;
        }
    }
}
