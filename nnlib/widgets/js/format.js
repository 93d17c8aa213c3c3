// Numbers written exactly as Python's format() writes them, so that the page shows the same
// digits as nnlib (f"{x:.2f}", f"{x:+.2f}", f"{x:,.0f}", f"{x:.3g}", f"{x:g}", f"{x:.0%}").
//
// Python rounds the exact binary value of a float to the nearest decimal, ties to even
// (f"{0.125:.2f}" is "0.12"); JavaScript's toFixed rounds ties up ("0.13"). So we take the
// exact decimal expansion (toFixed(100) is exact for the numbers the widgets show) and round
// it ourselves.

// The exact decimal digits of x >= 0: {digits: "12345", point: 2} means 12.345.
function exactDecimal(x) {
  let text;
  if (x >= 1e21) text = BigInt(x).toString(); // such a large double is a whole number
  else text = x.toFixed(100).replace(/0+$/, "");
  const [whole, fraction = ""] = text.split(".");
  const digits = (whole + fraction).replace(/^0+/, "");
  if (digits === "") return { digits: "0", point: 1 };
  // point: how many of `digits` come before the decimal point (may be <= 0 for 0.00123)
  const leadingZeros = (whole + fraction).length - (whole + fraction).replace(/^0+/, "").length;
  return { digits, point: whole.length - leadingZeros };
}

// Round {digits, point} to keep `keep` digits (keep may be <= 0), ties to even.
function roundDigits({ digits, point }, keep) {
  if (keep >= digits.length) return { digits, point };
  if (keep < 0) return { digits: "0", point: point - keep + 1, zero: true };
  const kept = digits.slice(0, keep) || "0";
  const rest = digits.slice(keep);
  const last = keep > 0 ? Number(digits[keep - 1]) : 0;
  const up = rest[0] > "5" || (rest[0] === "5" && (/[1-9]/.test(rest.slice(1)) || last % 2 === 1));
  if (!up) return { digits: kept, point: keep > 0 ? point : point + 1 };
  const bumped = (BigInt(kept) + 1n).toString();
  const grew = keep > 0 && bumped.length > kept.length;
  return { digits: bumped, point: keep > 0 ? point + (grew ? 1 : 0) : point + 1 };
}

function group(whole) {
  return whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

// x with `decimals` digits after the point (Python's "f" type); grouping adds thousands commas.
function fixed(x, decimals, grouping) {
  const exact = exactDecimal(x);
  const r = roundDigits(exact, exact.point + decimals);
  let digits = r.zero ? "0" : r.digits;
  let point = r.zero ? 1 : r.point;
  if (point <= 0) { digits = "0".repeat(1 - point) + digits; point = 1; }
  const total = point + decimals;
  digits = digits.padEnd(total, "0");
  let whole = digits.slice(0, point).replace(/^0+(?=\d)/, "");
  if (grouping) whole = group(whole);
  const fraction = digits.slice(point, total);
  return decimals > 0 ? `${whole}.${fraction}` : whole;
}

// Python's "g" type: `precision` significant digits, fixed or scientific, trailing zeros cut.
function general(x, precision, grouping) {
  const p = precision === 0 ? 1 : precision;
  if (x === 0) return "0";
  const r = roundDigits(exactDecimal(x), p);
  const exponent = r.point - 1;
  let text;
  if (exponent >= -4 && exponent < p) {
    text = fixed(x, Math.max(p - 1 - exponent, 0), grouping);
    if (text.includes(".")) text = text.replace(/0+$/, "").replace(/\.$/, "");
  } else {
    const digits = r.digits.padEnd(p, "0");
    let mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    if (mantissa.includes(".")) mantissa = mantissa.replace(/0+$/, "").replace(/\.$/, "");
    const sign = exponent < 0 ? "-" : "+";
    text = `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, "0")}`;
  }
  return text;
}

// format(x, ".2f") === Python's format(x, ".2f"). Supported: [+][,][.N](f|g|%) and "g".
export function format(x, spec) {
  const match = /^(\+)?(,)?(?:\.(\d+))?([fg%])$/.exec(spec);
  if (!match) throw new Error(`format: unsupported format "${spec}"`);
  const [, plus, grouping, precisionText, type] = match;
  if (Number.isNaN(x)) return "nan";
  const negative = x < 0 || Object.is(x, -0);
  const sign = negative ? "-" : plus ? "+" : "";
  if (!Number.isFinite(x)) return `${sign}inf`;
  const magnitude = Math.abs(x);
  let body;
  if (type === "f") body = fixed(magnitude, precisionText === undefined ? 6 : +precisionText, !!grouping);
  else if (type === "%") body = `${fixed(magnitude * 100, precisionText === undefined ? 6 : +precisionText, !!grouping)}%`;
  else body = general(magnitude, precisionText === undefined ? 6 : +precisionText, !!grouping);
  return sign + body;
}
