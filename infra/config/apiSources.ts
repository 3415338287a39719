/**
 * API source config: the scheduled HTTP connectors (runtime/connectors/api), one per entry of
 * `apiSources`, keyed by source name. The connector's own settings are checked by the runtime's
 * `apiSourceProblems` (the same check the function runs on its environment); this module adds
 * what only the stack knows: the schedule, the secret and the defaults.
 */
import { ApiSourceSettings, apiSourceProblems, sourceNamePattern } from "../../runtime/connectors/api/settings";
import { configNamespace, ConfigKey, ConfigReader, show } from "./reader";

export const apiSourceKeys: readonly ConfigKey[] = [
    {
        name: "apiSources",
        type: "object",
        default: {},
        example: '{"fx-rates": {"dataset": "fx_rates", "baseUrl": "https://api.example.com/v1/rates", "auth": {"type": "apiKey", "header": "X-Api-Key"}, "pagination": {"style": "cursor", "cursorParam": "cursor", "cursorField": "next_cursor"}, "incrementalField": "updated_at", "schedule": "rate(1 hour)"}}',
        description:
            "Scheduled HTTP API connectors by source name: dataset, baseUrl (https), auth (apiKey header or oauth2ClientCredentials tokenUrl, and the secretName or secretArn of the Secrets Manager secret holding the credentials), pagination (cursor, nextLink, page or offset), recordsField, incrementalField, windowParams, lookBackSeconds, rateLimitPerSecond, timeoutSeconds, schedule (rate, cron or at). See README, Adding an API source.",
    },
];

/** One source as the stack deploys it. */
export interface ApiSourceConfig {
    /** What the function receives in `API_SOURCE`. */
    readonly settings: ApiSourceSettings;
    /** EventBridge Scheduler expression, UTC. */
    readonly schedule: string;
    /** How long one period of the schedule is, for the staleness alarm; undefined for a one-time `at(...)`. */
    readonly schedulePeriodSeconds: number | undefined;
    /**
     * The Secrets Manager secret with the credentials, by ARN or by name (GetSecretValue takes
     * either). The operator creates it with the lake key and rotates it with the provider; the
     * stack only grants the connector read access, so no credential ever enters the stack's state.
     */
    readonly secret: { readonly arn: string } | { readonly name: string };
    /** Memory and timeout of the connector function. */
    readonly memoryMb: number;
    readonly functionTimeoutSeconds: number;
}

const rateUnits: Readonly<Record<string, number>> = { minute: 60, minutes: 60, hour: 3_600, hours: 3_600, day: 86_400, days: 86_400 };

/**
 * Judges a schedule expression as EventBridge Scheduler would: `rate(N unit)` with N ≥ 1 and the
 * unit singular exactly when N is 1; `cron(min hour day-of-month month day-of-week year)` with six
 * fields and `?` in exactly one of the two day fields; `at(yyyy-mm-ddThh:mm:ss)`. Returns the
 * problem, or the length of one period in seconds (undefined for `at`).
 */
export function checkScheduleExpression(expression: string): { readonly periodSeconds: number | undefined } | { readonly problem: string } {
    const rate = /^rate\((\d+) ([a-z]+)\)$/.exec(expression);
    if (rate) {
        const value = Number(rate[1]);
        const unit = rate[2] as string;
        if (!(unit in rateUnits)) {
            return { problem: `rate unit '${unit}' is not one of minute(s), hour(s), day(s)` };
        }
        if (value < 1) {
            return { problem: "a rate must be at least 1" };
        }
        if ((value === 1) !== !unit.endsWith("s")) {
            return { problem: `EventBridge wants '${value === 1 ? unit.replace(/s$/, "") : `${unit}s`}' with ${value} (singular only for 1)` };
        }
        return { periodSeconds: value * (rateUnits[unit] as number) };
    }
    const cron = /^cron\((.*)\)$/.exec(expression);
    if (cron) {
        const fields = (cron[1] as string).trim().split(/\s+/);
        if (fields.length !== 6) {
            return { problem: `cron needs 6 fields (minutes hours day-of-month month day-of-week year), found ${fields.length}` };
        }
        const [minute, hour, dayOfMonth, , dayOfWeek] = fields as [string, string, string, string, string, string];
        if ((dayOfMonth === "?") === (dayOfWeek === "?")) {
            return { problem: "cron needs '?' in exactly one of day-of-month and day-of-week" };
        }
        const field = /^[0-9A-Za-z*?,\-/#LW]+$/;
        if (!fields.every((f) => field.test(f))) {
            return { problem: "cron fields may only hold digits, names, and * ? , - / # L W" };
        }
        // The period of the common shapes; anything rarer than daily is treated as daily for staleness.
        if (/^\d+$/.test(minute) && hour === "*") {
            return { periodSeconds: 3_600 };
        }
        const everyMinutes = /^(?:\*|0)\/(\d+)$/.exec(minute);
        if (everyMinutes && hour === "*") {
            return { periodSeconds: Number(everyMinutes[1]) * 60 };
        }
        return { periodSeconds: 86_400 };
    }
    if (/^at\(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\)$/.test(expression)) {
        const text = expression.slice(3, -1);
        const ms = Date.parse(`${text}Z`);
        // Date.parse rolls 2027-02-30 over to March; a round trip catches impossible dates.
        return Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 19) === text ? { periodSeconds: undefined } : { problem: "at(...) holds an impossible date" };
    }
    return { problem: "expected rate(N unit), cron(6 fields) or at(yyyy-mm-ddThh:mm:ss)" };
}

/** Path-style names (`/platform-dev/api-sources/fx-rates`): read as references, never as secret values, by the Lambda environment policy. */
const secretNamePattern = /^\/[A-Za-z0-9/_+=.@-]{1,511}$/;
const secretArnPattern = /^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Reads `apiSources` (and `apiSourceSecrets`), reporting every problem under the source's path. */
export function parseApiSources(reader: ConfigReader, region: string | undefined): ApiSourceConfig[] {
    const raw = reader.object("apiSources");
    const sources: ApiSourceConfig[] = [];
    for (const [name, value] of Object.entries(raw)) {
        const key = `${configNamespace}:apiSources.${name}`;
        const fail = (field: string, expected: string, found: unknown, fix: string) =>
            reader.report({ key: field === "" ? key : `${key}.${field}`, expected, found: show(found), fix });
        if (!isObject(value)) {
            fail("", "an object with the source's settings", value, "see README, Adding an API source");
            continue;
        }
        const auth = isObject(value.auth) ? value.auth : {};
        const settings: ApiSourceSettings = {
            name,
            dataset: String(value.dataset ?? ""),
            baseUrl: value.baseUrl as string,
            params: isObject(value.params) ? (value.params as Record<string, string>) : {},
            auth: (auth.type === "oauth2ClientCredentials"
                ? { type: auth.type, tokenUrl: auth.tokenUrl, ...(auth.scope !== undefined ? { scope: auth.scope } : {}) }
                : { type: auth.type, header: auth.header ?? "X-Api-Key", ...(auth.prefix !== undefined ? { prefix: auth.prefix } : {}) }) as ApiSourceSettings["auth"],
            pagination: value.pagination as ApiSourceSettings["pagination"],
            recordsField: typeof value.recordsField === "string" ? value.recordsField : "data",
            incrementalField: String(value.incrementalField ?? ""),
            windowParams: isObject(value.windowParams) ? (value.windowParams as ApiSourceSettings["windowParams"]) : { start: "updated_since", end: "updated_before" },
            lookBackSeconds: (value.lookBackSeconds as number | undefined) ?? 86_400,
            initialWindowSeconds: (value.initialWindowSeconds as number | undefined) ?? 7 * 86_400,
            rateLimitPerSecond: (value.rateLimitPerSecond as number | undefined) ?? 5,
            timeoutSeconds: (value.timeoutSeconds as number | undefined) ?? 10,
            maxAttempts: (value.maxAttempts as number | undefined) ?? 5,
            maxPages: (value.maxPages as number | undefined) ?? 10_000,
        };
        const problems = apiSourceProblems(settings, key);
        for (const problem of problems) {
            reader.report({ key, expected: "valid API source settings", found: problem, fix: "correct the field named above (README, Adding an API source)" });
        }
        const schedule = typeof value.schedule === "string" ? value.schedule : "";
        const checked = checkScheduleExpression(schedule);
        if ("problem" in checked) {
            fail("schedule", "a schedule EventBridge Scheduler accepts: rate(1 hour), cron(0 6 * * ? *) or at(2027-01-01T00:00:00)", schedule, `${checked.problem}; set apiSources.${name}.schedule to, for example, rate(1 hour)`);
        }
        let secret: ApiSourceConfig["secret"] | undefined;
        if (auth.secretArn !== undefined && auth.secretName !== undefined) {
            fail("auth", "one of secretArn and secretName", { secretArn: auth.secretArn, secretName: auth.secretName }, `keep one: apiSources.${name}.auth.secretName or .secretArn`);
        } else if (auth.secretArn !== undefined) {
            const match = secretArnPattern.exec(String(auth.secretArn));
            if (!match) {
                fail("auth.secretArn", "a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>)", auth.secretArn, "copy the ARN from the secret, or name it with auth.secretName");
            } else if (region && match[1] !== region) {
                fail("auth.secretArn", `a secret in the stack's region ${region}`, auth.secretArn, "replicate the secret to the stack's region and use that ARN");
            } else {
                secret = { arn: String(auth.secretArn) };
            }
        } else if (auth.secretName !== undefined) {
            if (typeof auth.secretName !== "string" || !secretNamePattern.test(auth.secretName)) {
                fail("auth.secretName", "a path-style Secrets Manager secret name starting with / (letters, digits and /_+=.@-)", auth.secretName, `name the secret that holds the credentials, for example /platform-dev/api-sources/${name}`);
            } else {
                secret = { name: auth.secretName };
            }
        } else {
            fail("auth.secretName", "the Secrets Manager secret that holds the source's credentials (auth.secretName or auth.secretArn)", undefined, `create it (README, Adding an API source) and set apiSources.${name}.auth.secretName`);
        }
        const memoryMb = (value.memoryMb as number | undefined) ?? 256;
        if (!Number.isInteger(memoryMb) || memoryMb < 128 || memoryMb > 10_240) {
            fail("memoryMb", "an integer from 128 to 10240", memoryMb, `set apiSources.${name}.memoryMb to 256`);
        }
        // Long enough for every page's attempts at the timeout; Lambda's limit is 900 s.
        const functionTimeoutSeconds = (value.functionTimeoutSeconds as number | undefined) ?? 300;
        if (!Number.isInteger(functionTimeoutSeconds) || functionTimeoutSeconds < 30 || functionTimeoutSeconds > 900) {
            fail("functionTimeoutSeconds", "an integer from 30 to 900", functionTimeoutSeconds, `set apiSources.${name}.functionTimeoutSeconds to 300`);
        }
        if (!sourceNamePattern.test(name) || secret === undefined) {
            continue;
        }
        sources.push({
            settings,
            schedule,
            schedulePeriodSeconds: "periodSeconds" in checked ? checked.periodSeconds : undefined,
            secret,
            memoryMb,
            functionTimeoutSeconds,
        });
    }
    return sources;
}
