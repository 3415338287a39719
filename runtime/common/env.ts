import { ConfigurationError } from "./errors";

/**
 * Typed access to environment variables, in the style of Powertools' `getStringFromEnv`: each
 * helper fails with a `ConfigurationError` that names the variable, what was expected, what was
 * found and how to fix it. Every helper takes the environment as an argument (defaulting to
 * `process.env`) so tests never mutate the real environment.
 */

/** A read-only view of environment variables. */
export type Environment = Readonly<Record<string, string | undefined>>;

interface EnvOptions<T> {
    /** The variable's name, for example `RAW_BUCKET`. */
    readonly key: string;
    /** Used when the variable is unset or empty. Without it, an unset variable is an error. */
    readonly defaultValue?: T;
    /** The environment to read. Defaults to `process.env`. */
    readonly env?: Environment;
    /** A phrase describing what the variable is for, used in error messages. */
    readonly purpose?: string;
}

function raw(key: string, env: Environment | undefined): string | undefined {
    const value = (env ?? process.env)[key];
    if (value === undefined) {
        return undefined;
    }
    const trimmed = value.trim();
    return trimmed === "" ? undefined : trimmed;
}

function missing(key: string, expected: string, purpose?: string): ConfigurationError {
    const what = purpose ? ` (${purpose})` : "";
    return new ConfigurationError(key, `environment variable ${key}${what} is not set; expected ${expected}; set ${key} in the function's environment`);
}

function invalid(key: string, expected: string, found: string, example: string): ConfigurationError {
    return new ConfigurationError(key, `environment variable ${key} must be ${expected}, found '${found}'; set it to, for example, ${key}=${example}`);
}

/** Reads a non-empty string. Leading and trailing whitespace is removed. */
export function getStringFromEnv(options: EnvOptions<string>): string {
    const value = raw(options.key, options.env);
    if (value !== undefined) {
        return value;
    }
    if (options.defaultValue !== undefined) {
        return options.defaultValue;
    }
    throw missing(options.key, "a non-empty string", options.purpose);
}

/** Reads an optional string: `undefined` when unset or empty. */
export function getOptionalStringFromEnv(options: Omit<EnvOptions<string>, "defaultValue">): string | undefined {
    return raw(options.key, options.env);
}

/** Reads an integer, optionally bounded (inclusive). */
export function getIntegerFromEnv(options: EnvOptions<number> & { readonly min?: number; readonly max?: number }): number {
    const value = raw(options.key, options.env);
    const min = options.min ?? Number.MIN_SAFE_INTEGER;
    const max = options.max ?? Number.MAX_SAFE_INTEGER;
    const expected = `an integer between ${min} and ${max}`;
    if (value === undefined) {
        if (options.defaultValue !== undefined) {
            return options.defaultValue;
        }
        throw missing(options.key, expected, options.purpose);
    }
    if (!/^-?\d+$/.test(value)) {
        throw invalid(options.key, expected, value, String(options.defaultValue ?? Math.max(min, 1)));
    }
    const parsed = Number(value);
    if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
        throw invalid(options.key, expected, value, String(options.defaultValue ?? Math.max(min, 1)));
    }
    return parsed;
}

/** Reads a boolean written as true/false, 1/0 or yes/no (any case). */
export function getBooleanFromEnv(options: EnvOptions<boolean>): boolean {
    const value = raw(options.key, options.env);
    if (value === undefined) {
        if (options.defaultValue !== undefined) {
            return options.defaultValue;
        }
        throw missing(options.key, "true or false", options.purpose);
    }
    const lower = value.toLowerCase();
    if (lower === "true" || lower === "1" || lower === "yes") {
        return true;
    }
    if (lower === "false" || lower === "0" || lower === "no") {
        return false;
    }
    throw invalid(options.key, "true or false", value, "true");
}

/** Reads one of a fixed set of values (compared exactly). */
export function getEnumFromEnv<T extends string>(options: EnvOptions<T> & { readonly allowed: readonly T[] }): T {
    const value = raw(options.key, options.env);
    const expected = `one of ${options.allowed.join(", ")}`;
    if (value === undefined) {
        if (options.defaultValue !== undefined) {
            return options.defaultValue;
        }
        throw missing(options.key, expected, options.purpose);
    }
    const found = options.allowed.find((candidate) => candidate === value);
    if (found === undefined) {
        throw invalid(options.key, expected, value, options.allowed[0] ?? "");
    }
    return found;
}
