//! No data is lost: a guest writes a minidisk record with DIAGNOSE X'18', CP reports the write
//! complete, the CP process is killed with SIGKILL at once, and after a restart the record is
//! on the disk. The test runs itself as the child process that gets killed.

mod common;
use common::Screen;

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use cms::fs::{Block, BlockDevice};
use cp::backend::{ArchRegs, S370Regs};
use cp::dasd::MinidiskBlocks;
use cp::system::{StartOptions, System};
use cp::user::User;
use cp::vm::RunState;

const CHILD_ENV: &str = "VM370_CRASH_CHILD_DIR";

fn pattern() -> Vec<u8> {
    (0..800u32).map(|i| (i * 7 + 3) as u8).collect()
}

/// The child: start the system, have ALICE's guest write block 20 (cylinder 0, head 1,
/// record 1) of her 191 through DIAGNOSE X'18', say so, and wait to be killed.
fn child(dir: &str) {
    let sys =
        System::start(&StartOptions { data_dir: dir.into(), deterministic: false, cpus: None })
            .expect("system");
    let screen = Arc::new(Screen::default());
    let user = User::logon(&sys, "ALICE", "ALICE", Some(screen.clone())).expect("logon");
    // 400 LA 1,X'191'   device          404 LA 2,X'500'  CCW chain
    // 408 DIAG 1,2,X'18'                40C BC 7,X'418'  any error: bad verdict
    // 410 LPSW X'480'   good (600D)     418 LPSW X'488'  bad (0BAD)
    let program = [
        0x41, 0x10, 0x01, 0x91, 0x41, 0x20, 0x05, 0x00, 0x83, 0x12, 0x00, 0x18, 0x47, 0x70, 0x04,
        0x18, 0x82, 0x00, 0x04, 0x80, 0x07, 0x00, 0x07, 0x00, 0x82, 0x00, 0x04, 0x88,
    ];
    let ccws = [
        0x07, 0x00, 0x05, 0x40, 0x40, 0x00, 0x00, 0x06, // SEEK 0 1
        0x31, 0x00, 0x05, 0x46, 0x40, 0x00, 0x00, 0x05, // SEARCH ID EQUAL 0 1 1
        0x08, 0x00, 0x05, 0x08, 0x00, 0x00, 0x00, 0x00, // TIC back to the search
        0x05, 0x00, 0x08, 0x00, 0x00, 0x00, 0x03, 0x20, // WRITE DATA 800
    ];
    {
        let mut st = user.lock();
        let m = st.vm.memory();
        m.write(0x400, &program).expect("program");
        m.write(0x480, &[0, 2, 0, 0, 0, 0, 0x60, 0x0D]).expect("good PSW");
        m.write(0x488, &[0, 2, 0, 0, 0, 0, 0x0B, 0xAD]).expect("bad PSW");
        m.write(0x500, &ccws).expect("CCWs");
        m.write(0x540, &[0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 1]).expect("seek and search arguments");
        m.write(0x800, &pattern()).expect("data");
        st.vm
            .backend
            .set_regs(&ArchRegs::S370(S370Regs { psw: 0x400, ..S370Regs::default() }))
            .expect("regs");
        st.vm.state = RunState::Running;
        st.cp_mode = false;
    }
    user.console.set_cp_mode(false);
    user.wake(cp::dispatch::Wake::Interactive);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let lines = screen.lines();
        if let Some(l) = lines.iter().find(|l| l.contains("DISABLED WAIT")) {
            // Tell the parent through a file (the test harness may hold stdout back).
            std::fs::write(format!("{dir}/VERDICT.tmp"), l).expect("verdict file");
            std::fs::rename(format!("{dir}/VERDICT.tmp"), format!("{dir}/VERDICT"))
                .expect("verdict");
            break;
        }
        assert!(Instant::now() < deadline, "no verdict: {lines:?}");
        std::thread::sleep(Duration::from_millis(5));
    }
    loop {
        std::thread::sleep(Duration::from_secs(1));
    }
}

#[test]
fn a_completed_write_survives_kill_9() {
    if let Ok(dir) = std::env::var(CHILD_ENV) {
        child(&dir);
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let mut proc = Command::new(std::env::current_exe().expect("test binary"))
        .args(["--exact", "a_completed_write_survives_kill_9", "--test-threads=1"])
        .env(CHILD_ENV, dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("child");
    let marker = dir.path().join("VERDICT");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !marker.exists() && Instant::now() < deadline && proc.try_wait().ok().flatten().is_none()
    {
        std::thread::sleep(Duration::from_millis(2));
    }
    // SIGKILL at once: no destructor, no flush, no orderly shutdown.
    proc.kill().expect("kill -9");
    let _ = proc.wait();
    let verdict = std::fs::read_to_string(&marker).expect("the child reported the write");
    assert!(verdict.contains("0000600D"), "the guest saw the write complete: {verdict}");

    let sys = System::start(&StartOptions {
        data_dir: dir.path().to_path_buf(),
        deterministic: true,
        cpus: None,
    })
    .expect("restart");
    let m = sys
        .directory
        .read()
        .expect("dir")
        .mdisk("ALICE", cp::directory::VAddr(0x191))
        .cloned()
        .expect("191");
    let vol = Arc::clone(sys.volumes.get(&m.volser).expect("volume"));
    let mut md = MinidiskBlocks::new(vol, u32::from(m.start), u32::from(m.cylinders));
    let mut b: Block = [0; 800];
    md.read_block(20, &mut b).expect("block 20");
    assert!(b.as_slice() == pattern().as_slice(), "the record written before the kill is on disk");
}
