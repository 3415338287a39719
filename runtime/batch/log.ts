import type { Logger } from "@aws-lambda-powertools/logger";
import { createLogger } from "../common/telemetry";

/**
 * Structured logs of the batch job, through Powertools Logger like every Lambda function of the
 * platform: one JSON object per line on stdout (warnings and errors on stderr), which the
 * container's `awslogs` driver ships to CloudWatch Logs. Lines of the job and of the functions
 * share one shape (`level`, `message`, `service`, `timestamp`, then the keys), so one Logs
 * Insights query reads both. Each line carries the job's persistent keys (command, dataset, Batch
 * job id and attempt) and the fields of the call.
 *
 * Powertools Logger needs no Lambda: outside one it simply omits the invocation context. The
 * `JobLogger` interface is what replay and compaction depend on, so tests can hand them any logger.
 */

export type LogLevel = "debug" | "info" | "warn" | "error";

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

export interface JobLoggerOptions {
    /** The `service` field. Defaults to `lake-maintenance`. */
    readonly service?: string;
    /** Lines below this level are dropped. Defaults to `info`. */
    readonly level?: LogLevel;
    /** Fields on every line. Defaults to none. */
    readonly fields?: LogFields;
}

function wrap(logger: Logger): JobLogger {
    return {
        debug: (message, fields) => logger.debug(message, { ...fields }),
        info: (message, fields) => logger.info(message, { ...fields }),
        warn: (message, fields) => logger.warn(message, { ...fields }),
        error: (message, fields) => logger.error(message, { ...fields }),
        child: (fields) => wrap(logger.createChild({ persistentKeys: { ...fields } })),
    };
}

/** Creates the job's logger. */
export function createJobLogger(options: JobLoggerOptions = {}): JobLogger {
    return wrap(createLogger({ serviceName: options.service ?? "lake-maintenance", logLevel: options.level ?? "info", persistentKeys: { ...options.fields } }));
}
