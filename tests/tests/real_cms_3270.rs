//! IBM's R6 CMS on a 3270 console: s3270 logs on to CMSR6, CMS shows its banner, runs the
//! real PROFILE EXEC and answers commands.

use tests::s3270::{self, S3270};
use tests::system::{TestSystem, shared};

#[test]
fn ibm_cms_on_a_3270() {
    if shared().is_none() {
        println!("skipped: ../shared/data not present");
        return;
    }
    if !s3270::available() {
        println!("skipped: s3270 not installed");
        return;
    }
    let ts = TestSystem::start(&cp::defaults::r6::FILES, false);
    let mut t = S3270::spawn(&[]).expect("s3270 starts");
    assert!(t.act(&format!("Connect({})", ts.addr)));
    assert!(t.act("Wait(10,InputField)"));
    assert!(t.enter(""));
    assert!(t.enter("logon cmsr6 cmsr6"));
    assert!(t.wait_for(30, |l| l.starts_with("CMS VERSION 6.0 - 09/30/10")), "{:#?}", t.screen());
    // SixPack CMS reads the console once after the banner; ENTER goes on.
    assert!(t.enter(""));
    assert!(t.wait_for(30, |l| l.starts_with("Ready;")), "{:#?}", t.screen());
    assert!(
        t.screen().iter().any(|l| l.contains("'GLOBAL MODULE'")),
        "the profile ran GLOBAL from the missing S-disk"
    );
    assert!(t.enter("state profile exec"));
    assert!(t.enter("state nosuch exec"));
    assert!(t.wait_for(10, |l| l.starts_with("Ready(00028);")), "{:#?}", t.screen());
    assert!(t.enter("cp query virtual"));
    assert!(t.wait_for(10, |l| l.starts_with("DASD 19D 3350 MNT19D R/O")), "{:#?}", t.screen());
    assert!(t.enter("fsqry all"));
    assert!(t.wait_for(20, |l| l.starts_with("MECAFF API version")), "{:#?}", t.screen());
    // FSQRY asked the terminal itself (DIAGNOSE X'58' write structured field, read the
    // query reply): the next page shows what s3270 answered.
    assert!(
        t.wait_for(20, |l| l.starts_with("Max. Screensize .. : 80 cols x 24 rows")),
        "{:#?}",
        t.screen()
    );
    assert!(t.wait_for(10, |l| l.starts_with("Ready;")), "{:#?}", t.screen());
    assert!(t.enter("#cp logoff"));
    assert!(t.wait_for(10, |l| l.starts_with("VM/370 ONLINE")), "{:#?}", t.screen());
}
