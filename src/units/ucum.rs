//! The catalogue of unit atoms: the UCUM codes a clinical guideline uses, with
//! their scale in base units, plus the few everyday spellings accepted as
//! synonyms (`day`, `years`, `10^9`, `µ`).
//!
//! UCUM (the Unified Code for Units of Measure, <https://ucum.org/ucum>) is
//! case-sensitive: `mg/dL`, not `mg/dl`; `Pa`, not `pa`. The subset here is
//! written out rather than taken from a crate, because the checker needs the
//! exact (rational) scale of every atom and its did-you-mean, and the
//! conversions a clinician may rely on are few enough to read in one screen.
//!
//! Two deliberate departures from UCUM, both to keep units that need a
//! clinical fact apart: a mole is a dimension of its own (UCUM makes it a
//! number, 6.0221367e23), so µmol/L and mg/dL convert only through a molar
//! mass the guideline states; and an equivalent (`eq`) is one too, since
//! mmol and mEq differ by the ion's valence. Only `L` is litre: UCUM also
//! allows `l`, but one spelling catches `mg/dl` as the typo it usually is.

use super::ratio::Ratio;

/// The base dimensions, in this order: length (m), time (s), mass (g), amount
/// (mol), equivalents (eq), international units ([IU]), temperature (K) and
/// degrees Celsius (`Cel`: a scale with an offset from K, so nothing converts to it).
pub const BASES: [&str; 8] = ["m", "s", "g", "mol", "eq", "[IU]", "K", "Cel"];

/// Powers of the base dimensions.
pub type Dims = [i32; 8];

/// One atom of the catalogue.
pub struct Atom {
    /// The UCUM code.
    pub code: &'static str,
    /// Numerator and denominator of the scale, in base units.
    pub scale: (i128, i128),
    /// The dimension.
    pub dims: Dims,
    /// Whether a metric prefix may precede it (`mg`, `mmol`, `mm[Hg]`).
    pub metric: bool,
}

const fn atom(code: &'static str, scale: (i128, i128), dims: Dims, metric: bool) -> Atom {
    Atom {
        code,
        scale,
        dims,
        metric,
    }
}

const NONE: Dims = [0; 8];
const M: Dims = [1, 0, 0, 0, 0, 0, 0, 0];
const S: Dims = [0, 1, 0, 0, 0, 0, 0, 0];
const G: Dims = [0, 0, 1, 0, 0, 0, 0, 0];
const MOL: Dims = [0, 0, 0, 1, 0, 0, 0, 0];
const EQ: Dims = [0, 0, 0, 0, 1, 0, 0, 0];
const IU: Dims = [0, 0, 0, 0, 0, 1, 0, 0];
const K: Dims = [0, 0, 0, 0, 0, 0, 1, 0];
const CEL: Dims = [0, 0, 0, 0, 0, 0, 0, 1];
const VOLUME: Dims = [3, 0, 0, 0, 0, 0, 0, 0];
const PER_S: Dims = [0, -1, 0, 0, 0, 0, 0, 0];
const MOL_PER_S: Dims = [0, -1, 0, 1, 0, 0, 0, 0];
/// g·m⁻¹·s⁻² (a pascal is 1000 of them, since a newton is a kg·m/s²).
const PRESSURE: Dims = [-1, -2, 1, 0, 0, 0, 0, 0];
const ENERGY: Dims = [2, -2, 1, 0, 0, 0, 0, 0];
const POWER: Dims = [2, -3, 1, 0, 0, 0, 0, 0];

/// The atoms, with the scale of each from the UCUM tables.
pub const ATOMS: &[Atom] = &[
    // Base units.
    atom("m", (1, 1), M, true),
    atom("s", (1, 1), S, true),
    atom("g", (1, 1), G, true),
    atom("mol", (1, 1), MOL, true),
    atom("K", (1, 1), K, true),
    atom("Cel", (1, 1), CEL, false),
    atom("eq", (1, 1), EQ, true),
    atom("[IU]", (1, 1), IU, true),
    atom("[iU]", (1, 1), IU, true),
    // Volume, amount and activity.
    atom("L", (1, 1000), VOLUME, true),
    atom("osm", (1, 1), MOL, true),
    atom("kat", (1, 1), MOL_PER_S, true),
    // U = µmol/min.
    atom("U", (1, 60_000_000), MOL_PER_S, true),
    // Time; not metric: `mh` is no unit.
    atom("min", (60, 1), S, false),
    atom("h", (3600, 1), S, false),
    atom("d", (86_400, 1), S, false),
    atom("wk", (604_800, 1), S, false),
    // The mean Julian month and year: 30.4375 d and 365.25 d.
    atom("mo", (2_629_800, 1), S, false),
    atom("a", (31_557_600, 1), S, false),
    atom("Hz", (1, 1), PER_S, true),
    // Pressure: Pa = N/m² = 1000 g/(m·s²); m[Hg] = 133.322 kPa; m[H2O] = 9.80665 kPa.
    atom("Pa", (1000, 1), PRESSURE, true),
    atom("bar", (100_000_000, 1), PRESSURE, true),
    atom("m[Hg]", (133_322_000, 1), PRESSURE, true),
    atom("m[H2O]", (9_806_650, 1), PRESSURE, true),
    // Energy and power: J = 1000 g·m²/s²; cal = 4.184 J.
    atom("J", (1000, 1), ENERGY, true),
    atom("cal", (4184, 1), ENERGY, true),
    atom("W", (1000, 1), POWER, true),
    // Dimensionless.
    atom("%", (1, 100), NONE, false),
    atom("[ppth]", (1, 1000), NONE, false),
    atom("[ppm]", (1, 1_000_000), NONE, false),
    // Customary units a clinician meets.
    atom("[lb_av]", (45_359_237, 100_000), G, false),
    atom("[in_i]", (254, 10_000), M, false),
    atom("[ft_i]", (3048, 10_000), M, false),
];

/// The metric prefixes, longest first so that `da` is tried before `d`.
pub const PREFIXES: &[(&str, i32)] = &[
    ("da", 1),
    ("Y", 24),
    ("Z", 21),
    ("E", 18),
    ("P", 15),
    ("T", 12),
    ("G", 9),
    ("M", 6),
    ("k", 3),
    ("h", 2),
    ("d", -1),
    ("c", -2),
    ("m", -3),
    ("u", -6),
    ("n", -9),
    ("p", -12),
    ("f", -15),
    ("a", -18),
    ("z", -21),
    ("y", -24),
];

/// Everyday spellings accepted as they are written, with the UCUM code each
/// stands for. The bundled guideline writes `mg/kg/day` and `years`, which
/// read better in a report than `mg/kg/d` and `a`.
pub const SYNONYMS: &[(&str, &str)] = &[
    ("day", "d"),
    ("days", "d"),
    ("week", "wk"),
    ("weeks", "wk"),
    ("month", "mo"),
    ("months", "mo"),
    ("year", "a"),
    ("years", "a"),
    ("hour", "h"),
    ("hours", "h"),
    ("IU", "[IU]"),
    ("mcg", "ug"),
];

/// The prefixed codes offered as suggestions besides the atoms themselves.
const SUGGESTED_PREFIXES: &[&str] = &["k", "d", "c", "m", "u", "n", "p"];

/// An atom's code, with a prefix when it has one, and its scale and dimension.
pub struct Resolved {
    /// The scale in base units.
    pub scale: Ratio,
    /// The dimension.
    pub dims: Dims,
}

/// Looks up one symbol without its exponent: `mg`, `dL`, `day`, `mm[Hg]`, `10*9`.
pub fn resolve(symbol: &str) -> Option<Resolved> {
    if let Some(exp) = symbol
        .strip_prefix("10*")
        .or_else(|| symbol.strip_prefix("10^"))
        .and_then(|e| e.parse::<i32>().ok())
    {
        return Some(Resolved {
            scale: Ratio::pow10(exp)?,
            dims: NONE,
        });
    }
    // `µ` (the micro sign or the Greek letter) is the everyday `u`.
    if let Some(rest) = symbol.strip_prefix('µ').or_else(|| symbol.strip_prefix('μ')) {
        return resolve(&format!("u{rest}"));
    }
    let symbol = SYNONYMS
        .iter()
        .find(|(s, _)| *s == symbol)
        .map_or(symbol, |(_, code)| code);
    if let Some(a) = ATOMS.iter().find(|a| a.code == symbol) {
        return Some(Resolved {
            scale: Ratio::new(a.scale.0, a.scale.1)?,
            dims: a.dims,
        });
    }
    for (prefix, exp) in PREFIXES {
        let Some(rest) = symbol.strip_prefix(prefix) else {
            continue;
        };
        if let Some(a) = ATOMS.iter().find(|a| a.metric && a.code == rest) {
            return Some(Resolved {
                scale: Ratio::new(a.scale.0, a.scale.1)?.times(Ratio::pow10(*exp)?)?,
                dims: a.dims,
            });
        }
    }
    None
}

/// The UCUM code a misspelt symbol most likely meant, and whether the only
/// difference is letter case (`dl` for `dL`), which the message then names.
pub fn closest(wrong: &str) -> Option<(String, bool)> {
    // On a tie the first wins: the everyday words, then the atoms, then
    // prefixed atoms, so `dya` is `day` (d) rather than `dPa`.
    let mut candidates: Vec<(String, String)> = SYNONYMS
        .iter()
        .map(|(s, code)| (s.to_string(), code.to_string()))
        .collect();
    candidates.extend(ATOMS.iter().map(|a| (a.code.to_string(), a.code.to_string())));
    for a in ATOMS.iter().filter(|a| a.metric) {
        for p in SUGGESTED_PREFIXES {
            candidates.push((format!("{p}{}", a.code), format!("{p}{}", a.code)));
        }
    }
    if let Some((_, code)) = candidates.iter().find(|(c, _)| c.eq_ignore_ascii_case(wrong)) {
        return Some((code.clone(), true));
    }
    let best = crate::diagnostics::did_you_mean(wrong, candidates.iter().map(|(c, _)| c.as_str()))?;
    let code = candidates
        .iter()
        .find(|(c, _)| c == best)
        .map(|(_, code)| code.clone())?;
    Some((code, false))
}
