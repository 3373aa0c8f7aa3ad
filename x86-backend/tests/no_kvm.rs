//! With KVM treated as absent, opening it fails with a clear `KvmUnavailable`, and nothing
//! else breaks. The test re-runs itself as a child process with `VM370_FORCE_NO_KVM=1`, so the
//! environment of this process is never changed.

use std::process::Command;

use x86_backend::{Error, FORCE_NO_KVM_ENV, Flavour, Kvm};

const TEST_NAME: &str = "forced_absence_gives_a_clear_error";

#[test]
fn forced_absence_gives_a_clear_error() {
    match std::env::var(FORCE_NO_KVM_ENV).as_deref() {
        Ok("1") => check_absent(),
        _ => {
            let exe = std::env::current_exe().expect("test executable");
            let out = Command::new(exe)
                .args([TEST_NAME, "--exact", "--nocapture", "--test-threads=1"])
                .env(FORCE_NO_KVM_ENV, "1")
                .output()
                .expect("run the child");
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert!(
                out.status.success(),
                "child failed:\n{stdout}{}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(
                stdout.contains("absent as forced"),
                "the child really ran the checks:\n{stdout}"
            );
        }
    }
}

/// Runs in the child, where `VM370_FORCE_NO_KVM=1`.
fn check_absent() {
    let err = Kvm::open().expect_err("KVM must look absent");
    assert!(matches!(err, Error::KvmUnavailable(_)), "{err:?}");
    let text = err.to_string();
    assert!(text.starts_with("KVM is not available"), "{text}");
    assert!(text.contains(FORCE_NO_KVM_ENV), "{text}");
    assert!(Kvm::check().is_err());
    // The flavour is still reported: it needs no /dev/kvm.
    println!("absent as forced: {text}; host flavour {}", Flavour::detect());
}
