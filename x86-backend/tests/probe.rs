//! The Popek–Goldberg probe runs and reports, per host flavour, which sensitive-but-unprivileged
//! instructions show the guest its own state. Skipped without /dev/kvm.

mod common;

use common::kvm_or_skip;
use x86_backend::probe::{Observed, run_sensitive_probe};
use x86_backend::{Exit, Flavour, Ring};

/// The instructions UMIP (or hardware virtualization) makes trap, so every flavour shows the
/// guest its own values for them at CPL3.
const UMIP_COVERED: &[&str] =
    &["SGDT base", "SGDT limit", "SIDT base", "SIDT limit", "SLDT", "STR", "SMSW"];

#[test]
fn cpl3_probe_reports_per_flavour() {
    let Some(kvm) = kvm_or_skip() else { return };
    let report = run_sensitive_probe(&kvm, Ring::User).expect("probe");
    println!("{report}");
    assert_eq!(report.items.len(), 15);
    assert_eq!(report.flavour, kvm.flavour());
    for name in UMIP_COVERED {
        let item = report.item(name).expect("item present");
        assert!(item.equivalent(), "{name}: {item:?}");
    }
    match report.flavour {
        Flavour::Vmx | Flavour::Svm => {
            assert_eq!(
                report.equivalent_count(),
                report.items.len(),
                "hardware virtualization is equivalent"
            );
        }
        Flavour::Pvm => {
            // The guest runs on the host's own CPL3: MOV from CS shows the host's selector,
            // not the 0x1b the guest's GDT and CS were set up with.
            let cs = report.item("MOV r/m,CS").expect("item");
            assert!(!cs.equivalent(), "{cs:?}");
            assert!(matches!(cs.observed, Observed::Value(v) if v & 3 == 3), "still CPL3: {cs:?}");
        }
        Flavour::Unknown => {}
    }
}

#[test]
fn cpl0_probe_reports_what_the_emulator_does() {
    let Some(kvm) = kvm_or_skip() else { return };
    let report = run_sensitive_probe(&kvm, Ring::Supervisor).expect("probe");
    println!("{report}");
    for item in &report.items {
        match &item.observed {
            Observed::Value(_) => assert!(item.equivalent(), "CPL0 sees its own state: {item:?}"),
            // PVM's emulator lacks LAR/LSL/VERR: an emulation failure, reported, not a crash.
            Observed::Exit(e) => {
                assert_eq!(report.flavour, Flavour::Pvm, "{item:?}");
                assert!(matches!(e, Exit::InternalError { suberror: 1, .. }), "{item:?}");
            }
        }
    }
    assert!(report.equivalent_count() >= 12, "{report}");
}
