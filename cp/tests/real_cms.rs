//! IBM's VM/370 R6 CMS (the SixPack 1.2 build in ../shared/data/vm370r6) runs unmodified under
//! our CP: IPL CMS from its saved system, the real PROFILE EXEC, commands, EXECs, MODULEs.

mod common;
use common::Screen;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use cp::system::{StartOptions, System};
use cp::user::User;

fn shared() -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/vm370r6");
    p.join("CMS.segment").exists().then_some(p)
}

fn r6_system() -> Option<(tempfile::TempDir, Arc<System>)> {
    shared()?;
    let dir = tempfile::tempdir().expect("tempdir");
    cp::defaults::r6::write_files(dir.path(), cp::defaults::r6::Cms::Ibm).expect("write config");
    let sys = System::start(&StartOptions {
        data_dir: dir.path().to_path_buf(),
        deterministic: false,
        cpus: None,
    })
    .expect("the R6 system starts");
    Some((dir, sys))
}

fn is_ready(l: &str) -> bool {
    l.starts_with("R;") || l.starts_with("R(") || l.starts_with("Ready")
}

#[test]
fn ibm_cms_ipls_runs_its_profile_and_commands() {
    let Some((_dir, sys)) = r6_system() else {
        println!("skipped: ../shared/data not present");
        return;
    };
    let screen = Arc::new(Screen::default());
    let user = User::logon(&sys, "CMSR6", "CMSR6", Some(screen.clone())).expect("logon");
    let banner = screen.wait(0, 60, |l| l.starts_with("CMS VERSION 6.0"));
    assert!(banner.is_some(), "no CMS banner: {:#?}", screen.lines());
    // The SixPack CMS waits for ENTER after the banner, unless IPLed with PARM AUTOCR.
    std::thread::sleep(Duration::from_millis(200));
    if screen.wait(0, 1, is_ready).is_none() {
        user.input(&sys, "");
    }
    let ready = screen.wait(0, 60, is_ready);
    assert!(ready.is_some(), "no ready prompt: {:#?}", screen.lines());
    let n = screen.lines().len();
    user.input(&sys, "CP QUERY TIME");
    assert!(screen.wait(n, 30, |l| l.starts_with("TIME IS ")).is_some(), "{:#?}", screen.lines());
    let r = screen.wait(n, 30, is_ready);
    assert!(r.is_some(), "{:#?}", screen.lines());
    println!("{}", screen.lines().join("\n"));
    user.logoff(&sys, false);
}
