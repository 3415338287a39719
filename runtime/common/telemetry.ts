import type { Logger } from "@aws-lambda-powertools/logger";
import type { Metrics } from "@aws-lambda-powertools/metrics";

/**
 * The one logger and metrics toolkit of the runtime: Powertools Logger (JSON lines) and Powertools
 * Metrics (CloudWatch Embedded Metric Format), in Lambda functions and in the Batch container alike.
 *
 * Both packages are loaded with `require()` inside the factories, never at module scope, for the
 * reason the ingest handler gives for the AWS SDK: Pulumi's closure serializer turns a module-scope
 * import into a `require()` of the package's internal file at the top of the deployed code, run on
 * every cold start whether or not the code path needs it, and it cannot capture SDK or Powertools
 * instances at all. Created inside a `callbackFactory`, they are made once per cold start instead.
 */

export type { Logger, Metrics };

/** Log levels Powertools accepts (upper or lower case). */
export type LogLevel = NonNullable<NonNullable<ConstructorParameters<typeof Logger>[0]>["logLevel"]>;

export interface LoggerOptions {
    /** The `service` field of every line. */
    readonly serviceName: string;
    /** Fields on every line (dataset, job id...). Defaults to none. */
    readonly persistentKeys?: Readonly<Record<string, unknown>>;
    /** Lines below it are dropped. Defaults to POWERTOOLS_LOG_LEVEL or the Lambda's application log level, then INFO. */
    readonly logLevel?: LogLevel;
}

/** A Powertools Logger: one JSON object per line on stdout (warnings and errors on stderr). */
export function createLogger(options: LoggerOptions): Logger {
    const powertools = require("@aws-lambda-powertools/logger") as typeof import("@aws-lambda-powertools/logger");
    return new powertools.Logger({
        serviceName: options.serviceName,
        ...(options.persistentKeys ? { persistentKeys: { ...options.persistentKeys } } : {}),
        ...(options.logLevel ? { logLevel: options.logLevel } : {}),
    });
}

export interface MetricsOptions {
    /** CloudWatch namespace of every metric. */
    readonly namespace: string;
    /** The `service` dimension (and Powertools' service name). */
    readonly serviceName: string;
    /**
     * Whether `service` is a dimension of every metric, as Powertools does by default. Metrics whose
     * alarms were written for an exact dimension set without it (the quality metrics) turn it off:
     * CloudWatch matches an alarm's dimensions exactly, so an extra one would hide every datapoint.
     * Defaults to true.
     */
    readonly serviceDimension?: boolean;
    /** Dimensions of every metric, after `service`. Defaults to none. */
    readonly dimensions?: Readonly<Record<string, string>>;
    /** Receives Powertools' own warnings (invalid timestamps, empty flushes) as structured lines. Defaults to the console. */
    readonly logger?: Logger;
}

/** Powertools Metrics: each `publishStoredMetrics()` prints one EMF document on stdout. */
export function createMetrics(options: MetricsOptions): Metrics {
    const powertools = require("@aws-lambda-powertools/metrics") as typeof import("@aws-lambda-powertools/metrics");
    const metrics = new powertools.Metrics({
        namespace: options.namespace,
        serviceName: options.serviceName,
        ...(options.logger ? { logger: options.logger } : {}),
    });
    if (options.serviceDimension === false) {
        metrics.clearDefaultDimensions();
    }
    if (options.dimensions && Object.keys(options.dimensions).length > 0) {
        metrics.setDefaultDimensions({ ...options.dimensions });
    }
    return metrics;
}

/** Metric units by name, for code that must not load Powertools at module scope. */
export const metricUnits = {
    count: "Count",
    bytes: "Bytes",
    milliseconds: "Milliseconds",
    none: "None",
} as const;

/** Adds the Lambda context (request id, function name, cold start) to the logger's lines; anything else (a local call without one) is ignored. */
export function addLambdaContext(logger: Logger, context: unknown): void {
    if (typeof context === "object" && context !== null && "awsRequestId" in context) {
        logger.addContext(context as Parameters<Logger["addContext"]>[0]);
    }
}
