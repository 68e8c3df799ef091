//! pest's call limit is process-wide, and guidelang leaves it to the host
//! program. Before, the first parse set it to 64 steps per byte of the largest
//! file, over whatever limit the host had chosen (and for every later pest
//! parser in the process). The check runs in a child process of this test
//! binary, so the limit it sets cannot reach other tests.

use std::num::NonZeroUsize;
use std::process::Command;

/// Set in the child process, which does the work.
const CHILD: &str = "GUIDELANG_CALL_LIMIT_CHILD";

#[test]
fn a_host_programs_call_limit_is_left_alone() {
    if std::env::var_os(CHILD).is_some() {
        return in_the_child();
    }
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "call_limit::a_host_programs_call_limit_is_left_alone",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The filter matched this test and it ran: the child did the work.
    assert!(stdout.contains("1 passed"), "{stdout}");
}

fn in_the_child() {
    // The host's tight limit holds for guidelang's parse too...
    pest::set_call_limit(NonZeroUsize::new(1_000));
    let problems = guidelang::bundled().err().unwrap_or_default();
    let codes: Vec<&str> = problems.iter().map(|p| p.code).collect();
    assert_eq!(codes, ["guidelang::syntax::too_complex"]);
    assert!(problems[0].message.contains("call limit"), "{}", problems[0].message);
    // ...and still after a parse: guidelang did not raise it behind the host's back.
    assert!(guidelang::bundled().is_err());
    // With no limit, the same text loads.
    pest::set_call_limit(None);
    assert!(guidelang::bundled().is_ok());
}
