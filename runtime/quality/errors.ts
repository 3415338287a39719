import { PlatformError } from "../common/errors";

/** Errors of the data quality step; `PlatformError` keeps their message inside deployed handlers. */
export class QualityError extends PlatformError {
    constructor(message: string, options?: ErrorOptions) {
        super(message, options);
        this.name = "QualityError";
    }
}

/** A metric does not fit its check (wrong kind, malformed values) or a run summary is malformed. */
export class QualityInputError extends QualityError {
    constructor(message: string, options?: ErrorOptions) {
        super(message, options);
        this.name = "QualityInputError";
    }
}

/** At least one error-level check failed; the message lists them. Carries the full report. */
export class QualityGateFailedError extends QualityError {
    readonly report: import("./evaluate").QualityReport;

    constructor(report: import("./evaluate").QualityReport) {
        const failed = report.results.filter((result) => !result.passed && result.level === "error");
        super(`data quality gate failed for dataset '${report.dataset}' (${report.source}): ${failed.map((result) => `${result.name}: ${result.message}`).join("; ")}`);
        this.name = "QualityGateFailedError";
        this.report = report;
    }
}
