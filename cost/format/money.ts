/** Dollar amounts for people: "$1,234.56", signed "+$12.30" / "-$4.00". */
export function usd(value: number): string {
    const abs = Math.abs(value);
    const text = abs.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    return `${value < 0 && text !== "0.00" ? "-" : ""}$${text}`;
}

export function signedUsd(value: number): string {
    return value > 0 && usd(value) !== "$0.00" ? `+${usd(value)}` : usd(value);
}

/** A unit price with the digits it needs: "$0.045", "$0.0000166667", "$1.086". */
export function unitPrice(value: number): string {
    if (value === 0) return "$0";
    if (value >= 0.01) return `$${Number(value.toPrecision(6)).toString()}`;
    return `$${value.toFixed(12).replace(/0+$/, "")}`;
}

export function quantity(value: number): string {
    return value.toLocaleString("en-US", { maximumFractionDigits: value < 10 ? 4 : 2 });
}

export function percent(value: number | null): string {
    if (value === null) return "new";
    const text = `${Math.abs(value).toFixed(value !== 0 && Math.abs(value) < 1 ? 2 : 1)}%`;
    return value > 0 ? `+${text}` : value < 0 ? `-${text}` : text;
}
