/**
 * A small, strict command-line flag parser for the project's tools: unknown flags, missing values
 * and wrong types are errors that name the flag, what was expected and the usage line.
 */
export type FlagKind = "string" | "boolean" | "number";

export class FlagError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "FlagError";
    }
}

export interface Flags {
    get(name: string): string | undefined;
    require(name: string): string;
    bool(name: string): boolean;
    number(name: string): number | undefined;
    /** A positive whole-number flag (a count), or `fallback` when it is absent. */
    count(name: string, fallback: number): number;
}

/**
 * The flags in `argv`, checked against `spec`. `--help` (or `-h`) anywhere prints the usage and the
 * flags on stdout and ends the process with code 0, so every command that parses its flags here
 * answers `--help` the same way.
 */
export function parseFlags(argv: readonly string[], spec: Readonly<Record<string, FlagKind>>, usage: string): Flags {
    if (argv.includes("--help") || argv.includes("-h")) {
        const described = Object.entries(spec).map(([flag, kind]) => `  --${flag}${kind === "boolean" ? "" : ` <${kind}>`}`);
        // Written synchronously: the process ends right after, before an async write could flush.
        require("fs").writeSync(1, `usage: ${usage.replace(/^usage:\s*/i, "")}\n\nflags:\n${described.join("\n")}\n  --help\n`);
        process.exit(0);
    }
    const values = new Map<string, string | boolean>();
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        const match = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/.exec(arg);
        if (!match) {
            throw new FlagError(`unexpected argument "${arg}": expected --flag [value]. Usage: ${usage}`);
        }
        const name = match[1];
        const kind = spec[name];
        if (!kind) {
            throw new FlagError(`unknown flag --${name}: expected one of ${Object.keys(spec).map((f) => `--${f}`).join(", ")}. Usage: ${usage}`);
        }
        if (kind === "boolean") {
            if (match[2] !== undefined && match[2] !== "true" && match[2] !== "false") {
                throw new FlagError(`--${name}: expected true or false; found "${match[2]}". Usage: ${usage}`);
            }
            values.set(name, match[2] === undefined ? true : match[2] === "true");
            continue;
        }
        const value = match[2] ?? argv[++i];
        if (value === undefined || (match[2] === undefined && value.startsWith("--"))) {
            throw new FlagError(`--${name}: expected a value; found nothing. Usage: ${usage}`);
        }
        if (kind === "number" && !Number.isFinite(Number(value))) {
            throw new FlagError(`--${name}: expected a number; found "${value}". Usage: ${usage}`);
        }
        values.set(name, value);
    }
    const number = (name: string) => (values.has(name) ? Number(values.get(name)) : undefined);
    return {
        get: (name) => values.get(name) as string | undefined,
        require: (name) => {
            const value = values.get(name);
            if (value === undefined) {
                throw new FlagError(`--${name} is required. Usage: ${usage}`);
            }
            return value as string;
        },
        bool: (name) => values.get(name) === true,
        number,
        count: (name, fallback) => {
            const value = number(name) ?? fallback;
            if (!Number.isInteger(value) || value < 1) {
                throw new FlagError(`--${name}: expected a positive whole number; found ${value}. Usage: ${usage}`);
            }
            return value;
        },
    };
}

/**
 * Reads a command's flags with `read`; a bad flag ends the process with `<command>: <message>` on
 * stderr and exit code 2, without a stack trace. Other errors are not caught.
 */
export function flagsOrExit<T>(command: string, read: () => T): T {
    try {
        return read();
    } catch (error) {
        if (!(error instanceof FlagError)) {
            throw error;
        }
        process.stderr.write(`${command}: ${error.message}\n`);
        process.exit(2);
    }
}
