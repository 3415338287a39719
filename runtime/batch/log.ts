/**
 * Structured logs of the batch job: one JSON object per line on stdout, which the container's
 * `awslogs` driver ships to CloudWatch Logs where Logs Insights can query every field. Each line
 * carries `time`, `level`, `service`, `message`, the job's persistent fields (command, dataset,
 * Batch job id and attempt) and the fields of the call.
 */

export type LogLevel = "debug" | "info" | "warn" | "error";

const levelRank: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Every level name, for validating the LOG_LEVEL setting. */
export const logLevels: readonly LogLevel[] = ["debug", "info", "warn", "error"];

export type LogFields = Readonly<Record<string, unknown>>;

export interface JobLogger {
    debug(message: string, fields?: LogFields): void;
    info(message: string, fields?: LogFields): void;
    warn(message: string, fields?: LogFields): void;
    error(message: string, fields?: LogFields): void;
    /** A logger whose lines also carry `fields`. */
    child(fields: LogFields): JobLogger;
}

export interface JsonLoggerOptions {
    /** The `service` field. Defaults to `lake-maintenance`. */
    readonly service?: string;
    /** Lines below this level are dropped. Defaults to `info`. */
    readonly level?: LogLevel;
    /** Fields on every line. */
    readonly fields?: LogFields;
    /** Receives each rendered line (without newline). Defaults to writing it to stdout. */
    readonly sink?: (line: string) => void;
    /** The clock for `time`. Defaults to `Date.now`. */
    readonly now?: () => number;
}

/** JSON.stringify that never throws: bigints become strings, cycles and errors are described. */
function render(entry: Record<string, unknown>): string {
    const seen = new WeakSet<object>();
    return JSON.stringify(entry, (_key, value: unknown) => {
        if (typeof value === "bigint") {
            return value.toString();
        }
        if (value instanceof Error) {
            return { name: value.name, message: value.message };
        }
        if (typeof value === "object" && value !== null) {
            if (seen.has(value)) {
                return "[circular]";
            }
            seen.add(value);
        }
        return value;
    });
}

/** Creates the job's logger. */
export function createJsonLogger(options: JsonLoggerOptions = {}): JobLogger {
    const service = options.service ?? "lake-maintenance";
    const threshold = levelRank[options.level ?? "info"];
    const sink = options.sink ?? ((line: string) => process.stdout.write(`${line}\n`));
    const now = options.now ?? Date.now;
    const make = (persistent: LogFields): JobLogger => {
        const write = (level: LogLevel, message: string, fields?: LogFields) => {
            if (levelRank[level] < threshold) {
                return;
            }
            sink(render({ time: new Date(now()).toISOString(), level, service, message, ...persistent, ...(fields ?? {}) }));
        };
        return {
            debug: (message, fields) => write("debug", message, fields),
            info: (message, fields) => write("info", message, fields),
            warn: (message, fields) => write("warn", message, fields),
            error: (message, fields) => write("error", message, fields),
            child: (fields) => make({ ...persistent, ...fields }),
        };
    };
    return make(options.fields ?? {});
}
