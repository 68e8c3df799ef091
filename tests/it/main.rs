//! The integration tests, as one binary: the CLI contract through the real
//! `guidelang` executable, the library's properties against test-only oracles
//! (`common/`), and the documents. One binary links once, and its tests run
//! in parallel on every core.
#![allow(clippy::unwrap_used)]

mod common;
mod lint_support;

mod actions;
mod baseline;
mod batch;
mod broken_pipe;
mod budget;
mod call_limit;
mod capped_output;
mod case_input;
mod categories;
mod contraindication_never_withheld;
mod date_windows;
mod dates;
mod derived_diagnostics;
mod diagnostics;
mod diff;
mod diff_props;
mod diff_unchanged;
mod differential;
mod docs;
mod doses;
mod editor_cli;
mod editor_mistakes;
mod errors;
mod examples;
mod fhir_bindings;
mod fhir_e2e;
mod fhir_props;
mod fhir_read;
mod fmt_props;
mod hostile;
mod hostile_batch;
mod hostile_corpus;
mod ide_complete;
mod ide_fixes;
mod ide_nav;
mod ide_nav_props;
mod json_contract;
mod keywords;
mod linear;
mod lint;
mod lint_props;
mod lsp_client;
mod lsp_neovim;
mod lsp_protocol;
mod lsp_services;
mod needs_props;
mod numbers;
mod outcome_reports;
mod output_faults;
mod properties;
mod reference_agreement;
mod render;
mod render_browser;
mod scores;
mod serve_auth;
mod serve_cds;
mod serve_cli;
mod serve_config;
mod serve_props;
mod shared_definitions;
mod single_action;
mod text_report;
mod time_diagnostics;
mod tls_guideline;
mod units;
mod vscode_grammar;
mod witnesses;
