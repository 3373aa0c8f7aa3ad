//! Without KVM (`VM370_FORCE_NO_KVM=1`, or no `/dev/kvm`) an x86 user still logs on and uses
//! CP; IPL CMS says, VM/370-style, why the machine cannot run. The test re-runs itself in a
//! child process with the variable set, so it never changes this process's environment.

mod common;
use common::Screen;

use std::process::Command;
use std::sync::Arc;

use cp::system::{StartOptions, System};
use cp::user::User;

const CONFIG: &str = "SYSID TESTVM\nCPUS 1\nTIMEZONE UTC +00:00\nSPOOLDIR spool\nDIRECTORY USER.DIRECT\n\
SAVESYS CMS 1024 0 BUILTIN IPL MACHINE X86\n";
const DIRECT: &str = "DIRECTORY 130 3350 TEST01\nUSER X86USER X86USER 16M 64M G\n MACHINE X86\n IPL CMS\n CONSOLE 009 3215\n";

#[test]
fn without_kvm_logon_works_and_ipl_says_why() {
    if std::env::var_os("VM370_FORCE_NO_KVM").is_none() {
        let exe = std::env::current_exe().expect("the test binary");
        let out = Command::new(exe)
            .args(["without_kvm_logon_works_and_ipl_says_why", "--exact", "--nocapture"])
            .env("VM370_FORCE_NO_KVM", "1")
            .output()
            .expect("run the child");
        println!("{}", String::from_utf8_lossy(&out.stdout));
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(String::from_utf8_lossy(&out.stdout).contains("1 passed"));
        return;
    }
    assert!(cp::backend::x86::available().is_err());
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("SYSTEM.CONFIG"), CONFIG).expect("config");
    std::fs::write(dir.path().join("USER.DIRECT"), DIRECT).expect("directory");
    let sys = System::start(&StartOptions {
        data_dir: dir.path().to_path_buf(),
        deterministic: false,
        cpus: None,
    })
    .expect("system starts");
    let screen = Arc::new(Screen::default());
    let user = User::logon(&sys, "x86user", "x86user", Some(screen.clone()))
        .expect("an x86 user logs on without KVM");
    let msg =
        screen.wait_line(0, 10, |l| l.contains("X86 MACHINE NOT AVAILABLE")).expect("IPL says why");
    println!("{msg}");
    assert!(msg.contains("VM370_FORCE_NO_KVM"), "{msg}");
    assert_eq!(user.lock().vm.backend.machine(), "X86");
    // CP still works for the user.
    user.input(&sys, "query time");
    screen.wait_line(0, 10, |l| l.starts_with("TIME IS")).expect("CP answers");
    user.logoff(&sys, false);
    screen.wait_line(0, 10, |l| l.starts_with("LOGOFF AT")).expect("logoff");
}
