import { PlatformError } from "../common/errors";

/**
 * Change data capture refused its input: a change file that does not follow the DMS format, a
 * source column whose type no longer matches the dataset, a table without a key. The message
 * names the file or table and column, what was expected, what was found and the fix.
 */
export class CdcError extends PlatformError {
    constructor(message: string, options?: ErrorOptions) {
        super(message, options);
        this.name = "CdcError";
    }
}
