import { UnknownValueError } from "@pulumi/policy";

/**
 * Reading resource properties safely during a preview.
 *
 * The engine wraps every property bag in `unknownCheckingProxy`: reading a value that the provider
 * computes only at `up` (an ARN, an ID, a name derived from one) throws `UnknownValueError`. A
 * policy that lets that error escape is reported as "can't run during preview" for the whole
 * resource or stack, even when the unknown value was irrelevant. The helpers below read one value
 * at a time and turn "unknown" into an explicit marker, so each policy decides what an unknown
 * means: almost always "cannot decide now; `pulumi up` checks it again with the real value"
 * (resource policies run on known inputs before every create and update).
 */

/** Marker for a value that cannot be known until `pulumi up`. */
export const unknown: unique symbol = Symbol("unknown during preview");
export type Unknown = typeof unknown;

export function isUnknownValueError(err: unknown): boolean {
    if (err instanceof UnknownValueError) {
        return true;
    }
    // Another copy of @pulumi/policy (the pack's own node_modules next to the repository's) throws
    // an error of a different class with the same shape.
    return err instanceof Error && Array.isArray((err as { props?: unknown }).props) && "unknownTypeSentinel" in err;
}

/** Runs `read`; returns `unknown` if it touched a value that is unknown during preview. */
export function probe<T>(read: () => T): T | Unknown {
    try {
        return read();
    } catch (err) {
        if (isUnknownValueError(err)) {
            return unknown;
        }
        throw err;
    }
}

export function isKnown<T>(value: T | Unknown): value is T {
    return value !== unknown;
}

/** The value, or `undefined` when it is unknown during preview. */
export function knownOr<T>(value: T | Unknown): T | undefined {
    return value === unknown ? undefined : (value as T);
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function isObject(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** A list input that may also be given as a single value. */
export function asList<T>(value: T | readonly T[] | undefined | null): T[] {
    if (value === undefined || value === null) {
        return [];
    }
    return Array.isArray(value) ? [...(value as T[])] : [value as T];
}

/**
 * A property that is either a JSON document as a string (what most AWS policy and configuration
 * inputs are) or the already-parsed object. Returns `undefined` when absent, `{ invalid }` when the
 * string is not JSON.
 */
export function parseJsonInput(value: unknown): { value: Json } | { invalid: string } | undefined {
    if (value === undefined || value === null || value === "") {
        return undefined;
    }
    if (typeof value === "string") {
        try {
            return { value: JSON.parse(value) as Json };
        } catch (err) {
            return { invalid: (err as Error).message };
        }
    }
    return { value: plain(value) as Json };
}

/** A deep plain copy: strips the engine's proxies (reading every value, so it throws on unknowns). */
export function plain(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map((item) => plain(item));
    }
    if (isObject(value)) {
        const out: Record<string, unknown> = {};
        for (const key of Object.keys(value)) {
            out[key] = plain(value[key]);
        }
        return out;
    }
    return value;
}

/** `true` or the string `"true"` (some bridged inputs, e.g. Redshift's `encrypted`, are strings). */
export function isTrue(value: unknown): boolean {
    return value === true || (typeof value === "string" && value.toLowerCase() === "true");
}

/** Formats a value for a violation message. */
export function show(value: unknown): string {
    if (value === undefined) {
        return "nothing";
    }
    return typeof value === "string" ? `"${value}"` : JSON.stringify(value);
}

/**
 * True when `key` names a customer-managed KMS key: set, and not the AWS-managed key of the
 * service (`alias/aws/<service>`), which the account cannot rotate, restrict or audit on its own.
 */
export function isCustomerManagedKey(key: unknown, service: string): boolean {
    return Boolean(key) && !String(key).endsWith(`alias/aws/${service}`);
}
