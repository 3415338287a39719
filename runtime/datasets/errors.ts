import { PlatformError } from "../common/errors";

/**
 * A dataset definition is inconsistent (a name, key, rule, enrichment or aggregate that cannot
 * work). Thrown when the definition is checked or projected (Glue, Redshift, Spark, the validator),
 * so a bad definition fails the plan and the tests, never a deployed function.
 */
export class DatasetDefinitionError extends PlatformError {
    constructor(message: string, options?: ErrorOptions) {
        super(message, options);
        this.name = "DatasetDefinitionError";
    }
}
