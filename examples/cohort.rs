//! Writes a synthetic cohort for the bundled ALS guideline, to measure batch
//! evaluation: `cargo run --release --example cohort -- 1000000 > cohort.ndjson`.
//!
//! Options: `--csv` writes CSV with a header row instead of NDJSON;
//! `--seed N` changes the cohort; `--broken N` makes every N-th record invalid
//! (a misspelt key, a wrong type, or a line that is not JSON).
//! Each fact is sometimes absent, so that every kind of outcome shows up.
//! The cohort is random but reproducible: the same arguments give the same bytes.

use std::io::{self, BufWriter, Write};

/// A small deterministic generator (xorshift64*), so the example needs no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn range(&mut self, low: f64, high: f64) -> f64 {
        low + (high - low) * self.unit()
    }

    fn pick<'a>(&mut self, values: &[&'a str]) -> &'a str {
        values[(self.next() % values.len() as u64) as usize]
    }
}

/// The guideline's facts in a fixed order: name and how to draw a value.
const FACTS: [&str; 25] = [
    "age",
    "weight",
    "height",
    "als",
    "acute_leukemia",
    "ecog",
    "respiratory_compromise",
    "dysphagia",
    "lineage",
    "apl_morphology",
    "pml_rara",
    "wbc",
    "leukostasis",
    "hydroxyurea_response",
    "coagulopathy",
    "platelets",
    "hemoglobin",
    "anc",
    "blasts",
    "uric_acid",
    "potassium",
    "phosphate",
    "calcium",
    "creatinine",
    "ldh",
];

/// One value as JSON text, or `None` when the fact is absent.
fn draw(rng: &mut Rng, fact: &str) -> Option<String> {
    // Both facts of the scope are always drawn, so that most records are in
    // scope, as in the cohorts the batch figures were first measured on.
    if fact != "als" && fact != "acute_leukemia" && rng.chance(0.12) {
        return None;
    }
    let num = |rng: &mut Rng, lo: f64, hi: f64| format!("{:.1}", rng.range(lo, hi));
    let boolean = |rng: &mut Rng, p: f64| (if rng.chance(p) { "true" } else { "false" }).to_string();
    let text = |s: &str| format!("\"{s}\"");
    Some(match fact {
        "age" => num(rng, 18.0, 95.0),
        "weight" => num(rng, 40.0, 120.0),
        "height" => num(rng, 145.0, 200.0),
        "als" => {
            if rng.chance(0.04) {
                return None;
            }
            boolean(rng, 0.93)
        }
        "acute_leukemia" => boolean(rng, 0.97),
        "ecog" => format!("{}", rng.next() % 5),
        "respiratory_compromise" => boolean(rng, 0.4),
        "dysphagia" => boolean(rng, 0.3),
        "lineage" => text(rng.pick(&["myeloid", "myeloid", "lymphoid", "undetermined"])),
        "apl_morphology" => boolean(rng, 0.1),
        "pml_rara" => text(rng.pick(&["positive", "negative", "negative", "pending"])),
        // Log-uniform from 1 to 400: a third of patients above 100.
        "wbc" => format!("{:.1}", (rng.range(0.0, 400f64.ln())).exp()),
        "leukostasis" => text(rng.pick(&["none", "none", "pulmonary", "cerebral"])),
        "hydroxyurea_response" => text(rng.pick(&["not_started", "responding", "refractory"])),
        "coagulopathy" => boolean(rng, 0.2),
        "platelets" => num(rng, 5.0, 300.0),
        "hemoglobin" => num(rng, 5.0, 15.0),
        "anc" => format!("{:.2}", rng.range(0.05, 6.0)),
        "blasts" => num(rng, 5.0, 95.0),
        "uric_acid" => num(rng, 2.0, 14.0),
        "potassium" => num(rng, 3.0, 7.0),
        "phosphate" => num(rng, 2.0, 7.0),
        "calcium" => num(rng, 6.0, 11.0),
        "creatinine" => num(rng, 0.5, 4.0),
        _ => num(rng, 100.0, 3000.0),
    })
}

fn broken(rng: &mut Rng) -> String {
    match rng.next() % 3 {
        0 => r#"{"als": true, "wbx": 150}"#.to_string(),
        1 => r#"{"als": true, "wbc": "high"}"#.to_string(),
        _ => r#"{"als": true, "wbc": 150"#.to_string(),
    }
}

/// Writes `count` records (NDJSON, or CSV with a header when `csv`); every
/// `broken_every`-th NDJSON record is invalid (0: none). Reproducible from `seed`.
pub fn write_cohort(out: &mut impl Write, count: u64, csv: bool, seed: u64, broken_every: u64) -> io::Result<()> {
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    if csv {
        writeln!(out, "{}", FACTS.join(","))?;
    }
    for i in 1..=count {
        if broken_every > 0 && i % broken_every == 0 && !csv {
            writeln!(out, "{}", broken(&mut rng))?;
            continue;
        }
        let values: Vec<Option<String>> = FACTS.iter().map(|f| draw(&mut rng, f)).collect();
        if csv {
            let cells: Vec<&str> = values
                .iter()
                .map(|v| v.as_deref().unwrap_or("").trim_matches('"'))
                .collect();
            writeln!(out, "{}", cells.join(","))?;
        } else {
            let fields: Vec<String> = FACTS
                .iter()
                .zip(&values)
                .filter_map(|(f, v)| v.as_ref().map(|v| format!("\"{f}\": {v}")))
                .collect();
            writeln!(out, "{{{}}}", fields.join(", "))?;
        }
    }
    Ok(())
}

#[allow(dead_code)] // The benchmarks include this file for `write_cohort` only.
fn main() -> io::Result<()> {
    let mut count: u64 = 1000;
    let (mut csv, mut seed, mut broken_every) = (false, 1u64, 0u64);
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--csv" => csv = true,
            "--seed" => seed = args.next().and_then(|s| s.parse().ok()).unwrap_or(1),
            "--broken" => broken_every = args.next().and_then(|s| s.parse().ok()).unwrap_or(0),
            n => {
                count = n.parse().map_err(|_| {
                    io::Error::new(
                        io::ErrorKind::InvalidInput,
                        "usage: cohort [COUNT] [--csv] [--seed N] [--broken N]",
                    )
                })?
            }
        }
    }
    let mut out = BufWriter::with_capacity(1 << 16, io::stdout().lock());
    write_cohort(&mut out, count, csv, seed, broken_every)?;
    out.flush()
}
