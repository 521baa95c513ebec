//! Kubernetes resource quantities (`8`, `500m`, `1.5`, `32Gi`, `1e3`), parsed exactly enough to
//! validate and compare them. Values are kept as written for output; this only checks them.

/// A parsed quantity in nano-units (1e-9), saturating at the i128 range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Quantity(i128);

impl Quantity {
    /// Parses the Kubernetes quantity grammar: `[+-]digits[.digits][suffix]`, where suffix is a
    /// binary SI (`Ki`..`Ei`), decimal SI (`n u m k M G T P E`) or exponent (`e3`, `E-2`).
    pub fn parse(text: &str) -> Option<Quantity> {
        let (negative, body) = match text.as_bytes().first()? {
            b'-' => (true, &text[1..]),
            b'+' => (false, &text[1..]),
            _ => (false, text),
        };
        let number_end = body
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(body.len());
        let (number, suffix) = body.split_at(number_end);
        let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
        if (whole.is_empty() && fraction.is_empty()) || fraction.contains('.') {
            return None;
        }
        // Multiplier as (factor, power of ten); binary suffixes are exact integers.
        let (factor, exp10): (i128, i32) = match suffix {
            "" => (1, 0),
            "Ki" => (1 << 10, 0),
            "Mi" => (1 << 20, 0),
            "Gi" => (1 << 30, 0),
            "Ti" => (1 << 40, 0),
            "Pi" => (1 << 50, 0),
            "Ei" => (1 << 60, 0),
            "n" => (1, -9),
            "u" => (1, -6),
            "m" => (1, -3),
            "k" => (1, 3),
            "M" => (1, 6),
            "G" => (1, 9),
            "T" => (1, 12),
            "P" => (1, 15),
            "E" => (1, 18),
            exp => {
                let digits = exp.strip_prefix(['e', 'E'])?;
                let value: i32 = digits.parse().ok()?;
                if !(-30..=30).contains(&value) {
                    return None;
                }
                (1, value)
            }
        };
        let digits = format!("{whole}{fraction}");
        if digits.len() > 30 {
            return None;
        }
        let mantissa: i128 = digits.parse().ok()?;
        // value = mantissa * 10^(exp10 - fraction.len()) * factor, expressed in 1e-9 units.
        let scale = exp10 + 9 - i32::try_from(fraction.len()).ok()?;
        let scaled = if scale >= 0 {
            10i128
                .checked_pow(scale.unsigned_abs())
                .and_then(|p| mantissa.checked_mul(p))
                .and_then(|v| v.checked_mul(factor))
                .unwrap_or(i128::MAX)
        } else {
            let divisor = 10i128
                .checked_pow(scale.unsigned_abs())
                .unwrap_or(i128::MAX);
            mantissa.saturating_mul(factor) / divisor
        };
        Some(Quantity(if negative { -scaled } else { scaled }))
    }

    pub fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// The value in units (bytes for memory), as a float for estimates.
    pub fn to_f64(self) -> f64 {
        self.0 as f64 / 1e9
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Quantity {
        Quantity::parse(s).unwrap_or_else(|| panic!("{s} should parse"))
    }

    #[test]
    fn parses_the_kubernetes_forms() {
        assert_eq!(q("8"), q("8000m"));
        assert_eq!(q("1Gi"), q("1073741824"));
        assert_eq!(q("1.5"), q("1500m"));
        assert_eq!(q("1e3"), q("1k"));
        assert_eq!(q(".5"), q("500m"));
        assert!(q("32Gi") < q("64Gi"));
        assert!(q("1Gi") > q("1G"));
        assert!(q("-1").is_negative());
    }

    #[test]
    fn rejects_what_the_api_server_rejects() {
        for bad in [
            "", "Gi", "1.2.3", "1GB", "1 Gi", "abc", "1e", "1ki", "--1", ".",
        ] {
            assert_eq!(Quantity::parse(bad), None, "{bad}");
        }
    }
}
