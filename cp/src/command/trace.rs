//! TRACE and the instruction stepping behind TRACE and ADSTOP (CP Command Reference, TRACE
//! and ADSTOP).
//!
//! CP sees some events at its own exits: I/O instructions (`SIO`, `CCW`), intercepted
//! privileged instructions and DIAGNOSE (`PRIV`; the assist is turned off while PRIV is
//! traced, as R6 does, so that privileged instructions reach CP). The others happen inside
//! the processor: interruptions (`SVC`, `PROGRAM`, `EXTERNAL`, `I/O`), branches and single
//! instructions (`BRANCH`, `INSTRUCT`) and the address stop. For them CP runs the machine
//! one instruction at a time and looks at the PSW and the backend's interruption counts
//! between instructions — slow, as tracing was on R6, and only while it is on.
//!
//! Output goes to the terminal and, unless RUN, puts the machine in CP mode after each line
//! (the instruction-step function); BEGIN goes on. `PRINTER` output is kept for the virtual
//! printer with the lowest address and added to its file when it is closed.

use std::collections::BTreeMap;
use std::time::Instant;

use s370::cpu::IoRequest;

use crate::backend::{ArchRegs, BackendError, Completion, Exit, S370Regs, ServiceRequest, Slice};
use crate::command::Ctx;
use crate::command::table::abbreviates;
use crate::command::tokens::Tokens;
use crate::spool::Record;
use crate::user::{User, UserState};
use crate::vdev::Kind;

/// What can be traced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Event {
    /// SVC interruptions.
    Svc,
    /// I/O interruptions.
    Io,
    /// Program interruptions.
    Program,
    /// External interruptions.
    External,
    /// Privileged instructions (other than I/O) and DIAGNOSE.
    Priv,
    /// I/O instructions.
    Sio,
    /// Channel programs (and the I/O instructions starting them).
    Ccw,
    /// Successful branches, PSW-loading instructions and interruptions.
    Branch,
    /// Every instruction, branches and interruptions.
    Instruct,
    /// The CSW with each I/O interruption.
    Csw,
}

const STEPPED: [Event; 6] =
    [Event::Svc, Event::Io, Event::Program, Event::External, Event::Branch, Event::Instruct];

/// Where one event's trace goes and whether the machine stops after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Setting {
    /// To the terminal.
    pub terminal: bool,
    /// To the virtual printer.
    pub printer: bool,
    /// Keep running after the output (RUN).
    pub run: bool,
}

/// A user's TRACE settings and stepping state.
#[derive(Debug, Default)]
pub struct TraceState {
    /// The events traced.
    pub events: BTreeMap<Event, Setting>,
    /// The machine stopped before this instruction (INSTRUCT): BEGIN executes it without
    /// stopping again.
    pub resume_at: Option<u32>,
    /// Trace lines for the virtual printer at each address.
    pub printed: BTreeMap<u16, Vec<Record>>,
}

impl TraceState {
    fn on(&self, e: Event) -> bool {
        self.events.contains_key(&e)
    }

    /// Is any I/O activity traced (DETACH is refused then)?
    pub fn traces_io(&self) -> bool {
        self.on(Event::Io) || self.on(Event::Sio) || self.on(Event::Ccw)
    }

    /// Must the processor intercept privileged instructions (PRIV traced)?
    pub fn wants_assist_off(&self) -> bool {
        self.on(Event::Priv)
    }

    /// Forgets the instruction the machine stopped before (IPL, reset).
    pub fn reset_step(&mut self) {
        self.resume_at = None;
    }
}

/// Does the machine have to be stepped one instruction at a time?
fn stepping(st: &UserState) -> bool {
    st.adstop.is_some() || STEPPED.iter().any(|e| st.cmd.trace.on(*e))
}

fn s370_regs(st: &UserState) -> Option<S370Regs> {
    match st.vm.backend.regs() {
        Ok(ArchRegs::S370(r)) => Some(r),
        _ => None,
    }
}

/// The instruction address in a PSW (BC and EC mode alike: its last 24 bits).
pub fn psw_ia(psw: u64) -> u32 {
    (psw & 0x00FF_FFFF) as u32
}

fn read(st: &mut UserState, addr: u32, len: usize) -> Vec<u8> {
    let mut b = vec![0u8; len];
    if st.vm.memory().read(u64::from(addr), &mut b).is_err() {
        b.clear();
    }
    b
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// An instruction as TRACE shows it: `mnem xxxxxxxx xxxx`.
fn insn_text(bytes: &[u8]) -> (String, usize, String) {
    if bytes.is_empty() {
        return (String::new(), 0, String::new());
    }
    let first = bytes.first().copied().unwrap_or(0);
    let second = bytes.get(1).copied().unwrap_or(0);
    let len = s370::format::length_of(first) as usize;
    let mnem = s370::opcode::lookup(first, second).map_or("????", |o| o.mnemonic);
    let b = &bytes[..len.min(bytes.len())];
    let h = if b.len() > 4 { format!("{} {}", hex(&b[..4]), hex(&b[4..])) } else { hex(b) };
    (mnem.to_string(), len, h)
}

/// Writes a trace line where the event's setting says; true if the machine is to stop.
fn emit(st: &mut UserState, user: &User, e: Event, text: &str) -> bool {
    let Some(s) = st.cmd.trace.events.get(&e).copied() else { return false };
    if s.printer {
        let printer = st.vm.devices.values().find(|d| matches!(d.kind, Kind::Printer(..)));
        if let Some(addr) = printer.map(|d| d.addr) {
            let rec = Record { ccw: 0x09, data: s370::ebcdic::from_str(text) };
            st.cmd.trace.printed.entry(addr).or_default().push(rec);
        }
    }
    if s.terminal {
        user.console.write(text);
    }
    s.terminal && !s.run
}

fn enter_cp(st: &mut UserState, user: &User) {
    st.cp_mode = true;
    user.console.set_cp_mode(true);
}

/// The trace lines kept for the printer at `addr` (its file is being closed).
pub fn take_printed(st: &mut UserState, addr: u16) -> Vec<Record> {
    st.cmd.trace.printed.remove(&addr).unwrap_or_default()
}

/// The interruption class whose count changed between two samples, if any.
fn interrupted(
    before: &[(&'static str, u64)],
    after: &[(&'static str, u64)],
) -> Option<&'static str> {
    after.iter().zip(before).find(|(a, b)| a.1 != b.1).map(|(a, _)| a.0)
}

/// Runs the machine for a slice: straight through the backend, or one instruction at a
/// time while TRACE or ADSTOP needs it. Returns what the backend's run returns; a stop for
/// the user (ADSTOP reached, a NORUN trace line) is `Preempted` with the user in CP mode.
pub(crate) fn run(st: &mut UserState, user: &User, slice: Slice) -> Result<Exit, BackendError> {
    if !stepping(st) || s370_regs(st).is_none() {
        return st.vm.backend.run(slice);
    }
    let start = Instant::now();
    loop {
        if start.elapsed() >= slice.max_time {
            return Ok(Exit::Preempted);
        }
        let before = s370_regs(st).expect("checked above");
        let ia = psw_ia(before.psw);
        if st.adstop == Some(ia) {
            st.adstop = None;
            user.console.write(&format!("ADSTOP AT {ia:06X}"));
            enter_cp(st, user);
            return Ok(Exit::Preempted);
        }
        // Only branch and instruction tracing look at the instruction itself.
        let looks = st.cmd.trace.on(Event::Instruct) || st.cmd.trace.on(Event::Branch);
        let bytes = if looks { read(st, ia, 6) } else { Vec::new() };
        let (mnem, len, text) = insn_text(&bytes);
        let resumed = st.cmd.trace.resume_at.take() == Some(ia);
        if st.cmd.trace.on(Event::Instruct) && !resumed && !bytes.is_empty() {
            let line = format!("{ia:06X} {mnem:<5} {text}");
            if emit(st, user, Event::Instruct, &line) {
                st.cmd.trace.resume_at = Some(ia);
                enter_cp(st, user);
                return Ok(Exit::Preempted);
            }
        }
        let ints = st.vm.backend.interruptions();
        let done = st.vm.backend.counters().instructions;
        let exit = st.vm.backend.run(Slice { max_instructions: 1, max_time: slice.max_time })?;
        if exit != Exit::Preempted {
            return Ok(exit);
        }
        let after = s370_regs(st).expect("an S/370 machine");
        let ints_after = st.vm.backend.interruptions();
        if ints_after == ints
            && st.vm.backend.counters().instructions == done
            && after.psw == before.psw
        {
            // Nothing happened: the run was kicked.
            return Ok(Exit::Preempted);
        }
        let stop = match interrupted(&ints, &ints_after) {
            Some(class) => trace_interruption(st, user, class, after.psw),
            None if looks => trace_branch(st, user, ia, len, &mnem, &text, psw_ia(after.psw)),
            None => false,
        };
        if stop {
            enter_cp(st, user);
            return Ok(Exit::Preempted);
        }
    }
}

/// `*** vvvvvv SVC|PROG|EXT code ==> tttttt` or `*** vvvvvv I/O vadd ==> tttttt CSW xxxx`.
fn trace_interruption(st: &mut UserState, user: &User, class: &str, new_psw: u64) -> bool {
    let (event, old_at, code_at, word) = match class {
        "SVC" => (Event::Svc, 0x20, 0x8A, "SVC"),
        "PROGRAM" => (Event::Program, 0x28, 0x8E, "PROG"),
        "EXTERNAL" => (Event::External, 0x18, 0x86, "EXT"),
        _ => (Event::Io, 0x38, 0xBA, "I/O"),
    };
    let old = read(st, old_at, 8);
    if old.len() < 8 {
        return false;
    }
    let old_psw = u64::from_be_bytes(old.clone().try_into().expect("8 bytes"));
    let ec = old_psw & 0x0008_0000_0000_0000 != 0;
    let code = if ec {
        let c = read(st, code_at, 2);
        u16::from_be_bytes([c.first().copied().unwrap_or(0), c.get(1).copied().unwrap_or(0)])
    } else {
        u16::from_be_bytes([old[2], old[3]])
    };
    let (from, to) = (psw_ia(old_psw), psw_ia(new_psw));
    let wanted: Vec<Event> = [event, Event::Branch, Event::Instruct]
        .into_iter()
        .filter(|e| st.cmd.trace.on(*e))
        .collect();
    let Some(&e) = wanted.first() else { return false };
    if event == Event::Io {
        let csw = read(st, 0x40, 8);
        if st.cmd.trace.on(Event::Csw) && csw.len() == 8 {
            let line = format!(
                "CSW V {code:03X} {} {} R {code:03X} {} {}",
                hex(&csw[..4]),
                hex(&csw[4..]),
                hex(&csw[..4]),
                hex(&csw[4..])
            );
            emit(st, user, e, &line);
        }
        let status = csw.get(4..6).map(hex).unwrap_or_default();
        emit(st, user, e, &format!("*** {from:06X} I/O {code:03X} ==> {to:06X} CSW {status}"))
    } else {
        emit(st, user, e, &format!("*** {from:06X} {word} {code:04X} ==> {to:06X}"))
    }
}

const BRANCHES: [&str; 10] =
    ["BALR", "BCTR", "BCR", "BAL", "BCT", "BC", "BXH", "BXLE", "LPSW", "SVC"];

/// `vvvvvv mnem xxxxxxxx ==> tttttt` for a successful branch.
fn trace_branch(
    st: &mut UserState,
    user: &User,
    ia: u32,
    len: usize,
    mnem: &str,
    text: &str,
    next: u32,
) -> bool {
    if !BRANCHES.contains(&mnem) || next == (ia + len as u32) & 0x00FF_FFFF || next == ia {
        return false;
    }
    let e = if st.cmd.trace.on(Event::Branch) { Event::Branch } else { Event::Instruct };
    emit(st, user, e, &format!("{ia:06X} {mnem:<5} {text} ==> {next:06X}"))
}

/// Simulates an intercepted privileged instruction, tracing it when PRIV is traced
/// (`::: vvvvvv mnem xxxxxxxx`, LPSW with the PSW it loaded).
pub(crate) fn simulate(st: &mut UserState, user: &User, mnemonic: &'static str) {
    let before = st.cmd.trace.on(Event::Priv).then(|| s370_regs(st)).flatten();
    let _ = st.vm.backend.complete(Completion::Simulate);
    let Some(before) = before else { return };
    let len = s370::opcode::by_mnemonic(mnemonic).map_or(4, |o| o.len());
    let ia = psw_ia(before.psw).wrapping_sub(len) & 0x00FF_FFFF;
    let bytes = read(st, ia, len as usize);
    let mut line = format!("::: {ia:06X} {mnemonic:<5} {}", hex(&bytes));
    if let Some(after) = s370_regs(st) {
        match mnemonic {
            "LPSW" => {
                let wait = after.psw & 0x0002_0000_0000_0000 != 0;
                let arrow = if wait { "   " } else { "==>" };
                line.push_str(&format!(
                    " {arrow} {:08X}  {:08X}",
                    after.psw >> 32,
                    after.psw & 0xFFFF_FFFF
                ));
            }
            "SSM" | "STOSM" | "STNSM" => line.push_str(&format!(" {:02X}", after.psw >> 56)),
            _ => {}
        }
    }
    if emit(st, user, Event::Priv, &line) {
        enter_cp(st, user);
    }
}

/// Traces a DIAGNOSE when PRIV is traced (`::: vvvvvv DIAG xxxxxxxx`); DIAGNOSE X'08' never
/// stops the machine.
pub(crate) fn diagnose(st: &mut UserState, user: &User, req: &ServiceRequest) {
    if !st.cmd.trace.on(Event::Priv) {
        return;
    }
    let Some(r) = s370_regs(st) else { return };
    let ia = psw_ia(r.psw).wrapping_sub(4) & 0x00FF_FFFF;
    let bytes = read(st, ia, 4);
    let line = format!("::: {ia:06X} DIAG  {}", hex(&bytes));
    if emit(st, user, Event::Priv, &line) && req.code != 0x08 {
        enter_cp(st, user);
    }
}

/// The device type name TRACE shows.
fn type_name(st: &UserState, addr: u16) -> &'static str {
    st.vm.devices.get(&addr).map_or("DEV", |d| d.class_name())
}

/// The real device behind a virtual one: a minidisk's volume address, else itself.
fn real_addr(ctx_sys: &crate::system::System, st: &UserState, addr: u16) -> u16 {
    match st.vm.devices.get(&addr).map(|d| &d.kind) {
        Some(Kind::Dasd(l)) => {
            ctx_sys.config.volume(&l.volser).and_then(|v| v.address).map_or(addr, |a| a.0)
        }
        _ => addr,
    }
}

/// Performs a guest I/O instruction, tracing it (SIO, CCW) when asked:
/// `I/O vvvvvv SIO xxxxxxxx DASD 191 CC 0 DASD 131 CSW 0000 CAW 00000500`.
pub(crate) fn io_instruction(st: &mut UserState, user: &User, req: IoRequest) -> u8 {
    use s370::cpu::IoOp;
    let (sio, ccw) = (st.cmd.trace.on(Event::Sio), st.cmd.trace.on(Event::Ccw));
    if !sio && !ccw {
        return st.vm.io_instruction(req);
    }
    let Some(sys) = user.system() else { return st.vm.io_instruction(req) };
    let ia = s370_regs(st).map_or(0, |r| psw_ia(r.psw).wrapping_sub(4) & 0x00FF_FFFF);
    let bytes = read(st, ia, 4);
    let caw = read(st, 0x48, 4);
    let caw = u32::from_be_bytes(caw.try_into().unwrap_or([0; 4]));
    let starts = matches!(req.op, IoOp::Sio | IoOp::Siof);
    let event = if ccw { Event::Ccw } else { Event::Sio };
    let mut stop = false;
    if ccw && starts {
        for line in ccw_lines(st, &sys, req.device, caw & 0x00FF_FFFF) {
            stop |= emit(st, user, event, &line);
        }
    }
    let cc = st.vm.io_instruction(req);
    let ty = type_name(st, req.device);
    let spooled = matches!(ty, "CONS" | "RDR" | "PUN" | "PRT");
    if ccw || !(starts && spooled) {
        let mnem = s370::opcode::lookup(
            bytes.first().copied().unwrap_or(0),
            bytes.get(1).copied().unwrap_or(0),
        )
        .map_or("????", |o| o.mnemonic);
        let v = req.device;
        let mut line = format!("I/O {ia:06X} {mnem:<5} {} {ty} {v:03X} CC {cc}", hex(&bytes));
        if req.op != IoOp::Tch {
            let status = if cc == 1 { hex(&read(st, 0x44, 2)) } else { "0000".into() };
            let r = real_addr(&sys, st, v);
            line.push_str(&format!(" {ty} {r:03X} CSW {status}"));
            if starts {
                line.push_str(&format!(" CAW {caw:08X}"));
            }
        }
        stop |= emit(st, user, event, &line);
    }
    if stop {
        enter_cp(st, user);
    }
    cc
}

/// The CCW lines of the channel program at `at`, with a minidisk SEEK relocated.
fn ccw_lines(st: &mut UserState, sys: &crate::system::System, dev: u16, at: u32) -> Vec<String> {
    let _ = sys;
    let start_cyl = match st.vm.devices.get(&dev).map(|d| &d.kind) {
        Some(Kind::Dasd(l)) => Some(l.start),
        _ => None,
    };
    let mut out = Vec::new();
    let mut addr = at & !7;
    for _ in 0..64 {
        let c = read(st, addr, 8);
        if c.len() < 8 {
            break;
        }
        out.push(format!(
            "CCW {addr:06X} {} {} {addr:06X} {} {}",
            hex(&c[..4]),
            hex(&c[4..]),
            hex(&c[..4]),
            hex(&c[4..])
        ));
        let data = u32::from_be_bytes([0, c[1], c[2], c[3]]);
        if c[0] == 0x07 {
            let seek = read(st, data, 6);
            if seek.len() == 6 {
                let cyl = u16::from_be_bytes([seek[2], seek[3]]);
                let real = u32::from(cyl) + start_cyl.unwrap_or(0);
                out.push(format!(
                    "CCW  SEEK  {} {}    SEEK  {}{:04X} {}",
                    hex(&seek[..4]),
                    hex(&seek[4..]),
                    hex(&seek[..2]),
                    real & 0xFFFF,
                    hex(&seek[4..])
                ));
            }
        }
        if c[0] & 0x0F == 0x08 {
            addr = data & !7;
        } else if c[4] & 0xC0 != 0 {
            addr += 8;
        } else {
            break;
        }
    }
    out
}

/// `TRACE {SVC|I/O|PROGRAM|EXTERNAL|PRIV|SIO|CCW|BRANCH|INSTRUCT|ALL|CSW}...
/// [PRINTER|TERMINAL|BOTH] [RUN|NORUN] [OFF]` or `TRACE END`.
pub fn trace(ctx: &mut Ctx<'_>, st: &mut UserState, t: &mut Tokens<'_>) {
    let was = !st.cmd.trace.events.is_empty();
    let mut events = Vec::new();
    let (mut printer, mut terminal, mut run, mut off) = (false, false, None, false);
    let mut end = false;
    while let Some(w) = t.next_upper() {
        let e: &[Event] = match w.as_str() {
            "SVC" => &[Event::Svc],
            "I/O" | "IO" => &[Event::Io],
            "PRIV" => &[Event::Priv],
            "SIO" => &[Event::Sio],
            "CCW" => &[Event::Ccw],
            "CSW" => &[Event::Csw],
            "ALL" => &[
                Event::Svc,
                Event::Io,
                Event::Program,
                Event::External,
                Event::Priv,
                Event::Sio,
                Event::Branch,
                Event::Instruct,
            ],
            "END" => {
                end = true;
                &[]
            }
            "BOTH" => {
                (printer, terminal) = (true, true);
                &[]
            }
            "RUN" => {
                run = Some(true);
                &[]
            }
            w if abbreviates(w, "PROGRAM", 3) => &[Event::Program],
            w if abbreviates(w, "EXTERNAL", 3) => &[Event::External],
            w if abbreviates(w, "BRANCH", 2) => &[Event::Branch],
            w if abbreviates(w, "INSTRUCT", 4) => &[Event::Instruct],
            w if abbreviates(w, "PRINTER", 5) => {
                printer = true;
                &[]
            }
            w if abbreviates(w, "TERMINAL", 4) => {
                terminal = true;
                &[]
            }
            w if abbreviates(w, "NORUN", 3) => {
                run = Some(false);
                &[]
            }
            w if abbreviates(w, "OFF", 2) => {
                off = true;
                &[]
            }
            other => return ctx.error(st, "DMKTRA003E", format!("INVALID OPTION - {other}")),
        };
        events.extend_from_slice(e);
    }
    if end {
        if !events.is_empty() {
            return ctx.error(st, "DMKTRA003E", "INVALID OPTION - END");
        }
        st.cmd.trace.events.clear();
        st.cmd.trace.reset_step();
        finish(ctx, st, was);
        return;
    }
    if events.is_empty() {
        return ctx.error(st, "DMKTRA026E", "OPERAND MISSING OR INVALID");
    }
    if printer && !terminal && run.is_some() {
        return ctx.error(st, "DMKTRA003E", "INVALID OPTION - RUN");
    }
    let setting = Setting {
        terminal: terminal || !printer,
        printer,
        run: run.unwrap_or(printer && !terminal),
    };
    for e in events {
        if off {
            st.cmd.trace.events.remove(&e);
        } else {
            st.cmd.trace.events.insert(e, setting);
        }
    }
    finish(ctx, st, was);
}

/// Says TRACE STARTED / ENDED and sets the assist for what is traced now.
fn finish(ctx: &mut Ctx<'_>, st: &mut UserState, was: bool) {
    let now = !st.cmd.trace.events.is_empty();
    let assist = st.settings.assist && !st.cmd.trace.wants_assist_off();
    st.vm.backend.set_assist(assist);
    if now && !was {
        ctx.say("TRACE STARTED");
    } else if !now {
        ctx.say("TRACE ENDED");
    }
}
