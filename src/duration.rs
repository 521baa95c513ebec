//! Go's duration syntax (`300s`, `1h30m`), which Knative's annotations and the stack's timeouts
//! use, read exactly as Go's `time.ParseDuration` reads it.

/// One second in nanoseconds.
pub const SECOND: i128 = 1_000_000_000;
/// One hour in nanoseconds.
pub const HOUR: i128 = 3600 * SECOND;

/// Go's `time.ParseDuration`: an optional sign, then one or more decimal numbers, each with a
/// unit (`ns`, `us`, `µs`, `ms`, `s`, `m`, `h`), or a bare `0`. Returns nanoseconds, or `None`
/// where Go reports an error (including overflow of an `int64`).
pub fn parse_go_duration(s: &str) -> Option<i128> {
    let (negative, mut rest) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    if rest == "0" {
        return Some(0);
    }
    if rest.is_empty() {
        return None;
    }
    let limit = i128::from(i64::MAX) + i128::from(negative);
    let mut total: i128 = 0;
    while !rest.is_empty() {
        let digits = |s: &str| s.bytes().take_while(u8::is_ascii_digit).count();
        let (whole, after) = rest.split_at(digits(rest));
        let (fraction, after) = match after.strip_prefix('.') {
            Some(after) => after.split_at(digits(after)),
            None => ("", after),
        };
        if whole.is_empty() && fraction.is_empty() {
            return None;
        }
        let unit_end = after
            .find(|c: char| c == '.' || c.is_ascii_digit())
            .unwrap_or(after.len());
        let (unit, next) = after.split_at(unit_end);
        let unit: i128 = match unit {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => SECOND,
            "m" => 60 * SECOND,
            "h" => HOUR,
            _ => return None,
        };
        let whole: i128 = if whole.is_empty() {
            0
        } else {
            whole.parse().ok()?
        };
        let mut value = whole.checked_mul(unit)?;
        // Go keeps the fraction's leading digits and truncates what is below a nanosecond.
        let fraction = &fraction[..fraction.len().min(18)];
        if !fraction.is_empty() {
            let scale = 10_i128.pow(u32::try_from(fraction.len()).ok()?);
            value += fraction.parse::<i128>().ok()? * unit / scale;
        }
        total = total.checked_add(value)?;
        if total > limit {
            return None;
        }
        rest = next;
    }
    Some(if negative { -total } else { total })
}

/// Whole seconds of a Go duration, rounded up, or `None` where Go would refuse it.
pub fn whole_seconds(s: &str) -> Option<i64> {
    let nanos = parse_go_duration(s)?;
    i64::try_from((nanos + SECOND - 1).div_euclid(SECOND)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_seconds_round_up() {
        assert_eq!(whole_seconds("30m"), Some(1800));
        assert_eq!(whole_seconds("1h30m"), Some(5400));
        assert_eq!(whole_seconds("1500ms"), Some(2));
        assert_eq!(whole_seconds("10"), None);
    }

    #[test]
    fn go_durations() {
        let cases: [(&str, Option<i128>); 16] = [
            ("0", Some(0)),
            ("-0", Some(0)),
            ("0s", Some(0)),
            ("15m", Some(900 * SECOND)),
            ("1h30m", Some(5400 * SECOND)),
            ("500ms", Some(SECOND / 2)),
            ("1.5s", Some(3 * SECOND / 2)),
            (".5s", Some(SECOND / 2)),
            ("2us", Some(2000)),
            ("2µs", Some(2000)),
            ("-1s", Some(-SECOND)),
            ("+3ns", Some(3)),
            ("", None),
            ("10", None),
            ("1d", None),
            ("3000000h", None),
        ];
        for (text, nanos) in cases {
            assert_eq!(parse_go_duration(text), nanos, "{text:?}");
        }
        for bad in ["s", ".s", "1s 2s", "-", "1..2s", "1sm"] {
            assert_eq!(parse_go_duration(bad), None, "{bad:?}");
        }
    }
}
