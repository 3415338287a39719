import { PlatformError } from "../common/errors";

/**
 * A stage of `npm run local` could not finish: a service did not start, a script failed, the lake
 * did not account for every record in time. The message names the stage, what happened and where
 * to look (the script's last output lines, the service's log under .local/).
 */
export class LocalRunError extends PlatformError {
    constructor(message: string, options?: ErrorOptions) {
        super(message, options);
        this.name = "LocalRunError";
    }
}
