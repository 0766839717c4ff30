//! Go's `time.ParseDuration` and `Duration.String`, which Kratos uses for `expires_in` and
//! echoes in its error reasons (`-1h0m0s`), so the sandbox reads and words durations alike.

const NS: i128 = 1;
const US: i128 = 1_000;
const MS: i128 = 1_000_000;
const S: i128 = 1_000_000_000;
const M: i128 = 60 * S;
const H: i128 = 60 * M;

/// Go's `time.ParseDuration`: an optional sign, then one or more decimal numbers, each with
/// an optional fraction and a unit (`ns`, `us`, `µs`, `ms`, `s`, `m`, `h`); a bare `0` is
/// allowed. Returns nanoseconds, or `None` where Go returns an error (overflow included).
pub fn parse(text: &str) -> Option<i64> {
    let (negative, mut rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if rest == "0" {
        return Some(0);
    }
    if rest.is_empty() {
        return None;
    }
    let mut total: i128 = 0;
    while !rest.is_empty() {
        let int_len = rest.bytes().take_while(u8::is_ascii_digit).count();
        let (int, after) = rest.split_at(int_len);
        let (frac, after) = match after.strip_prefix('.') {
            Some(f) => {
                let n = f.bytes().take_while(u8::is_ascii_digit).count();
                f.split_at(n)
            }
            None => ("", after),
        };
        if int.is_empty() && frac.is_empty() {
            return None;
        }
        let unit_len = after
            .char_indices()
            .find(|(_, c)| *c == '.' || c.is_ascii_digit())
            .map_or(after.len(), |(i, _)| i);
        let (unit, next) = after.split_at(unit_len);
        let scale = match unit {
            "ns" => NS,
            "us" | "µs" | "μs" => US,
            "ms" => MS,
            "s" => S,
            "m" => M,
            "h" => H,
            _ => return None,
        };
        let whole: i128 = if int.is_empty() { 0 } else { int.parse().ok()? };
        let mut value = whole.checked_mul(scale)?;
        if !frac.is_empty() {
            // Only as many digits as can matter: Go keeps the fraction exact up to overflow.
            let digits = &frac[..frac.len().min(30)];
            let f: i128 = digits.parse().ok()?;
            value += f * scale / 10i128.pow(digits.len() as u32);
        }
        total = total.checked_add(value)?;
        if total > i64::MAX as i128 + i128::from(negative) {
            return None;
        }
        rest = next;
    }
    let signed = if negative { -total } else { total };
    i64::try_from(signed).ok()
}

/// Go's `Duration.String`: `1h0m0s`, `-1h30m0s`, `1.5s`, `250ms`, `0s`.
pub fn format(nanos: i64) -> String {
    if nanos == 0 {
        return "0s".into();
    }
    let sign = if nanos < 0 { "-" } else { "" };
    let u = nanos.unsigned_abs() as u128;
    if u < S as u128 {
        let (scale, unit) = if u < US as u128 {
            (1, "ns")
        } else if u < MS as u128 {
            (US as u128, "µs")
        } else {
            (MS as u128, "ms")
        };
        return format!("{sign}{}{unit}", decimal(u, scale));
    }
    let h = u / H as u128;
    let m = (u % H as u128) / M as u128;
    let s = decimal(u % M as u128, S as u128);
    match (h, m) {
        (0, 0) => format!("{sign}{s}s"),
        (0, m) => format!("{sign}{m}m{s}s"),
        (h, m) => format!("{sign}{h}h{m}m{s}s"),
    }
}

/// `value / scale` with the fraction's trailing zeros dropped.
fn decimal(value: u128, scale: u128) -> String {
    let whole = value / scale;
    let frac = value % scale;
    if frac == 0 {
        return whole.to_string();
    }
    let width = scale.to_string().len() - 1;
    let digits = format!("{frac:0width$}");
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_like_go() {
        assert_eq!(parse("1h"), Some(3_600_000_000_000));
        assert_eq!(parse("1h30m"), Some(5_400_000_000_000));
        assert_eq!(parse("1.5s"), Some(1_500_000_000));
        assert_eq!(parse("-1h"), Some(-3_600_000_000_000));
        assert_eq!(parse("+2m"), Some(120_000_000_000));
        assert_eq!(parse(".5ms"), Some(500_000));
        assert_eq!(parse("10µs"), Some(10_000));
        assert_eq!(parse("0"), Some(0));
        assert_eq!(parse("0s"), Some(0));
        for bad in ["", "1", "1d", "h", "-", "1.h", ".s", "1h 2m", "3000000h"] {
            let got = parse(bad);
            // `1.h` is valid in Go (an empty fraction after digits), everything else is not.
            if bad == "1.h" {
                assert_eq!(got, Some(3_600_000_000_000));
            } else {
                assert_eq!(got, None, "{bad}");
            }
        }
    }

    #[test]
    fn formats_like_go() {
        assert_eq!(format(0), "0s");
        assert_eq!(format(3_600_000_000_000), "1h0m0s");
        assert_eq!(format(-3_600_000_000_000), "-1h0m0s");
        assert_eq!(format(5_400_500_000_000), "1h30m0.5s");
        assert_eq!(format(61_000_000_000), "1m1s");
        assert_eq!(format(1_500_000_000), "1.5s");
        assert_eq!(format(250_000_000), "250ms");
        assert_eq!(format(1_500), "1.5µs");
        assert_eq!(format(7), "7ns");
    }
}
