import { getDataset } from "../../datasets";
import { DatasetDefinition } from "../../datasets/types";
import { AuthConfig } from "./auth";
import { Pagination, paginationStyles } from "./pagination";

/**
 * One API source as the connector runs it: the plain, JSON-serializable settings stack config
 * declares (validated by `checkApiSource`, used by infra/config/apiSources.ts as well) and the
 * function receives in its `API_SOURCE` environment variable.
 */
export interface ApiSourceSettings {
    /** Lower case letters, digits and hyphens; part of object keys and resource names. */
    readonly name: string;
    /** The dataset the records are validated against and landed as. */
    readonly dataset: string;
    /** `https://` URL of the collection endpoint. */
    readonly baseUrl: string;
    /** Extra query parameters on every page request (for example `{ "base": "USD" }`). Defaults to none. */
    readonly params: Readonly<Record<string, string>>;
    readonly auth: AuthConfig;
    readonly pagination: Pagination;
    /** Dotted path of the records array in a page's JSON body; empty when the body is the array. */
    readonly recordsField: string;
    /** The dataset's timestamp field the API filters on (records changed in the window). */
    readonly incrementalField: string;
    /** Query parameter names that carry the window's start (inclusive) and end (exclusive), as ISO-8601 UTC. */
    readonly windowParams: { readonly start: string; readonly end: string };
    /** Each window starts this long before the checkpoint, to pick up late corrections. */
    readonly lookBackSeconds: number;
    /** Length of the very first window (no checkpoint yet), ending now. */
    readonly initialWindowSeconds: number;
    /** Requests started per second, at most. */
    readonly rateLimitPerSecond: number;
    /** Time limit of one HTTP attempt. */
    readonly timeoutSeconds: number;
    /** Attempts per request including the first. */
    readonly maxAttempts: number;
    /** A window with more pages than this fails (a pagination loop or a misconfigured page size). */
    readonly maxPages: number;
}

export const sourceNamePattern = /^[a-z][a-z0-9-]{0,39}$/;
const paramPattern = /^[A-Za-z0-9_.\-[\]]{1,64}$/;
const headerPattern = /^[A-Za-z0-9-]{1,64}$/;

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

// An array, not a Set: Pulumi's closure serializer cannot carry a Set into the deployed code.
const loopbackHosts: readonly string[] = ["127.0.0.1", "localhost", "[::1]"];

/**
 * `https://` URLs only, without credentials in them; returns the problem or undefined. With
 * `allowLoopbackHttp`, plain http to this machine is accepted too: the local stand-in API of the
 * tests and `npm run local` (nothing listens on loopback inside Lambda).
 */
export function httpsUrlProblem(value: unknown, field: string, allowLoopbackHttp = false): string | undefined {
    if (typeof value !== "string") {
        return `${field} must be an https:// URL, found ${JSON.stringify(value) ?? "nothing"}`;
    }
    let url: URL;
    try {
        url = new URL(value);
    } catch {
        return `${field} must be an https:// URL, found '${value}', which is not a URL; write it in full, for example https://api.frankfurter.app/v1/rates`;
    }
    if (url.protocol !== "https:" && !(allowLoopbackHttp && url.protocol === "http:" && loopbackHosts.includes(url.hostname))) {
        return `${field} must use https (TLS only), found '${url.protocol}' in '${value}'; use the API's https:// endpoint`;
    }
    if (url.username || url.password) {
        return `${field} must not carry credentials, found a user name or password in the URL; put them in the source's secret`;
    }
    return undefined;
}

/**
 * Checks one source's settings (already defaulted) and returns every problem, each naming the
 * field, what was expected, what was found and the fix. `where` prefixes the field names
 * (for example `apiSources.fx_rates`).
 */
export function apiSourceProblems(source: ApiSourceSettings, where: string, datasets?: readonly DatasetDefinition[], allowLoopbackHttp = false): string[] {
    const problems: string[] = [];
    const at = (field: string) => `${where}.${field}`;
    if (!sourceNamePattern.test(source.name)) {
        problems.push(`${where}: the source name must be lower case letters, digits and hyphens (${sourceNamePattern}), found '${source.name}'; rename it`);
    }
    let dataset: DatasetDefinition | undefined;
    try {
        dataset = getDataset(source.dataset, datasets);
    } catch (error) {
        problems.push(`${at("dataset")}: ${(error as Error).message}`);
    }
    const urlProblem = httpsUrlProblem(source.baseUrl, at("baseUrl"), allowLoopbackHttp);
    if (urlProblem) {
        problems.push(urlProblem);
    }
    for (const [name, value] of Object.entries(source.params)) {
        if (!paramPattern.test(name) || typeof value !== "string") {
            problems.push(`${at(`params.${name}`)} must be a query parameter name with a string value, found ${JSON.stringify(value)}`);
        }
    }
    const auth = source.auth as unknown;
    if (!isObject(auth) || (auth.type !== "apiKey" && auth.type !== "oauth2ClientCredentials")) {
        problems.push(`${at("auth.type")} must be apiKey or oauth2ClientCredentials, found ${JSON.stringify(isObject(auth) ? auth.type : auth) ?? "nothing"}`);
    } else if (auth.type === "apiKey" && (typeof auth.header !== "string" || !headerPattern.test(auth.header))) {
        problems.push(`${at("auth.header")} must name the HTTP header that carries the key (for example X-Api-Key), found ${JSON.stringify(auth.header) ?? "nothing"}`);
    } else if (auth.type === "oauth2ClientCredentials") {
        const tokenProblem = httpsUrlProblem(auth.tokenUrl, at("auth.tokenUrl"), allowLoopbackHttp);
        if (tokenProblem) {
            problems.push(tokenProblem);
        }
    }
    const pagination = source.pagination as unknown;
    if (!isObject(pagination) || !paginationStyles.includes(pagination.style as Pagination["style"])) {
        problems.push(`${at("pagination.style")} must be one of ${paginationStyles.join(", ")}, found ${JSON.stringify(isObject(pagination) ? pagination.style : pagination) ?? "nothing"}; pick the style the API documents`);
    } else {
        const names: Record<Pagination["style"], readonly string[]> = {
            cursor: ["cursorParam", "cursorField"],
            nextLink: ["nextField"],
            page: ["pageParam", "sizeParam"],
            offset: ["offsetParam", "limitParam"],
        };
        for (const name of names[pagination.style as Pagination["style"]]) {
            if (typeof pagination[name] !== "string" || pagination[name] === "") {
                problems.push(`${at(`pagination.${name}`)} is required for style ${String(pagination.style)}, found ${JSON.stringify(pagination[name]) ?? "nothing"}`);
            }
        }
        for (const name of ["pageSize", "limit"]) {
            if (pagination[name] !== undefined && (!Number.isInteger(pagination[name]) || (pagination[name] as number) < 1 || (pagination[name] as number) > 10_000)) {
                problems.push(`${at(`pagination.${name}`)} must be a whole number from 1 to 10000, found ${JSON.stringify(pagination[name])}`);
            }
        }
        if (pagination.style === "page" && !Number.isInteger(pagination.firstPage)) {
            problems.push(`${at("pagination.firstPage")} must be a whole number (0 or 1, as the API counts), found ${JSON.stringify(pagination.firstPage) ?? "nothing"}`);
        }
    }
    if (dataset) {
        const field = dataset.fields.find((f) => f.name === source.incrementalField);
        if (!field || field.type !== "timestamp") {
            const candidates = dataset.fields.filter((f) => f.type === "timestamp").map((f) => f.name);
            problems.push(`${at("incrementalField")} must name a timestamp field of dataset '${dataset.name}' (${candidates.join(", ")}), found '${source.incrementalField}'`);
        }
    }
    const bounded: readonly [keyof ApiSourceSettings, number, number][] = [
        ["lookBackSeconds", 0, 31 * 86_400],
        ["initialWindowSeconds", 60, 366 * 86_400],
        ["rateLimitPerSecond", 0.01, 1_000],
        ["timeoutSeconds", 1, 300],
        ["maxAttempts", 1, 10],
        ["maxPages", 1, 100_000],
    ];
    for (const [name, min, max] of bounded) {
        const value = source[name] as unknown;
        if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
            problems.push(`${at(name)} must be a number from ${min} to ${max}, found ${JSON.stringify(value) ?? "nothing"}`);
        }
    }
    if (!paramPattern.test(source.windowParams.start) || !paramPattern.test(source.windowParams.end)) {
        problems.push(`${at("windowParams")} must name two query parameters, found ${JSON.stringify(source.windowParams)}`);
    }
    return problems;
}
