/**
 * Timestamp parsing and the event-time partition math. Timestamps travel as ISO-8601 strings with
 * a zone; they are normalised to UTC with millisecond precision (`2024-05-01T10:15:00.000Z`).
 */

const timestampPattern = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2})?)$/;
const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/;
/** 0001-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z: the range ISO text with a 4-digit year covers. */
const minEpochMs = -62135596800000;
const maxEpochMs = 253402300799999;

function daysInMonth(year: number, month: number): number {
    return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function validDate(year: number, month: number, day: number): boolean {
    return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/**
 * Parses an ISO-8601 timestamp that carries a zone (`Z` or `±hh:mm`), returning epoch
 * milliseconds, or `undefined` when the text is not such a timestamp or names an impossible time.
 * Fractions beyond milliseconds are truncated.
 */
export function parseTimestamp(text: string): number | undefined {
    const match = timestampPattern.exec(text);
    if (!match) {
        return undefined;
    }
    const [, y, mo, d, h, mi, s, fraction, zulu, sign, oh, om] = match;
    const year = Number(y);
    const month = Number(mo);
    const day = Number(d);
    const hour = Number(h);
    const minute = Number(mi);
    const second = s === undefined ? 0 : Number(s);
    if (!validDate(year, month, day) || hour > 23 || minute > 59 || second > 59) {
        return undefined;
    }
    const millis = fraction === undefined ? 0 : Number(fraction.slice(0, 3).padEnd(3, "0"));
    let offsetMinutes = 0;
    if (!zulu) {
        const offsetHours = Number(oh);
        const offsetMins = om === undefined ? 0 : Number(om);
        if (offsetHours > 23 || offsetMins > 59) {
            return undefined;
        }
        offsetMinutes = (sign === "-" ? -1 : 1) * (offsetHours * 60 + offsetMins);
    }
    const utc = new Date(0);
    utc.setUTCFullYear(year, month - 1, day);
    utc.setUTCHours(hour, minute, second, millis);
    const epochMs = utc.getTime() - offsetMinutes * 60_000;
    return epochMs >= minEpochMs && epochMs <= maxEpochMs ? epochMs : undefined;
}

/** True when the text is a real calendar date written `YYYY-MM-DD`. */
export function isIsoDate(text: string): boolean {
    const match = datePattern.exec(text);
    return match !== null && validDate(Number(match[1]), Number(match[2]), Number(match[3]));
}

/** Epoch milliseconds as the canonical UTC text the raw zone stores. */
export function formatTimestamp(epochMs: number): string {
    return new Date(epochMs).toISOString();
}

/** A raw-zone partition: the UTC date and hour of a moment. */
export interface HourPartition {
    /** `YYYY-MM-DD` */
    readonly dt: string;
    /** `HH`, 00 to 23 */
    readonly hour: string;
}

/** The UTC date and hour partition of epoch milliseconds (hourly partitioning). */
export function hourPartition(epochMs: number): HourPartition {
    const text = new Date(epochMs).toISOString();
    return { dt: text.slice(0, 10), hour: text.slice(11, 13) };
}
