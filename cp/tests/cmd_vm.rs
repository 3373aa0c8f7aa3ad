//! Controlling the virtual machine: QUERY VIRTUAL, DEFINE STORAGE, IPL from a device with
//! PARM, SYSTEM, DISPLAY and STORE, ADSTOP, TRACE, EXTERNAL, READY/NOTREADY, INDICATE,
//! SET and TERMINAL with their QUERY forms.

mod common;

use common::{Term, WAIT_600D, card, ccw, load_program, punch_cards, run_program, start};

fn stopped_600d(t: &Term) {
    t.wait_cp_read();
    assert!(t.screen.wait_for("DISABLED WAIT PSW '00020000 0000600D'"), "{:?}", t.screen.lines());
}

#[test]
fn query_virtual_define_storage_and_ipl_from_the_reader() {
    let (_dir, sys) = start();
    let alice = Term::logon(&sys, "ALICE", "ALICE");
    let v = alice.cmd("query virtual");
    assert_eq!(v[0], "STORAGE = 01024K");
    let want = [
        "CONS 009 ON LINE 025   TERM STOP",
        "RDR  00C CL * NOCONT NOHOLD EOF      READY",
        "PUN  00D CL A NOCONT NOHOLD COPY 01    READY",
        "     00D FOR ALICE    DIST ALICE",
        "PRT  00E CL A NOCONT NOHOLD COPY 01    READY",
        "DASD 191 3350 TEST01 R/W    001 CYL",
    ];
    for w in want {
        assert!(v.iter().any(|l| l == w), "{w:?} in {v:?}");
    }
    alice.expect("q v dasd", "DASD 191 3350 TEST01 R/W    001 CYL");
    alice.expect("query storage", "STORAGE = 01024K");
    alice.expect("q v bogus", "INVALID OPTION - BOGUS");

    alice.expect("define storage 2m", "STORAGE = 02048K");
    alice.expect("q v stor", "STORAGE = 02048K");
    assert_eq!(alice.user.lock().vm.memory().size(), 2 << 20);
    alice.expect("define storage 3m", "STORAGE EXCEEDS ALLOWED MAXIMUM");
    alice.expect("define stor 4k", "STORAGE = 00008K");
    alice.expect("begin", "CP ENTERED; VIRTUAL MACHINE NOT IN RUNNABLE STATE");
    alice.expect("define storage 1m", "STORAGE = 01024K");

    // An IPL deck in her own reader: card 1 is the PSW and a CCW reading card 2 to X'400'.
    alice.cmd("spool punch to *");
    let mut first = vec![0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00];
    first.extend(ccw(0x02, 0x400, 0x20, 80));
    first.resize(80, 0);
    // 400 LA 3,X'123'; 404 LPSW X'410'; 410 the 600D wait PSW.
    let mut second = vec![0x41, 0x30, 0x01, 0x23, 0x82, 0x00, 0x04, 0x10];
    second.resize(16, 0x07);
    second.extend(WAIT_600D);
    second.resize(80, 0);
    let deck = [first.clone(), second.clone()];
    let data: Vec<u8> = deck.concat();
    let program = [0x9C, 0x00, 0x00, 0x0D, 0x9D, 0x00, 0x00, 0x0D, 0x82, 0x00, 0x04, 0x80];
    let ccws = [ccw(0x01, 0x600, 0x60, 80), ccw(0x01, 0x650, 0x20, 80)].concat();
    run_program(
        &alice.user,
        &program,
        &[(0x48, &0x500u32.to_be_bytes()), (0x480, &WAIT_600D), (0x500, &ccws), (0x600, &data)],
    );
    stopped_600d(&alice);
    alice.cmd("close 00d");
    alice.expect_in("query rdr", "ALICE    0001 A PUN 00000002");
    let n = alice.screen.len();
    alice.cmd("ipl 00c clear parm hello world");
    assert!(alice.screen.wait_from(n, "DISABLED WAIT PSW '00020000 0000600D'"));
    alice.wait_cp_read();
    assert_eq!(alice.gpr(3), 0x123);
    assert_eq!(alice.gpr(0), u32::from_be_bytes([0xC8, 0xC5, 0xD3, 0xD3]), "PARM in R0-R15");
    assert_eq!(alice.gpr(2), u32::from_be_bytes([0xD9, 0xD3, 0xC4, 0x40]));
    alice.expect("ipl 333", "DEV 333 DOES NOT EXIST");
    alice.expect("ipl cms", "SYSTEM CMS DOES NOT EXIST");
    alice.expect("ipl 009", "VADDR MISSING OR INVALID");
    let _ = card("");
}

#[test]
fn display_store_system_and_adstop() {
    let (_dir, sys) = start();
    let alice = Term::logon(&sys, "ALICE", "ALICE");
    // 400 LA 3,1(,3); 404 CH 3,X'420'; 408 BC 4,X'400'; 40C LPSW X'480'; 420 H'100'
    let program = [
        0x41, 0x30, 0x30, 0x01, 0x49, 0x30, 0x04, 0x20, 0x47, 0x40, 0x04, 0x00, 0x82, 0x00, 0x04,
        0x80,
    ];
    load_program(&alice.user, &program, &[(0x420, &[0x00, 0x64]), (0x480, &WAIT_600D)]);
    alice.cmd("adstop 40c");
    alice.cmd("begin");
    assert!(alice.screen.wait_for("ADSTOP AT 00040C"), "{:?}", alice.screen.lines());
    alice.wait_cp_read();
    assert_eq!(alice.gpr(3), 100);
    alice.expect("display psw", "PSW = 00000000  0000040C");
    alice.expect("disp g3", "GPR  3 = 00000064");
    alice.expect("d g3", "?CP: D");
    assert_eq!(alice.cmd("display g").len(), 4);
    alice.expect("display g2-5", "GPR  2 = 00000000 00000064 00000000 00000000");
    alice.cmd("begin");
    stopped_600d(&alice);
    // Disassembly (an addition to R6's DISPLAY).
    let dis = alice.cmd("display i400-40f");
    assert_eq!(dis.len(), 4, "{dis:?}");
    assert_eq!(dis[0], "000400  4130 3001       LA    3,1(0,3)");
    assert!(dis[3].starts_with("00040C  8200 0480       LPSW"), "{dis:?}");

    alice.expect("store g5 abc 1", "STORE COMPLETE");
    alice.expect("display g5.2", "GPR  5 = 00000ABC 00000001");
    alice.expect("store 800 c1c2c3c4 c5 sa01 f1f2", "STORE COMPLETE");
    alice.expect("display t800.8", "000800 C1C2C3C4 000000C5 (00) *ABCD...E*");
    alice.expect("display 0a00-0a07", "000A00 00F1F200 00000000");
    alice.expect_in("display 800 10", "000800 C1C2C3C4");
    alice.expect("display k0-fff", "000000 TO 000FFF   KEY = 00");
    alice.expect("display x0", "ECR  0 = 000000E0");
    alice.expect("display x5", "INVALID OPTION - X5");
    alice.expect("store y0 411", "STORE COMPLETE");
    alice.expect("display y0", "FPR 0 = 4110000000000000  .10000000000000000 E+01");
    alice.expect("display caw", "CAW = 00000000");
    alice.expect("display 200000", "HEXLOC 200000 EXCEEDS STORAGE");
    alice.expect("display zz", "INVALID OPTION - ZZ");
    alice.expect("store psw 400", "STORE COMPLETE");
    alice.expect("display p", "PSW = 00020000  00000400");
    alice.expect("store g5", "INVALID OPTION - G5");

    alice.expect("system reset", "SYSTEM RESET");
    alice.expect("begin", "CP ENTERED; VIRTUAL MACHINE NOT IN RUNNABLE STATE");
    // SYSTEM RESTART: the PSW at 0 goes in, the old one to 8.
    alice.cmd("store 0 0 400");
    let n = alice.screen.len();
    alice.cmd("system restart");
    assert!(alice.screen.wait_from(n, "DISABLED WAIT PSW '00020000 0000600D'"));
    alice.wait_cp_read();
    alice.expect("system clear", "STORAGE CLEARED - SYSTEM RESET");
    alice.expect("display 400", "000400 00000000");
    alice.expect("adstop", "OPERAND MISSING OR INVALID");
    alice.expect("adstop xyz", "INVALID HEXLOC - XYZ");
}

#[test]
fn trace_svc_branch_instruct_priv_and_io() {
    let (_dir, sys) = start();
    let alice = Term::logon(&sys, "ALICE", "ALICE");
    // 400 SVC 5; SVC new PSW -> 500: LPSW X'480' (600D).
    let svc_new = [0, 0, 0, 0, 0, 0, 0x05, 0x00];
    let handler = [0x82, 0x00, 0x04, 0x80];
    load_program(
        &alice.user,
        &[0x0A, 0x05],
        &[(0x60, &svc_new), (0x480, &WAIT_600D), (0x500, &handler)],
    );
    alice.expect("trace svc", "TRACE STARTED");
    alice.cmd("begin");
    assert!(alice.screen.wait_for("*** 000402 SVC 0005 ==> 000500"), "{:?}", alice.screen.lines());
    alice.wait_cp_read();
    alice.expect("display psw", "PSW = 00000000  00000500");
    alice.cmd("begin");
    stopped_600d(&alice);
    alice.expect("trace end", "TRACE ENDED");

    // BRANCH and INSTRUCT (RUN: no stops) over a little loop.
    let program = [
        0x41, 0x30, 0x30, 0x01, 0x49, 0x30, 0x04, 0x20, 0x47, 0x40, 0x04, 0x00, 0x82, 0x00, 0x04,
        0x80,
    ];
    load_program(&alice.user, &program, &[(0x420, &[0x00, 0x02]), (0x480, &WAIT_600D)]);
    alice.cmd("trace branch");
    let n = alice.screen.len();
    alice.cmd("begin");
    assert!(
        alice.screen.wait_from(n, "000408 BC    47400400 ==> 000400"),
        "{:?}",
        alice.screen.lines()
    );
    alice.wait_cp_read();
    alice.cmd("trace branch off");
    alice.expect("trace instruct run", "TRACE STARTED");
    let n = alice.screen.len();
    alice.cmd("begin");
    stopped_600d(&alice);
    let lines = alice.screen.since(n);
    for want in ["000400 LA    41303001", "000404 CH    49300420", "00040C LPSW  82000480"] {
        assert!(lines.iter().any(|l| l == want), "{want} in {lines:?}");
    }
    alice.cmd("trace end");

    // PRIV: the assist goes off, LPSW reaches CP and is shown with the PSW it loads.
    load_program(&alice.user, &[0x82, 0x00, 0x04, 0x80], &[(0x480, &WAIT_600D)]);
    alice.cmd("trace priv run");
    let n = alice.screen.len();
    alice.cmd("begin");
    stopped_600d(&alice);
    assert!(
        alice
            .screen
            .since(n)
            .iter()
            .any(|l| l == "::: 000400 LPSW  82000480     00020000  0000600D"),
        "{:?}",
        alice.screen.since(n)
    );
    alice.cmd("trace end");

    // CCW: the channel program and the I/O instructions, spooled devices included.
    alice.cmd("trace ccw run");
    let n = alice.screen.len();
    punch_cards(&alice.user, &["TRACED"]);
    stopped_600d(&alice);
    let lines = alice.screen.since(n);
    for want in [
        "CCW 000500 01000600 20000050 000500 01000600 20000050",
        "I/O 000400 SIO   9C00000D PUN 00D CC 0 PUN 00D CSW 0000 CAW 00000500",
        "I/O 000404 TIO   9D00000D PUN 00D CC 1 PUN 00D CSW 0C00",
    ] {
        assert!(lines.iter().any(|l| l == want), "{want} in {lines:?}");
    }
    alice.expect("detach 00e", "DETACH REJECTED; VIRTUAL MACHINE TRACING I/O");
    alice.cmd("trace end");
    alice.cmd("purge pun all");

    // To the printer: nothing on the terminal, the lines in the printer's file.
    load_program(
        &alice.user,
        &[0x0A, 0x05],
        &[(0x60, &svc_new), (0x480, &WAIT_600D), (0x500, &handler)],
    );
    alice.cmd("trace svc printer");
    let n = alice.screen.len();
    alice.cmd("begin");
    stopped_600d(&alice);
    assert!(!alice.screen.since(n).iter().any(|l| l.starts_with("***")));
    alice.cmd("trace end");
    alice.cmd("close 00e");
    let files = sys
        .spool()
        .queue("ALICE", cp::spool::Queue::Printer)
        .into_iter()
        .cloned()
        .collect::<Vec<_>>();
    let text: Vec<String> = files
        .iter()
        .flat_map(|f| f.records.iter().map(|r| s370::ebcdic::to_string(&r.data)))
        .collect();
    assert!(text.iter().any(|l| l == "*** 000402 SVC 0005 ==> 000500"), "{text:?}");
    alice.expect("trace", "OPERAND MISSING OR INVALID");
    alice.expect("trace frogs", "INVALID OPTION - FROGS");
    alice.expect("trace svc printer norun", "INVALID OPTION - RUN");
}

#[test]
fn external_ready_notready_and_indicate() {
    let (_dir, sys) = start();
    let alice = Term::logon(&sys, "ALICE", "ALICE");
    // 400 LPSW X'488': an enabled wait (external mask); external new PSW -> 500: 600D.
    let enabled_wait = [0x01, 0x02, 0, 0, 0, 0, 0, 0];
    let ext_new = [0, 0, 0, 0, 0, 0, 0x05, 0x00];
    let handler = [0x82, 0x00, 0x04, 0x80];
    load_program(
        &alice.user,
        &[0x82, 0x00, 0x04, 0x88],
        &[(0x58, &ext_new), (0x480, &WAIT_600D), (0x488, &enabled_wait), (0x500, &handler)],
    );
    // Only the interrupt key's subclass (no timer interruptions).
    alice.expect("store x0 40", "STORE COMPLETE");
    alice.cmd("begin");
    std::thread::sleep(std::time::Duration::from_millis(50));
    alice.cmd("#cp trace external run");
    alice.cmd("#cp external");
    stopped_600d(&alice);
    assert!(alice.screen.wait_for("*** 000000 EXT 0040 ==> 000500"), "{:?}", alice.screen.lines());
    alice.cmd("trace end");
    alice.expect("external 2000", "INVALID OPTION - 2000");

    // NOTREADY: the punch refuses the SIO (unit check at once); READY brings it back.
    alice.cmd("notready 00d");
    alice.expect_in("q v 00d", "NOTREADY");
    punch_cards(&alice.user, &["NOT PUNCHED"]);
    stopped_600d(&alice);
    alice.expect_in("display csw", "0E00");
    alice.cmd("close 00d");
    alice.expect("query pun", "NO PUN FILES");
    alice.cmd("ready 00d");
    alice.expect_in("q v 00d", "READY");
    alice.cmd("reset 00d");
    punch_cards(&alice.user, &["PUNCHED"]);
    stopped_600d(&alice);
    alice.cmd("close 00d");
    alice.expect_in("query pun", "ALICE    0001 A PUN 00000001");
    alice.expect("notready 191", "DEV 191 NOT A UNIT RECORD DEVICE");
    alice.expect("ready 777", "DEV 777 DOES NOT EXIST");

    let u = alice.cmd("indicate user");
    assert_eq!(u.len(), 3, "{u:?}");
    assert!(u[0].starts_with("PAGES: RES-0256 WS-0256 READS=000000"), "{u:?}");
    assert!(
        u[1].starts_with("VTIME=000:00 TTIME=000:00 SIO=000002 RDR-000000 PRT-000000 PCH-000001"),
        "{u:?}"
    );
    assert!(u[2].starts_with("INSTR=") && u[2].contains("SIO=2"), "{u:?}");
    let l = alice.cmd("indicate load");
    assert!(
        l[0].starts_with("CPU-")
            && l[0].contains("%  APU-000%  Q1-")
            && l[0].ends_with("RATIO-1.0"),
        "{l:?}"
    );
    alice.expect("indicate nonsense", "INVALID OPTION - NONSENSE");
}

#[test]
fn set_terminal_and_their_queries() {
    let (_dir, sys) = start();
    let alice = Term::logon(&sys, "ALICE", "ALICE");
    let _bob = Term::logon(&sys, "BOB", "BOB");
    let set = alice.cmd("query set");
    assert_eq!(
        set,
        vec![
            "MSG ON , WNG ON , EMSG TEXT, ACNT ON , RUN OFF",
            "LINEDIT ON , TIMER ON , ISAM OFF, ECMODE OFF",
            "ASSIST ON SVC, PAGEX OFF, AUTOPOLL OFF",
            "IMSG ON",
        ]
    );
    alice.cmd("set msg off");
    alice.cmd("set timer real");
    alice.cmd("set assist off");
    alice.cmd("set ecmode on");
    let set = alice.cmd("q set");
    assert_eq!(set[0], "MSG OFF, WNG ON , EMSG TEXT, ACNT ON , RUN OFF");
    assert_eq!(set[1], "LINEDIT ON , TIMER REAL, ISAM OFF, ECMODE ON");
    assert_eq!(set[2], "ASSIST OFF, PAGEX OFF, AUTOPOLL OFF");
    alice.expect("set emsg sideways", "OPERAND MISSING OR INVALID");
    alice.expect("set nonsense on", "INVALID OPTION - NONSENSE");
    alice.cmd("set emsg on");
    alice.expect("foobar", "DMKCFC001E ?CP: FOOBAR");
    alice.cmd("set emsg code");
    alice.expect("foobar", "DMKCFC001E");
    alice.cmd("set emsg off");
    assert!(alice.cmd("foobar").is_empty());
    alice.cmd("set emsg text");
    alice.cmd("set pf5 query time");
    alice.expect("query pf5", "PF05 DELAY query time");
    alice.expect("query pf06", "PF06 UNDEFINED");
    assert_eq!(alice.cmd("query pf").len(), 24);

    alice.cmd("terminal linend ! chardel off linesize 72 mode cp");
    let t = alice.cmd("query terminal");
    assert_eq!(t[0], "LINEND ! , LINEDEL \u{a2} , CHARDEL OFF, ESCAPE \" , TABCHAR ON");
    assert_eq!(t[1], "LINESIZE 072, ATTN OFF, APL OFF, TEXT OFF, MODE CP, HILIGHT OFF");
    assert_eq!(t[2], "AUTOCR OFF, MORE 050 010, HOLD ON");
    let two = alice.cmd("q users!q names");
    assert_eq!(two[0], "002 USERS, 000 DIALED");
    assert_eq!(two[1], "ALICE    - LINE 025, BOB      - LINE 023");
    alice.cmd("terminal linend on hold off apl on");
    alice.expect_in("q terminal", "LINEND # ,");
    alice.expect_in("q term", "APL ON, TEXT OFF");
    alice.expect("terminal bogus on", "INVALID OPTION - BOGUS");
    alice.expect("terminal more 1", "OPERAND MISSING OR INVALID");
    alice.expect("terminal", "OPERAND MISSING OR INVALID");

    alice.expect("query bob", "BOB      - LINE 023");
    alice.expect("query users bob", "BOB      - LINE 023");
    alice.expect("query nobody", "NOBODY NOT LOGGED ON");
    alice.expect("query logmsg", "LOGMSG - NONE");
    alice.expect("query priv", "PRIV = G");
    alice.expect("query userid", "ALICE    AT TESTVM");
    alice.expect_in("query time", "TIME IS ");
    alice.expect_in("query time", "CONNECT= 00:00:0");
    alice.expect("query", "OPERAND MISSING OR INVALID");
}
