/**
 * Timestamp parsing and the event-time partition math. Timestamps travel as ISO-8601 strings with
 * a zone; they are normalised to UTC with millisecond precision (`2024-05-01T10:15:00.000Z`).
 */

const timestampPattern = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2})?)$/;
const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/;
/** 0001-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z: the range ISO text with a 4-digit year covers. */
const minEpochMs = -62135596800000;
const maxEpochMs = 253402300799999;

const monthDays = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    return month === 2 && leap ? 29 : (monthDays[month - 1] ?? 0);
}

function validDate(year: number, month: number, day: number): boolean {
    return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

function digits(text: string, start: number, count: number): number {
    let value = 0;
    for (let i = start; i < start + count; i += 1) {
        const code = text.charCodeAt(i) - 48;
        if (code < 0 || code > 9) {
            return -1;
        }
        value = value * 10 + code;
    }
    return value;
}

/**
 * Days from 1970-01-01 to a date of the proleptic Gregorian calendar (the one JavaScript dates
 * use), by arithmetic: years are counted from March, so the leap day ends a year, and whole
 * 400-year cycles (146,097 days) are taken out first. Exact for every year from 1 to 9999, like
 * Date.UTC, without the cost of a call into the runtime per timestamp.
 */
function daysSinceEpoch(year: number, month: number, day: number): number {
    const y = month <= 2 ? year - 1 : year;
    const cycle = Math.floor(y / 400);
    const yearOfCycle = y - cycle * 400;
    const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
    const dayOfCycle = yearOfCycle * 365 + Math.floor(yearOfCycle / 4) - Math.floor(yearOfCycle / 100) + dayOfYear;
    // 719,468 days from 0000-03-01 to 1970-01-01.
    return cycle * 146_097 + dayOfCycle - 719_468;
}

function toEpochMs(year: number, month: number, day: number, hour: number, minute: number, second: number, millis: number, offsetMinutes: number): number | undefined {
    if (!validDate(year, month, day) || hour > 23 || minute > 59 || second > 59) {
        return undefined;
    }
    const local = daysSinceEpoch(year, month, day) * 86_400_000 + ((hour * 60 + minute) * 60 + second) * 1000 + millis;
    const epochMs = local - offsetMinutes * 60_000;
    return epochMs >= minEpochMs && epochMs <= maxEpochMs ? epochMs : undefined;
}

/**
 * Parses an ISO-8601 timestamp that carries a zone (`Z` or `±hh:mm`), returning epoch
 * milliseconds, or `undefined` when the text is not such a timestamp or names an impossible time.
 * Fractions beyond milliseconds are truncated. The common shape (`YYYY-MM-DDTHH:MM:SS[.fff]Z`)
 * is read directly; everything else goes through the full pattern.
 */
export function parseTimestamp(text: string): number | undefined {
    const length = text.length;
    if ((length === 20 || length === 24) && text.charCodeAt(length - 1) === 90 /* Z */ && text.charCodeAt(10) === 84 /* T */) {
        const fast =
            text.charCodeAt(4) === 45 && text.charCodeAt(7) === 45 && text.charCodeAt(13) === 58 && text.charCodeAt(16) === 58 && (length === 20 || text.charCodeAt(19) === 46);
        if (fast) {
            const year = digits(text, 0, 4);
            const month = digits(text, 5, 2);
            const day = digits(text, 8, 2);
            const hour = digits(text, 11, 2);
            const minute = digits(text, 14, 2);
            const second = digits(text, 17, 2);
            const millis = length === 24 ? digits(text, 20, 3) : 0;
            if (year >= 0 && month >= 0 && day >= 0 && hour >= 0 && minute >= 0 && second >= 0 && millis >= 0) {
                return toEpochMs(year, month, day, hour, minute, second, millis, 0);
            }
            return undefined;
        }
    }
    const match = timestampPattern.exec(text);
    if (!match) {
        return undefined;
    }
    const [, y, mo, d, h, mi, s, fraction, zulu, sign, oh, om] = match;
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
    return toEpochMs(Number(y), Number(mo), Number(d), Number(h), Number(mi), s === undefined ? 0 : Number(s), millis, offsetMinutes);
}

/** True when the text is a real calendar date written `YYYY-MM-DD`. */
export function isIsoDate(text: string): boolean {
    const match = datePattern.exec(text);
    return match !== null && validDate(Number(match[1]), Number(match[2]), Number(match[3]));
}

const canonicalPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * True when the text already is the canonical form `formatTimestamp` produces (so it can be kept
 * as is). A regular expression: V8 compiles this anchored, fixed-width pattern to native code that
 * a character loop in JavaScript does not beat (measured).
 */
export function isCanonicalTimestamp(text: string): boolean {
    return text.length === 24 && canonicalPattern.test(text);
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

/**
 * `formatTimestamp` and `hourPartition` with a one-entry memo each: the records of a batch mostly
 * share their stream time and event hour, so a batch formats each only once. Create one per batch.
 */
export function createTimeFormatter(): { readonly timestamp: (epochMs: number) => string; readonly partition: (epochMs: number) => HourPartition } {
    let lastMs = Number.NaN;
    let lastText = "";
    let lastHour = Number.NaN;
    let lastPartition: HourPartition = { dt: "", hour: "" };
    return {
        timestamp: (epochMs) => {
            if (epochMs !== lastMs) {
                lastMs = epochMs;
                lastText = formatTimestamp(epochMs);
            }
            return lastText;
        },
        partition: (epochMs) => {
            const hourIndex = Math.floor(epochMs / 3_600_000);
            if (hourIndex !== lastHour) {
                lastHour = hourIndex;
                lastPartition = hourPartition(epochMs);
            }
            return lastPartition;
        },
    };
}
