//! Logon and logoff over TN3270 with the real s3270 client, on the default system.

use std::time::Duration;
use tests::s3270::{self, S3270};
use tests::system::TestSystem;

#[test]
fn logon_logoff_and_bad_password_over_tn3270() {
    if !s3270::available() {
        println!("skipped: s3270 not installed");
        return;
    }
    let ts = TestSystem::start(&[], true);
    let mut t = S3270::spawn(&[]).expect("s3270 starts");
    assert!(t.act(&format!("Connect({})", ts.addr)));
    assert!(t.act("Wait(10,InputField)"));
    assert!(t.screen()[0].starts_with("VM/370 ONLINE"), "{:?}", t.screen());
    assert!(t.enter(""), "ENTER dismisses the logo");
    assert!(t.enter("logon cmsuser"));
    assert!(t.wait_for(5, |l| l.starts_with("ENTER PASSWORD:")));
    assert!(t.enter("wrong"));
    assert!(t.wait_for(5, |l| l.contains("PASSWORD INCORRECT")), "{:?}", t.screen());
    assert!(!t.screen().iter().any(|l| l.contains("wrong")), "the password is not shown");
    assert!(t.enter("logon cmsuser cmsuser"));
    assert!(t.wait_for(5, |l| l.starts_with("LOGON AT ")), "{:?}", t.screen());
    assert!(t.enter("query time"));
    assert!(t.wait_for(5, |l| l.starts_with("TIME IS ")), "{:?}", t.screen());
    assert!(t.enter("logoff"));
    assert!(t.wait_for(5, |l| l.starts_with("VM/370 ONLINE")), "{:?}", t.screen());
    let _ = t.action("Disconnect", Duration::from_secs(5));
}
