//! Exact rational numbers for unit scales: a conversion factor is computed
//! once, exactly, and turned into a double only at the end, so `30000 /uL`
//! becomes exactly `30` in `10^9/L` instead of the product of rounded factors.

use std::fmt;

/// A fraction in lowest terms with a positive denominator. Every operation
/// is checked: `None` when a numerator or denominator would overflow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Ratio {
    num: i128,
    den: i128,
}

/// The greatest common divisor, at least 1 (so dividing by it is safe).
fn gcd(a: i128, b: i128) -> i128 {
    let (mut a, mut b) = (a.unsigned_abs(), b.unsigned_abs());
    while b != 0 {
        (a, b) = (b, a % b);
    }
    // Only gcd(i128::MIN, 0) is out of range; 1 keeps that fraction as it is.
    i128::try_from(a).unwrap_or(1).max(1)
}

impl Ratio {
    /// One.
    pub const ONE: Ratio = Ratio { num: 1, den: 1 };

    /// `num / den` in lowest terms; `None` for a zero denominator.
    pub fn new(num: i128, den: i128) -> Option<Ratio> {
        if den == 0 {
            return None;
        }
        let g = gcd(num, den);
        let sign = if den < 0 { -1 } else { 1 };
        Some(Ratio {
            num: (num / g).checked_mul(sign)?,
            den: (den / g).checked_mul(sign)?,
        })
    }

    /// A whole number.
    pub fn int(n: i128) -> Ratio {
        Ratio { num: n, den: 1 }
    }

    /// `10^e`, for `e` of either sign.
    pub fn pow10(e: i32) -> Option<Ratio> {
        let p = 10i128.checked_pow(e.unsigned_abs())?;
        if e >= 0 {
            Some(Ratio::int(p))
        } else {
            Ratio::new(1, p)
        }
    }

    /// A decimal as written: `113.12`, `0.5`, `-2`, `30000`. No exponents.
    pub fn parse_decimal(text: &str) -> Option<Ratio> {
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
        if whole.is_empty() || !whole.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
            return None;
        }
        let mut num: i128 = 0;
        for b in whole.bytes().chain(frac.bytes()) {
            num = num.checked_mul(10)?.checked_add(i128::from(b - b'0'))?;
        }
        let den = 10i128.checked_pow(u32::try_from(frac.len()).ok()?)?;
        Ratio::new(if negative { -num } else { num }, den)
    }

    /// The exact value of a double that was read from a decimal: its shortest
    /// decimal form (the one Rust prints) is the number the editor wrote.
    pub fn from_written(x: f64) -> Option<Ratio> {
        if !x.is_finite() {
            return None;
        }
        Ratio::parse_decimal(&format!("{x}"))
    }

    /// The product.
    pub fn times(self, o: Ratio) -> Option<Ratio> {
        // Cross-cancel first so that the intermediate products stay small.
        let g1 = gcd(self.num, o.den);
        let g2 = gcd(o.num, self.den);
        let num = (self.num / g1).checked_mul(o.num / g2)?;
        let den = (self.den / g2).checked_mul(o.den / g1)?;
        Ratio::new(num, den)
    }

    /// The inverse; `None` for zero.
    pub fn recip(self) -> Option<Ratio> {
        Ratio::new(self.den, self.num)
    }

    /// The quotient; `None` when `o` is zero.
    pub fn over(self, o: Ratio) -> Option<Ratio> {
        self.times(o.recip()?)
    }

    /// `self^p` for a power of either sign.
    pub fn pow(self, p: i32) -> Option<Ratio> {
        let base = if p < 0 { self.recip()? } else { self };
        let mut out = Ratio::ONE;
        for _ in 0..p.unsigned_abs() {
            out = out.times(base)?;
        }
        Some(out)
    }

    /// The exact square root, when numerator and denominator are squares.
    pub fn sqrt(self) -> Option<Ratio> {
        fn isqrt(n: i128) -> Option<i128> {
            if n < 0 {
                return None;
            }
            let r = (n as f64).sqrt() as i128;
            (r.saturating_sub(1)..=r.saturating_add(1)).find(|x| x.checked_mul(*x) == Some(n))
        }
        Ratio::new(isqrt(self.num)?, isqrt(self.den)?)
    }

    /// The nearest double: one rounding of the exact quotient when both
    /// parts are exact doubles (below 2^53), as they are for clinical scales.
    pub fn to_f64(self) -> f64 {
        self.num as f64 / self.den as f64
    }
}

impl fmt::Display for Ratio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.den == 1 {
            write!(f, "{}", self.num)
        } else {
            write!(f, "{}/{}", self.num, self.den)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_exact() {
        let r = |s| Ratio::parse_decimal(s).expect("decimal");
        assert_eq!(r("113.12"), Ratio::new(2828, 25).expect("ratio"));
        assert_eq!(r("0.1").times(r("3")).expect("product"), r("0.3"));
        assert_eq!(Ratio::from_written(0.1), Some(r("0.1")));
        assert_eq!(Ratio::pow10(-3).expect("milli").to_f64(), 0.001);
        assert_eq!(r("4").over(r("9")).and_then(Ratio::sqrt), Ratio::new(2, 3));
        assert_eq!(r("2").sqrt(), None);
        assert_eq!(Ratio::parse_decimal("1e5"), None);
        assert_eq!(Ratio::pow10(60), None);
        // Out of range is `None`, never a panic.
        assert_eq!(Ratio::new(i128::MIN, -1), None);
        assert_eq!(Ratio::int(i128::MAX).times(Ratio::int(2)), None);
    }
}
