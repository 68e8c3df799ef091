//! Header metadata (semantic version, status, date, reviewers) and the numbered references.

use super::*;

impl Checker<'_> {
    pub(super) fn meta(&mut self, h: &ast::Header) -> Option<Meta> {
        let version = match &h.version {
            None => {
                self.error(
                    Problem::error("guidelang::check::missing_version", "the guideline has no `version`")
                        .with_label(h.id.span, "this guideline")
                        .with_help("add `version 1.0.0` to the header; every output names the version"),
                );
                None
            }
            Some(v) => match semver::Version::parse(&v.node) {
                Ok(ver) => Some(ver),
                Err(e) => {
                    self.error(
                        Problem::error(
                            "guidelang::check::bad_version",
                            format!("`{}` is not a semantic version: {e}", v.node),
                        )
                        .with_label(v.span, "here")
                        .with_help("write MAJOR.MINOR.PATCH, e.g. `1.2.0`"),
                    );
                    None
                }
            },
        };
        let status = match &h.status {
            Some(s) => s.node,
            None => {
                self.error(
                    Problem::error(
                        "guidelang::check::missing_status",
                        "the guideline has no review `status`",
                    )
                    .with_label(h.id.span, "this guideline")
                    .with_help("add `status draft`, `status in-review` or `status approved`"),
                );
                Status::Draft
            }
        };
        if let Some(d) = &h.updated {
            if !valid_date(&d.node) {
                self.error(
                    Problem::error(
                        "guidelang::check::bad_date",
                        format!("`{}` is not a calendar date", d.node),
                    )
                    .with_label(d.span, "here")
                    .with_help("write YYYY-MM-DD with a real month and day"),
                );
            }
        }
        Some(Meta {
            id: h.id.node.clone(),
            title: h.title.as_ref().map_or_else(|| h.id.node.clone(), |t| t.node.clone()),
            version: version?,
            status,
            updated: h.updated.as_ref().map(|d| d.node.clone()),
            reviewers: h.reviewers.iter().map(|r| r.node.clone()).collect(),
            span: h.id.span,
        })
    }

    pub(super) fn references(&mut self, file: &ast::File) -> Vec<model::Reference> {
        let mut seen: HashMap<u32, Span> = HashMap::new();
        let mut out = Vec::new();
        for item in &file.items {
            let Item::Reference(r) = item else { continue };
            if let Some(first) = seen.insert(r.number.node, r.number.span) {
                self.error(
                    Problem::error(
                        "guidelang::check::duplicate_reference",
                        format!("reference {} is declared twice", r.number.node),
                    )
                    .with_label(r.number.span, "second declaration")
                    .with_label(first, "first declaration")
                    .with_help("give each reference its own number"),
                );
                continue;
            }
            out.push(model::Reference {
                number: r.number.node,
                title: r.title.node.clone(),
                source: r.source.as_ref().map(|s| s.node.clone()),
                year: r.year.as_ref().map(|y| y.node),
                span: r.span,
            });
        }
        out.sort_by_key(|r| r.number);
        out
    }
}

fn valid_date(d: &str) -> bool {
    let parts: Vec<u32> = d.split('-').filter_map(|p| p.parse().ok()).collect();
    let [y, m, day] = parts[..] else { return false };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}
