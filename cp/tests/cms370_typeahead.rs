//! A line typed while our S/370 CMS is still coming up (before its banner) reaches CP as an
//! attention, which CP gives the guest in the CSW of its next console SIO (condition code 1,
//! busy and attention). CMS must take that as "start again", not wait for an interruption
//! that will never come: the banner is typed and the early line runs as the first command.

mod common;
use common::Screen;

use std::sync::Arc;
use std::time::Duration;

use cp::system::{StartOptions, System};
use cp::user::User;

#[test]
fn a_line_typed_before_the_banner_runs_as_the_first_command() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sys = System::start(&StartOptions {
        data_dir: dir.path().to_path_buf(),
        deterministic: false,
        cpus: None,
    })
    .expect("the default system starts");
    // Several delays, so the line lands at different points of CMS's initialization.
    for delay_us in [0u64, 100, 300, 1000, 3000] {
        let screen = Arc::new(Screen::default());
        let u = User::logon(&sys, "CMSUSER", "CMSUSER", Some(screen.clone())).expect("logon");
        std::thread::sleep(Duration::from_micros(delay_us));
        u.input(&sys, "query time");
        let banner = screen.wait(0, 20, |l| l.starts_with("CMS VERSION 6.0"));
        assert!(banner.is_some(), "{delay_us} us: no banner: {:#?}", screen.lines());
        let time = screen.wait(0, 20, |l| l.starts_with("TIME IS "));
        assert!(time.is_some(), "{delay_us} us: the line was lost: {:#?}", screen.lines());
        let ready = screen.wait(0, 20, |l| l.starts_with("R;"));
        assert!(ready.is_some(), "{delay_us} us: no ready message: {:#?}", screen.lines());
        u.logoff(&sys, false);
    }
}
