//! A guest's timers under CP, as VM/370 gives them: the clock comparator is compared with the
//! real TOD clock, so a machine waiting for it is dispatched again when the time comes, with
//! no I/O or terminal input to wake it; the CPU timer counts only the machine's own
//! processor time, so it stands still while the machine waits.

use std::time::{Duration, Instant};

use cp::backend::{ArchRegs, S370Regs};
use cp::system::{StartOptions, System};
use cp::user::User;
use cp::vm::RunState;

const CONFIG: &str =
    "SYSID TESTVM\nCPUS 1\nTIMEZONE UTC +00:00\nSPOOLDIR spool\nDIRECTORY USER.DIRECT\n";
const DIRECT: &str = "DIRECTORY 130 3350 TEST01\nUSER TEST PASS 1M 16M G\n CONSOLE 009 3215\n";

/// Sets the CPU timer to 10 s and the clock comparator to now + 300 ms, waits enabled for
/// external interruptions, and on the clock-comparator interruption stores the TOD clock,
/// the CPU timer and the interruption code, then stops in a disabled wait with code 600D.
const PROGRAM: &str = r"
         START X'400'
BEGIN    BALR  12,0
         USING *,12
         MVC   X'58'(8),EXTNEW
         STCTL 0,0,CR0
         OI    CR0+2,X'0C'        CKC and CPU timer subclasses
         LCTL  0,0,CR0
         SPT   TENSEC
         STCK  T0
         LM    2,3,T0
         AL    3,DELAY
         BC    12,NOCARRY
         AL    2,=F'1'
NOCARRY  STM   2,3,CKC
         SCKC  CKC
         LPSW  WAITPSW
GOTEXT   STCK  T1
         STPT  CPT
         MVC   CODE(2),X'1A'        BC mode: code in the old PSW
         LPSW  DONE
         DS    0D
EXTNEW   DC    X'00000000',A(GOTEXT)
WAITPSW  DC    X'01020000',A(0)
DONE     DC    X'00020000',X'0000600D'
TENSEC   DC    X'00000009',X'89680000' 10 s
DELAY    DC    F'1228800000' 300 ms
CR0      DS    F
T0       DS    D
T1       DS    D
CKC      DS    D
CPT      DS    D
CODE     DS    H
         LTORG
         END   BEGIN
";

#[test]
fn a_machine_waiting_for_its_clock_comparator_wakes_on_time_and_its_cpu_timer_stood_still() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("SYSTEM.CONFIG"), CONFIG).expect("config");
    std::fs::write(dir.path().join("USER.DIRECT"), DIRECT).expect("directory");
    let sys = System::start(&StartOptions {
        data_dir: dir.path().to_path_buf(),
        deterministic: false,
        cpus: None,
    })
    .expect("system starts");
    let user = User::logon(&sys, "TEST", "PASS", None).expect("logon");
    let asm = s370::asm::assemble(PROGRAM, &s370::asm::Options::default()).expect("assembles");
    let sym = |n: &str| u64::from(asm.symbols[n].value);
    {
        let mut st = user.lock();
        st.vm.memory().write(u64::from(asm.origin), &asm.image).expect("fits");
        let regs = S370Regs { psw: 0x0000_0000_0000_0400, ..S370Regs::default() };
        st.vm.backend.set_regs(&ArchRegs::S370(regs)).expect("registers");
        st.vm.state = RunState::Running;
        st.cp_mode = false;
    }
    user.console.set_cp_mode(false);
    let started = Instant::now();
    user.wake(cp::dispatch::Wake::Interactive);

    let deadline = Instant::now() + Duration::from_secs(20);
    while !matches!(user.lock().vm.state, RunState::Stopped(_)) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    let took = started.elapsed();
    let mut st = user.lock();
    let state = st.vm.state.clone();
    let RunState::Stopped(why) = state else { panic!("the guest never woke: {state:?}") };
    assert!(why.contains("0000600D"), "{why}");
    let mut read8 = |at: u64| {
        let mut b = [0u8; 8];
        st.vm.memory().read(at, &mut b).expect("read");
        u64::from_be_bytes(b)
    };
    let (t0, t1, cpt) = (read8(sym("T0")), read8(sym("T1")), read8(sym("CPT")));
    let code = read8(sym("CODE")) >> 48;
    assert_eq!(code, 0x1004, "clock-comparator interruption code");
    let us = |units: u64| units / 4096;
    let waited = us(t1.wrapping_sub(t0));
    assert!(waited >= 300_000, "woke after {waited} us of TOD time, before the comparator");
    assert!(took >= Duration::from_millis(300), "host time {took:?}");
    // The CPU timer ran only while instructions ran: a few microseconds, nowhere near the
    // 300 ms the machine waited.
    let used = us(0x0000_0009_8968_0000u64.wrapping_sub(cpt));
    assert!(used < 100_000, "CPU timer used {used} us in a 300 ms wait");
    drop(st);
    assert_eq!(sys.timers.pending(), 0);
}
