/**
 * The shared machinery of the per-area config parsers: the shape of a key declaration, the raw
 * stack config, and `ConfigReader`, which parses raw strings by their declared type and collects
 * every problem of every area, in the order they are found, so a stack reports them all at once.
 */
import { capacityLimits, Environment, TypeCatalogue } from "./catalog";

/**
 * `object` keys hold structured config (a map such as `apiSources`). Pulumi project config has no
 * object type, so Pulumi.yaml declares them without `type` (any value is accepted there).
 */
export type ConfigValueType = "string" | "integer" | "boolean" | "array" | "object";

export interface ConfigKey {
    /** Key without the `platform:` namespace. */
    readonly name: string;
    readonly type: ConfigValueType;
    readonly description: string;
    /**
     * Applied when the stack does not set the key (Pulumi applies the same default from Pulumi.yaml).
     * A key without a default is required: every stack must set it.
     */
    readonly default?: string | number | boolean | readonly string[] | Readonly<Record<string, unknown>>;
    /** The value must be set with `pulumi config set --secret`. */
    readonly secret?: boolean;
    /** A short example for the error message's fix line. */
    readonly example: string;
}

export const configNamespace = "platform";

/** One problem in the stack config, phrased so a user can fix it without reading code. */
export interface ConfigProblem {
    readonly key: string;
    readonly expected: string;
    readonly found: string;
    readonly fix: string;
}

export class ConfigError extends Error {
    readonly problems: readonly ConfigProblem[];
    constructor(stack: string, problems: readonly ConfigProblem[]) {
        const lines = problems.map((p) => `  - ${p.key}: expected ${p.expected}; found ${p.found}. Fix: ${p.fix}`);
        super(`Stack '${stack}' has ${problems.length} invalid config value${problems.length === 1 ? "" : "s"}:\n${lines.join("\n")}`);
        this.name = "ConfigError";
        this.problems = problems;
    }
}

/** Raw stack config: full keys (`platform:vpcCidr`, `aws:region`) to the strings Pulumi stores. */
export interface RawStackConfig {
    readonly project: string;
    readonly stack: string;
    readonly values: Readonly<Record<string, string>>;
    /** Full keys whose values are secrets. */
    readonly secretKeys: ReadonlySet<string>;
}

type ParsedValue = string | number | boolean | string[] | Record<string, unknown>;

export function show(value: unknown): string {
    return typeof value === "string" ? `"${value}"` : JSON.stringify(value);
}

export function setCommand(key: ConfigKey, value = key.example): string {
    const quoted = key.type === "array" || key.type === "object" ? `'${value}'` : value;
    return `pulumi config set ${key.secret ? "--secret " : ""}${configNamespace}:${key.name} ${quoted}`;
}

/** Edit distance, case-insensitive, so a misspelt key can be matched to the declared one. */
function distance(a: string, b: string): number {
    const row = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
        let previous = row[0];
        row[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const current = row[j];
            row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
            previous = current;
        }
    }
    return row[b.length];
}

/** A programming error, not a stack problem: a parser read a key its area does not declare. */
function undeclared(name: string): Error {
    return new Error(`config key '${name}' is not in the key table this reader was given; add it to its area's key list in infra/config`);
}

const schedulePattern = /^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\(\S+ \S+ \S+ \S+ \S+ \S+\))$/;

/**
 * Reads the raw stack config against a key table. Construction parses every declared key by its
 * type (recording type problems, then falling back to the default) and flags undeclared
 * `platform:` keys; the area parsers then read typed values and add their own problems through
 * the helpers below. `problems` keeps the order in which they were found.
 */
export class ConfigReader {
    readonly problems: ConfigProblem[] = [];
    private readonly values = new Map<string, ParsedValue>();

    constructor(
        readonly raw: RawStackConfig,
        private readonly keys: readonly ConfigKey[],
    ) {
        this.flagUnknownKeys();
        for (const key of keys) {
            this.values.set(key.name, this.parseKey(key));
        }
    }

    str(name: string): string {
        return this.value(name) as string;
    }

    int(name: string): number {
        return this.value(name) as number;
    }

    bool(name: string): boolean {
        return this.value(name) as boolean;
    }

    list(name: string): string[] {
        return this.value(name) as string[];
    }

    /** The value of an `object` key: a JSON object. */
    object(name: string): Record<string, unknown> {
        return this.value(name) as Record<string, unknown>;
    }

    /** Whether the stack sets the key itself (rather than relying on its default). */
    isSet(name: string): boolean {
        return this.raw.values[`${configNamespace}:${name}`] !== undefined;
    }

    /** Records a problem for any full key (also outside the namespace, such as `aws:region`). */
    report(problem: ConfigProblem): void {
        this.problems.push(problem);
    }

    /** Records a problem with a `platform:` key; the fix defaults to setting the key's example. */
    fail(name: string, expected: string, found: unknown, fix?: string): void {
        this.report({ key: `${configNamespace}:${name}`, expected, found: show(found), fix: fix ?? setCommand(this.key(name)) });
    }

    /** The integer value, with a problem if it lies outside `min`..`max` (the value is kept either way). */
    range(name: string, min: number, max: number): number {
        const value = this.int(name);
        if (value < min || value > max) {
            this.fail(name, `an integer from ${min} to ${max}`, value);
        }
        return value;
    }

    /** The string value if it is one of `allowed`; otherwise a problem and the first allowed value. */
    oneOf<T extends string>(name: string, allowed: readonly T[]): T {
        const value = this.str(name);
        if (!allowed.includes(value as T)) {
            this.fail(name, `one of ${allowed.join(", ")}`, value, setCommand(this.key(name), allowed[0]));
            return allowed[0];
        }
        return value as T;
    }

    /** An EventBridge Scheduler expression: `rate(N unit)` or a six-field `cron(...)`. */
    scheduleExpression(name: string, example: string): string {
        const value = this.str(name);
        if (!schedulePattern.test(value)) {
            this.fail(name, `an EventBridge schedule such as rate(1 hour) or ${example}`, value, `pulumi config set ${configNamespace}:${name} '${example}'`);
        }
        return value;
    }

    /** Reports a count above the environment's capacity limit, the cost guardrail the policy pack shares. */
    withinCapacity(name: string, value: number, limit: keyof (typeof capacityLimits)[Environment], environment: Environment): void {
        const max = capacityLimits[environment][limit];
        if (value > max) {
            this.fail(name, `at most ${max} in ${environment}`, value, `pulumi config set ${configNamespace}:${name} ${max}`);
        }
    }

    /** An instance or node type that the catalogue knows, does not refuse, and allows in `environment`. */
    catalogueType(name: string, catalogue: TypeCatalogue, environment: Environment): string {
        const value = this.str(name);
        const allowed = catalogue.allowed[environment];
        const fix = `pulumi config set ${configNamespace}:${name} ${allowed[0]}`;
        if (!catalogue.known.includes(value)) {
            this.fail(name, `a known type: ${catalogue.known.join(", ")}`, value, fix);
        } else if (catalogue.refused?.[value]) {
            this.fail(name, `a supported type (${catalogue.refused[value]})`, value, fix);
        } else if (!allowed.includes(value)) {
            this.fail(name, `a type allowed in ${environment}: ${allowed.join(", ")}`, value, fix);
        }
        return value;
    }

    /** The declaration of a key in this reader's table. */
    key(name: string): ConfigKey {
        const key = this.keys.find((k) => k.name === name);
        if (!key) {
            throw undeclared(name);
        }
        return key;
    }

    private value(name: string): ParsedValue {
        if (!this.values.has(name)) {
            throw undeclared(name);
        }
        return this.values.get(name) as ParsedValue;
    }

    private suggest(unknown: string): string | undefined {
        const best = this.keys.map((k) => ({ name: k.name, d: distance(unknown, k.name) })).sort((x, y) => x.d - y.d)[0];
        return best && best.d <= 3 ? best.name : undefined;
    }

    private flagUnknownKeys(): void {
        const prefix = `${configNamespace}:`;
        for (const fullKey of Object.keys(this.raw.values)) {
            if (fullKey.startsWith(prefix) && !this.keys.some((k) => prefix + k.name === fullKey)) {
                const close = this.suggest(fullKey.slice(prefix.length));
                this.report({
                    key: fullKey,
                    expected: "a key declared in Pulumi.yaml",
                    found: "an unknown key",
                    fix: close ? `rename it to ${prefix}${close}` : `remove it with pulumi config rm ${fullKey}`,
                });
            }
        }
    }

    /** Parses one key's raw string by its declared type; a missing or unparsable value falls back to the default. */
    private parseKey(key: ConfigKey): ParsedValue {
        const fullKey = `${configNamespace}:${key.name}`;
        const text = this.raw.values[fullKey];
        if (text === undefined) {
            const fallback = key.default ?? (key.type === "integer" ? 0 : key.type === "boolean" ? false : key.type === "array" ? [] : key.type === "object" ? {} : "");
            if (Array.isArray(fallback)) {
                return [...fallback];
            }
            return typeof fallback === "object" ? { ...(fallback as Record<string, unknown>) } : (fallback as string | number | boolean);
        }
        if (key.secret && text !== "" && !this.raw.secretKeys.has(fullKey)) {
            this.report({
                key: fullKey,
                expected: "a secret value",
                found: "a plain-text value",
                fix: `remove it with pulumi config rm ${fullKey}, then ${setCommand(key)}`,
            });
        }
        switch (key.type) {
            case "string":
                return text;
            case "integer": {
                const trimmed = text.trim();
                if (!/^-?\d+$/.test(trimmed)) {
                    this.report({ key: fullKey, expected: "an integer", found: show(text), fix: setCommand(key) });
                    return (key.default as number | undefined) ?? 0;
                }
                return Number(trimmed);
            }
            case "boolean":
                if (text !== "true" && text !== "false") {
                    this.report({ key: fullKey, expected: "true or false", found: show(text), fix: setCommand(key) });
                    return key.default as boolean;
                }
                return text === "true";
            case "array": {
                let value: unknown;
                try {
                    value = JSON.parse(text);
                } catch {
                    value = undefined;
                }
                if (!Array.isArray(value) || !value.every((item) => typeof item === "string")) {
                    this.report({ key: fullKey, expected: "a list of strings", found: show(text), fix: setCommand(key) });
                    return [...((key.default as readonly string[] | undefined) ?? [])];
                }
                return value as string[];
            }
            case "object": {
                let value: unknown;
                try {
                    value = JSON.parse(text);
                } catch {
                    value = undefined;
                }
                if (typeof value !== "object" || value === null || Array.isArray(value)) {
                    this.report({ key: fullKey, expected: "an object (a YAML mapping in the stack file)", found: show(text), fix: setCommand(key) });
                    return { ...((key.default as Record<string, unknown> | undefined) ?? {}) };
                }
                return value as Record<string, unknown>;
            }
        }
    }
}
