//! Shared by the CP command tests: a small system (one 3350 volume, a few users), a
//! terminal that records what it is shown, and hand-assembled guests.

#![allow(dead_code)]

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cp::backend::{ArchRegs, S370Regs};
use cp::system::{StartOptions, System};
use cp::user::User;
use cp::vdev::{Status, TermSink};
use cp::vm::RunState;

pub const CONFIG: &str = "SYSID TESTVM\nCPUS 1\nTIMEZONE UTC +00:00\nSPOOLDIR spool\n\
DIRECTORY USER.DIRECT\nVOLUME TEST01 3350 test01.3350 CYLINDERS 12 ADDRESS 130\n";

/// The test directory: OPERATOR (A-G), MAINT (all), ALICE/BOB/CAROL (G), a NOLOG owner.
pub const DIRECT: &str = "\
DIRECTORY 130 3350 TEST01
USER OPERATOR OPERATOR 1M 16M ABCDEFG
 CONSOLE 009 3215
 SPOOL 00C 2540 READER *
 SPOOL 00D 2540 PUNCH A
 SPOOL 00E 1403 A
 MDISK 191 3350 001 001 TEST01 MR ALL WRITE MULT
USER MAINT CPCMS 1M 16M ABCDEFGH
 CONSOLE 009 3215
 SPOOL 00C 2540 READER *
 SPOOL 00D 2540 PUNCH A
 SPOOL 00E 1403 A
 MDISK 191 3350 002 002 TEST01 MR ALL WRITE MULT
USER ALICE ALICE 1M 2M G
 CONSOLE 009 3215
 SPOOL 00C 2540 READER *
 SPOOL 00D 2540 PUNCH A
 SPOOL 00E 1403 A
 MDISK 191 3350 004 001 TEST01 MR RSECRET WSECRET MSECRET
USER BOB BOB 1M 2M G
 CONSOLE 009 3215
 SPOOL 00C 2540 READER *
 SPOOL 00D 2540 PUNCH A
 SPOOL 00E 1403 A
 MDISK 191 3350 005 001 TEST01 W ALL
 MDISK 192 3350 006 001 TEST01 RR
 MDISK 193 3350 007 001 TEST01 MW ALL ALL ALL
USER CAROL CAROL 1M 2M G
 CONSOLE 009 3215
 SPOOL 00C 2540 READER A
 SPOOL 00D 2540 PUNCH A
 SPOOL 00E 1403 A
USER $ALLOC$ NOLOG
 MDISK A00 3350 000 001 TEST01 R
";

/// A terminal that keeps every line and status it is given.
#[derive(Default)]
pub struct Screen(Mutex<(Vec<String>, Vec<Status>)>);

impl TermSink for Screen {
    fn line(&self, text: &str) {
        self.0.lock().expect("lock").0.push(text.to_string());
    }
    fn status(&self, s: Status) {
        self.0.lock().expect("lock").1.push(s);
    }
}

impl Screen {
    pub fn lines(&self) -> Vec<String> {
        self.0.lock().expect("lock").0.clone()
    }
    pub fn len(&self) -> usize {
        self.0.lock().expect("lock").0.len()
    }
    pub fn since(&self, n: usize) -> Vec<String> {
        self.lines().into_iter().skip(n).collect()
    }
    /// Waits (up to 10 s) for a line containing `what` after line `from`.
    pub fn wait_from(&self, from: usize, what: &str) -> bool {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if self.since(from).iter().any(|l| l.contains(what)) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        false
    }
    pub fn wait_for(&self, what: &str) -> bool {
        self.wait_from(0, what)
    }
    /// Waits (up to `secs` seconds) for a line after line `from` that satisfies `f`, and
    /// returns its index.
    pub fn wait(&self, from: usize, secs: u64, f: impl Fn(&str) -> bool) -> Option<usize> {
        let deadline = Instant::now() + Duration::from_secs(secs);
        while Instant::now() < deadline {
            if let Some(i) = self.lines().iter().skip(from).position(|l| f(l)) {
                return Some(from + i);
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        None
    }
    /// Like [`Screen::wait`], returning the line itself.
    pub fn wait_line(&self, from: usize, secs: u64, f: impl Fn(&str) -> bool) -> Option<String> {
        self.wait(from, secs, f).map(|i| self.lines()[i].clone())
    }
}

pub fn start_in(dir: &Path, config: &str, direct: &str) -> Arc<System> {
    if !dir.join("SYSTEM.CONFIG").exists() {
        std::fs::write(dir.join("SYSTEM.CONFIG"), config).expect("config");
        std::fs::write(dir.join("USER.DIRECT"), direct).expect("directory");
    }
    System::start(&StartOptions { data_dir: dir.to_path_buf(), deterministic: false, cpus: None })
        .expect("system starts")
}

/// A fresh system with the test directory.
pub fn start() -> (tempfile::TempDir, Arc<System>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let sys = start_in(dir.path(), CONFIG, DIRECT);
    (dir, sys)
}

/// A user logged on at a recording terminal.
pub struct Term {
    pub user: Arc<User>,
    pub screen: Arc<Screen>,
    pub sys: Arc<System>,
}

impl Term {
    pub fn logon(sys: &Arc<System>, userid: &str, pw: &str) -> Term {
        let screen = Arc::new(Screen::default());
        let user = User::logon(sys, userid, pw, Some(screen.clone())).expect("logon");
        user.set_terminal_name(Some(format!("LINE {:03X}", 0x20 + userid.len())));
        Term { user, screen, sys: Arc::clone(sys) }
    }

    /// Types a line and returns what appeared (CP commands answer before `input` returns).
    pub fn cmd(&self, line: &str) -> Vec<String> {
        let n = self.screen.len();
        self.user.input(&self.sys, line);
        self.screen.since(n)
    }

    /// Types a line; asserts that one line of the answer is exactly `want`.
    pub fn expect(&self, line: &str, want: &str) -> Vec<String> {
        let out = self.cmd(line);
        assert!(out.iter().any(|l| l == want), "`{line}`: wanted `{want}`, got {out:?}");
        out
    }

    /// Types a line; asserts that some line of the answer contains `want`.
    pub fn expect_in(&self, line: &str, want: &str) -> Vec<String> {
        let out = self.cmd(line);
        assert!(out.iter().any(|l| l.contains(want)), "`{line}`: wanted `{want}`, got {out:?}");
        out
    }

    /// Waits until the machine is back in CP mode (a disabled wait, ADSTOP, a trace stop).
    pub fn wait_cp_read(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if self.user.console.status() == Status::CpRead && self.user.lock().cp_mode {
                return;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        panic!("never back in CP READ: {:?}", self.screen.lines());
    }

    pub fn gpr(&self, n: usize) -> u32 {
        match self.user.lock().vm.backend.regs().expect("registers") {
            ArchRegs::S370(r) => r.gpr[n],
            ArchRegs::X86(_) => panic!("an S/370 machine"),
        }
    }
}

/// Puts `program` at X'400' with the data areas and starts it with a disabled BC-mode PSW.
pub fn run_program(user: &Arc<User>, program: &[u8], extra: &[(u64, &[u8])]) {
    load_program(user, program, extra);
    let mut st = user.lock();
    st.vm.state = RunState::Running;
    st.cp_mode = false;
    drop(st);
    user.console.set_cp_mode(false);
    user.wake(cp::dispatch::Wake::Interactive);
}

/// Puts `program` at X'400' with the PSW pointing at it, the machine ready but stopped in
/// CP mode (BEGIN starts it).
pub fn load_program(user: &Arc<User>, program: &[u8], extra: &[(u64, &[u8])]) {
    let mut st = user.lock();
    st.vm.memory().write(0x400, program).expect("program fits");
    for (at, bytes) in extra {
        st.vm.memory().write(*at, bytes).expect("data fits");
    }
    // CR0 as a reset leaves it: the timer, interrupt key and external signal subclasses on.
    let mut cr = [0u32; 16];
    cr[0] = 0x0000_00E0;
    let regs = S370Regs { psw: 0x0000_0000_0000_0400, cr, ..S370Regs::default() };
    st.vm.backend.set_regs(&ArchRegs::S370(regs)).expect("S/370 registers");
    st.vm.state = RunState::Running;
}

pub fn ebcdic(s: &str) -> Vec<u8> {
    s370::ebcdic::from_str(s)
}

/// An 80-column card of `text`.
pub fn card(text: &str) -> Vec<u8> {
    let mut c = ebcdic(text);
    c.resize(80, 0x40);
    c
}

/// A CCW.
pub fn ccw(cmd: u8, addr: u32, flags: u8, count: u16) -> [u8; 8] {
    let a = addr.to_be_bytes();
    let c = count.to_be_bytes();
    [cmd, a[1], a[2], a[3], flags, 0, c[0], c[1]]
}

pub const WAIT_600D: [u8; 8] = [0x00, 0x02, 0, 0, 0, 0, 0x60, 0x0D];
pub const WAIT_BAD: [u8; 8] = [0x00, 0x02, 0, 0, 0, 0, 0x0B, 0xAD];

/// A guest that punches `cards` on 00D in one chained channel program, clears the ending
/// status with TIO and stops in a disabled wait (code 600D).
///
/// ```text
/// 400 SIO  X'00D'        CAW at X'48' -> CCWs at X'500'
/// 404 TIO  X'00D'
/// 408 LPSW X'480'        (00020000 0000600D)
/// ```
pub fn punch_cards(user: &Arc<User>, cards: &[&str]) {
    let program = [0x9C, 0x00, 0x00, 0x0D, 0x9D, 0x00, 0x00, 0x0D, 0x82, 0x00, 0x04, 0x80];
    let mut ccws = Vec::new();
    let mut data = Vec::new();
    for (i, c) in cards.iter().enumerate() {
        let at = 0x600 + 80 * i as u32;
        let chain = if i + 1 < cards.len() { 0x60 } else { 0x20 };
        ccws.extend_from_slice(&ccw(0x01, at, chain, 80));
        data.extend(card(c));
    }
    let caw = 0x500u32.to_be_bytes();
    run_program(
        user,
        &program,
        &[(0x48, &caw), (0x480, &WAIT_600D), (0x500, &ccws), (0x600, &data)],
    );
}

/// A guest that reads cards from 00C one at a time into X'700' until unit exception or
/// unit check, counting them in R3, then stops in a disabled wait (600D); BAD if an SIO
/// gets condition code 2 or 3.
///
/// ```text
/// 400 SIO  X'00C'          read one card (CCW at X'500')
/// 404 BC   8,X'410'        started: take its status with TIO
/// 408 BC   4,X'414'        CSW stored at once (end of file, empty reader)
/// 40C LPSW X'490'          BAD
/// 410 TIO  X'00C'          the ending status (CSW at X'40')
/// 414 TM   X'44',X'03'     unit exception or unit check?
/// 418 BC   7,X'430'        yes: done
/// 41C LA   3,1(,3)         one more card
/// 420 BC   15,X'400'
/// 430 LPSW X'488'          600D
/// ```
pub fn read_cards(user: &Arc<User>) {
    let mut program = vec![
        0x9C, 0x00, 0x00, 0x0C, //
        0x47, 0x80, 0x04, 0x10, //
        0x47, 0x40, 0x04, 0x14, //
        0x82, 0x00, 0x04, 0x90, //
        0x9D, 0x00, 0x00, 0x0C, //
        0x91, 0x03, 0x00, 0x44, //
        0x47, 0x70, 0x04, 0x30, //
        0x41, 0x30, 0x30, 0x01, //
        0x47, 0xF0, 0x04, 0x00, //
    ];
    program.extend([0x07, 0x00].repeat(6));
    program.extend([0x82, 0x00, 0x04, 0x88]);
    let caw = 0x500u32.to_be_bytes();
    let read = ccw(0x02, 0x700, 0x20, 80);
    run_program(
        user,
        &program,
        &[(0x48, &caw), (0x488, &WAIT_600D), (0x490, &WAIT_BAD), (0x500, &read)],
    );
}

/// Whether KVM can run x86 machines here; prints the skip line when it cannot.
pub fn kvm() -> bool {
    match cp::backend::x86::available() {
        Ok(()) => true,
        Err(e) => {
            println!("skipped: /dev/kvm not available ({e})");
            false
        }
    }
}

/// The CMS file system on a whole volume image (a copy of one of IBM's R6 disks).
pub fn open_disk(image: &Path) -> cms::fs::CmsDisk<cp::dasd::MinidiskBlocks> {
    let vol =
        Arc::new(s370::devices::ckd::Volume::open(image, false).expect("open the image copy"));
    let cyls = vol.cylinders();
    cms::fs::CmsDisk::mount(cp::dasd::MinidiskBlocks::new(vol, 0, cyls)).expect("a CMS disk")
}

/// Records as text: EBCDIC decoded, trailing blanks dropped.
pub fn ebcdic_lines(recs: &[Vec<u8>]) -> Vec<String> {
    recs.iter().map(|r| cms::fs::ebcdic::decode(r).trim_end().to_string()).collect()
}

/// Writes `fn ft A1`, RECFM V, with `lines` (EBCDIC) on a formatted minidisk: cylinders
/// `start..start+cyls` of `volser`, dated 2026-11-24 12:00.
pub fn put_v_file(
    sys: &System,
    volser: &str,
    (start, cyls): (u32, u32),
    (fname, ftype): (&str, &str),
    lines: &[&str],
) {
    let md = cp::dasd::MinidiskBlocks::new(Arc::clone(&sys.volumes[volser]), start, cyls);
    let mut disk = cms::fs::CmsDisk::mount(md).expect("the minidisk is formatted");
    let recs: Vec<Vec<u8>> = lines.iter().map(|l| cms::fs::ebcdic::encode(l)).collect();
    disk.write_file(
        cms::fs::FileId::new(fname, ftype).expect("fileid"),
        cms::fs::FileMode::parse("A1").expect("mode"),
        cms::fs::RecFm::V,
        0,
        cms::fs::WriteMode::New,
        &recs,
        cms::fs::Timestamp::new(2026, 11, 24, 12, 0),
    )
    .expect("write");
}
