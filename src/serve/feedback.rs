//! The feedback endpoint, `POST /cds-services/{id}/feedback` (CDS Hooks
//! 2.0): what clinicians did with the cards (accepted, overridden and why),
//! appended to a log file as one JSON line per feedback item, for whoever
//! maintains the guideline to see where its advice is overridden.
//!
//! The log holds no patient identifier: the feedback body has none by the
//! specification, and of what it has only checked fields are copied (the
//! card's uuid, the outcome, the coded override reason, timestamps, accepted
//! suggestion uuids). The clinician's free-text `userComment` is not copied,
//! as free text may name the patient; the line records only that one was
//! given. Lines are written whole, one write per request under a lock, so
//! concurrent requests never interleave.

use std::fs::File;
use std::io::Write as _;
use std::path::{Path as FsPath, PathBuf};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};

use super::request::Refusal;
use super::Service;

/// Longest code, system or display of an override reason kept (a coded
/// reason is short; anything longer is not one).
const MAX_REASON_TEXT: usize = 512;

/// The feedback log: a file opened for appending.
pub struct FeedbackLog {
    file: Mutex<File>,
    path: PathBuf,
}

impl FeedbackLog {
    /// Opens (creating if need be) `path` for appending.
    pub fn open(path: &FsPath) -> std::io::Result<FeedbackLog> {
        let file = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
        Ok(FeedbackLog {
            file: Mutex::new(file),
            path: path.to_path_buf(),
        })
    }

    /// Where the log is.
    pub fn path(&self) -> &FsPath {
        &self.path
    }

    /// Appends `lines` (whole lines, each ending in a newline) in one write.
    fn append(&self, lines: &str) -> std::io::Result<()> {
        // A writer that panicked mid-line left the file as it was; carry on.
        let mut file = self.file.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        file.write_all(lines.as_bytes())
    }
}

impl std::fmt::Debug for FeedbackLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FeedbackLog").field("path", &self.path).finish()
    }
}

/// The log lines for a feedback body sent to service `service_id`, one per
/// item, received at `received`; or a 400 naming the field.
pub fn feedback_lines(service_id: &str, body: &[u8], received: Option<&str>) -> Result<String, Refusal> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| Refusal::bad(format!("the feedback body is not valid JSON: {e}")))?;
    let Some(top) = value.as_object() else {
        return Err(Refusal::bad(
            "the feedback body must be a JSON object with a `feedback` array",
        ));
    };
    let items = match top.get("feedback") {
        Some(Value::Array(a)) if !a.is_empty() => a,
        Some(Value::Array(_)) => return Err(Refusal::bad("`feedback` is empty: nothing to record")),
        Some(_) => return Err(Refusal::bad("`feedback` must be an array")),
        None => return Err(Refusal::bad("the feedback body has no `feedback` array")),
    };
    let mut out = String::new();
    for (i, item) in items.iter().enumerate() {
        let place = format!("feedback[{i}]");
        let line = feedback_line(service_id, item, &place, received)?;
        out.push_str(&line.to_string());
        out.push('\n');
    }
    Ok(out)
}

fn feedback_line(service_id: &str, item: &Value, place: &str, received: Option<&str>) -> Result<Value, Refusal> {
    let Some(item) = item.as_object() else {
        return Err(Refusal::bad(format!("`{place}` must be an object")));
    };
    let card = uuid_at(item, "card", place)?;
    let outcome = match item.get("outcome") {
        Some(Value::String(o)) if o == "accepted" || o == "overridden" => o.as_str(),
        Some(other) => {
            return Err(Refusal::bad(format!(
                "`{place}.outcome` must be \"accepted\" or \"overridden\", not {other}"
            )))
        }
        None => return Err(Refusal::bad(format!("`{place}` has no `outcome`"))),
    };
    let timestamp = match item.get("outcomeTimestamp") {
        Some(Value::String(t)) => {
            crate::fhir::parse_instant(t)
                .map_err(|e| Refusal::bad(format!("`{place}.outcomeTimestamp` is not a timestamp: {e}")))?;
            t.clone()
        }
        Some(_) => return Err(Refusal::bad(format!("`{place}.outcomeTimestamp` must be a string"))),
        None => return Err(Refusal::bad(format!("`{place}` has no `outcomeTimestamp`"))),
    };
    let mut line = Map::new();
    line.insert("received".into(), json!(received));
    line.insert("service".into(), json!(service_id));
    line.insert("card".into(), json!(card));
    line.insert("outcome".into(), json!(outcome));
    line.insert("outcomeTimestamp".into(), json!(timestamp));
    match item.get("acceptedSuggestions") {
        None | Some(Value::Null) => {}
        Some(Value::Array(a)) => {
            let mut ids = Vec::new();
            for (j, s) in a.iter().enumerate() {
                let at = format!("{place}.acceptedSuggestions[{j}]");
                let Some(s) = s.as_object() else {
                    return Err(Refusal::bad(format!("`{at}` must be an object")));
                };
                ids.push(uuid_at(s, "id", &at)?);
            }
            line.insert("acceptedSuggestions".into(), json!(ids));
        }
        Some(_) => return Err(Refusal::bad(format!("`{place}.acceptedSuggestions` must be an array"))),
    }
    match item.get("overrideReason") {
        None | Some(Value::Null) => {}
        Some(_) if outcome != "overridden" => {
            return Err(Refusal::bad(format!(
                "`{place}.overrideReason` is given but the outcome is not \"overridden\""
            )))
        }
        Some(Value::Object(r)) => {
            let at = format!("{place}.overrideReason");
            let mut reason = Map::new();
            match r.get("reason") {
                None | Some(Value::Null) => {}
                Some(Value::Object(coding)) => {
                    for field in ["system", "code", "display"] {
                        match coding.get(field) {
                            None | Some(Value::Null) => {}
                            Some(Value::String(s)) if s.chars().count() <= MAX_REASON_TEXT => {
                                reason.insert(field.into(), json!(s));
                            }
                            Some(Value::String(_)) => {
                                return Err(Refusal::bad(format!(
                                    "`{at}.reason.{field}` is longer than {MAX_REASON_TEXT} characters"
                                )))
                            }
                            Some(_) => return Err(Refusal::bad(format!("`{at}.reason.{field}` must be a string"))),
                        }
                    }
                }
                Some(_) => return Err(Refusal::bad(format!("`{at}.reason` must be a Coding object"))),
            }
            match r.get("userComment") {
                None | Some(Value::Null) => {}
                // Free text may name the patient: only that it was given is kept.
                Some(Value::String(_)) => {
                    reason.insert("userCommentGiven".into(), json!(true));
                }
                Some(_) => return Err(Refusal::bad(format!("`{at}.userComment` must be a string"))),
            }
            line.insert("overrideReason".into(), Value::Object(reason));
        }
        Some(_) => return Err(Refusal::bad(format!("`{place}.overrideReason` must be an object"))),
    }
    Ok(Value::Object(line))
}

/// The uuid at `o[field]`, checked: a card or suggestion this service
/// issued has one, and nothing else (no identifier) gets into the log.
fn uuid_at(o: &Map<String, Value>, field: &str, place: &str) -> Result<String, Refusal> {
    match o.get(field) {
        Some(Value::String(s)) => uuid::Uuid::parse_str(s)
            .map(|u| u.hyphenated().to_string())
            .map_err(|_| Refusal::bad(format!("`{place}.{field}` is not a uuid"))),
        Some(_) => Err(Refusal::bad(format!("`{place}.{field}` must be a string (a uuid)"))),
        None => Err(Refusal::bad(format!("`{place}` has no `{field}`"))),
    }
}

/// `POST /cds-services/{id}/feedback`: 200 `{}` once the lines are
/// written; 404 for an unknown service or when the service keeps no
/// feedback log; 400 for a body that is not CDS Hooks feedback; 500 when
/// the log cannot be written (so the EHR knows it was not recorded).
pub(super) async fn route(State(service): State<Arc<Service>>, Path(id): Path<String>, body: Bytes) -> Response {
    let not_found = |message: String| {
        super::refusal(&Refusal {
            status: 404,
            message,
            problems: Vec::new(),
        })
    };
    if !service.serves(&id) {
        return not_found(format!("no CDS service `{id}` here; GET /cds-services lists them"));
    }
    if service.feedback.is_none() {
        return not_found(
            "this service records no feedback (it was started without a feedback log); nothing was recorded".into(),
        );
    }
    let received = super::now().map(|i| i.to_string());
    let lines = match feedback_lines(&id, &body, received.as_deref()) {
        Ok(l) => l,
        Err(r) => return super::refusal(&r),
    };
    let written = tokio::task::spawn_blocking(move || service.feedback.as_ref().map(|log| log.append(&lines))).await;
    match written {
        Ok(Some(Ok(()))) => Json(json!({})).into_response(),
        _ => super::refusal(&Refusal {
            status: 500,
            message: "the feedback could not be written to the log; nothing was recorded".into(),
            problems: Vec::new(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CARD: &str = "9f3b2c1a-5d4e-4f6a-8b7c-0d1e2f3a4b5c";

    #[test]
    fn an_override_is_logged_with_its_coded_reason_and_without_the_comment() {
        let body = json!({ "feedback": [{
            "card": CARD, "outcome": "overridden", "outcomeTimestamp": "2026-12-01T10:00:00Z",
            "overrideReason": { "reason": { "code": "patient-declined", "system": "http://example.org/reasons", "display": "Patient declined" },
                                "userComment": "Mr Smith, MRN 123, declined" } }] });
        let lines = feedback_lines("s", body.to_string().as_bytes(), Some("2026-12-01T10:00:01Z")).unwrap_or_default();
        assert_eq!(lines.lines().count(), 1);
        assert!(!lines.contains("Smith") && !lines.contains("123,"), "{lines}");
        let line: Value = serde_json::from_str(lines.trim_end()).unwrap_or_default();
        assert_eq!(line["overrideReason"]["code"], "patient-declined");
        assert_eq!(line["overrideReason"]["userCommentGiven"], true);
        assert_eq!(line["card"], CARD);
    }

    #[test]
    fn each_wrong_field_is_named() {
        let cases = [
            (json!({}), "no `feedback` array"),
            (json!({ "feedback": [] }), "`feedback` is empty"),
            (
                json!({ "feedback": [{ "card": "Patient/123", "outcome": "accepted", "outcomeTimestamp": "2026-12-01T10:00:00Z" }] }),
                "`feedback[0].card` is not a uuid",
            ),
            (
                json!({ "feedback": [{ "card": CARD, "outcome": "ignored", "outcomeTimestamp": "2026-12-01T10:00:00Z" }] }),
                "`feedback[0].outcome` must be",
            ),
            (
                json!({ "feedback": [{ "card": CARD, "outcome": "accepted" }] }),
                "no `outcomeTimestamp`",
            ),
            (
                json!({ "feedback": [{ "card": CARD, "outcome": "accepted", "outcomeTimestamp": "yesterday" }] }),
                "is not a timestamp",
            ),
            (
                json!({ "feedback": [{ "card": CARD, "outcome": "accepted", "outcomeTimestamp": "2026-12-01T10:00:00Z", "overrideReason": {} }] }),
                "not \"overridden\"",
            ),
        ];
        for (body, expected) in cases {
            let e = feedback_lines("s", body.to_string().as_bytes(), None).unwrap_err();
            assert_eq!(e.status, 400);
            assert!(e.message.contains(expected), "{expected:?} not in {:?}", e.message);
        }
    }
}
