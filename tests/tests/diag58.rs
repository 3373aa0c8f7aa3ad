//! DIAGNOSE X'58' full screen: a guest writes its own 3270 screen, reads what the user typed
//! into it, and returns to CP's line-mode screen — driven by s3270.

use cp::backend::{ArchRegs, S370Regs};
use cp::vm::RunState;
use tests::s3270::{self, S3270};
use tests::system::TestSystem;

fn e(s: &str) -> Vec<u8> {
    s370::ebcdic::from_str(s)
}

#[test]
fn full_screen_write_read_and_back_to_line_mode() {
    if !s3270::available() {
        println!("skipped: s3270 not installed");
        return;
    }
    let ts = TestSystem::start(&[], true);
    let mut t = S3270::spawn(&[]).expect("s3270");
    assert!(t.act(&format!("Connect({})", ts.addr)) && t.act("Wait(10,InputField)"));
    assert!(t.enter("") && t.enter("logon alice alice"));
    assert!(t.wait_for(5, |l| l.starts_with("LOGON AT")));
    let user = ts.sys.user("ALICE").expect("ALICE is logged on");
    // 400 LA 1,X'500'      full-screen write (CCW X'29', control X'80' = Erase/Write)
    // 404 LA 2,X'009'
    // 408 DIAG 1,2,X'58'
    // 40C LA 1,X'508'      full-screen read (CCW X'2A', control X'80' = Read Modified)
    // 410 DIAG 1,2,X'58'   waits for the user's ENTER
    // 414 ST 2,X'4F0'      Ry after the read
    // 418 LA 1,X'510'      line-mode write (CCW X'19'): "GOT IT"
    // 41C DIAG 1,2,X'58'
    // 420 LPSW X'480'      disabled wait 600D
    let program = [
        0x41, 0x10, 0x05, 0x00, 0x41, 0x20, 0x00, 0x09, 0x83, 0x12, 0x00, 0x58, //
        0x41, 0x10, 0x05, 0x08, 0x83, 0x12, 0x00, 0x58, 0x50, 0x20, 0x04, 0xF0, //
        0x41, 0x10, 0x05, 0x10, 0x83, 0x12, 0x00, 0x58, 0x82, 0x00, 0x04, 0x80,
    ];
    // WCC, SBA (0,0), SF protected, "NAME:", SF unprotected, IC.
    let mut screen = vec![0xC3, 0x11, 0x40, 0x40, 0x1D, 0x60];
    screen.extend(e("NAME:"));
    screen.extend([0x1D, 0x40, 0x13]);
    let n = screen.len() as u8;
    let ccws = [
        0x29, 0x00, 0x06, 0x00, 0x20, 0x80, 0x00, n, //
        0x2A, 0x00, 0x07, 0x00, 0x20, 0x80, 0x01, 0x00, //
        0x19, 0x00, 0x08, 0x00, 0x20, 0x00, 0x00, 0x06,
    ];
    {
        let mut st = user.lock();
        let m = st.vm.memory();
        m.write(0x400, &program).expect("program");
        m.write(0x480, &[0, 2, 0, 0, 0, 0, 0x60, 0x0D]).expect("wait PSW");
        m.write(0x500, &ccws).expect("CCWs");
        m.write(0x600, &screen).expect("screen");
        m.write(0x800, &e("GOT IT")).expect("text");
        let regs = S370Regs { psw: 0x400, ..S370Regs::default() };
        st.vm.backend.set_regs(&ArchRegs::S370(regs)).expect("registers");
        st.vm.state = RunState::Running;
        st.cp_mode = false;
    }
    user.console.set_cp_mode(false);
    user.wake(cp::dispatch::Wake::Interactive);
    assert!(t.wait_for(5, |l| l.trim_start().starts_with("NAME:")), "{:#?}", t.screen());
    assert!(t.act("String(\"HELLO\")") && t.act("Enter"));
    assert!(
        t.wait_for(5, |l| l.contains("DISABLED WAIT PSW '00020000 0000600D'")),
        "{:#?}",
        t.screen()
    );
    assert!(
        t.screen().iter().any(|l| l.starts_with("GOT IT")),
        "line mode again: {:#?}",
        t.screen()
    );
    let mut inbound = [0u8; 16];
    user.lock().vm.memory().read(0x700, &mut inbound).expect("inbound");
    assert_eq!(inbound[0], 0x7D, "AID ENTER: {inbound:02X?}");
    assert_eq!(inbound[3], 0x11, "SBA before the field data: {inbound:02X?}");
    assert_eq!(&inbound[6..11], e("HELLO").as_slice());
    // Ry still names the console after the read: programs TEST I/O it for the ending status
    // (IBM's FSQRY does).
    let mut ry = [0u8; 4];
    user.lock().vm.memory().read(0x4F0, &mut ry).expect("Ry");
    assert_eq!(u32::from_be_bytes(ry), 9, "Ry after the read");
}
