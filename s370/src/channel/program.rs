//! One channel program in execution: command chaining, status evaluation and the CSW.
//!
//! Principles of Operation, "Execution of Input/Output Operations", "Chaining",
//! "Conclusion of Input/Output Operations", "Channel-Status Word".

use super::ccw::{Caw, Ccw, Csw, chan, flag, unit};
use super::path::{Chain, Cursor, Path};
use super::{ChannelMemory, Command, Device, Response};

/// The most CCWs (TICs included) one program may fetch before it ends in a program check.
/// Real channels have no such limit; guests are untrusted and CP must regain control.
pub const MAX_CCWS: u32 = 1 << 20;

/// The most TICs a program may execute without moving any data before it ends in a program
/// check (a TIC loop would otherwise run forever).
pub const MAX_TICS_WITHOUT_DATA: u32 = 1024;

/// How a program ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ending {
    /// The CSW describing the end.
    pub csw: Csw,
    /// The program ended at its first command without the channel and device going on to
    /// transfer data (an invalid CAW or first CCW, an immediate command without chaining, a
    /// command rejected at initial selection). START I/O sets condition code 1 and stores this
    /// CSW; otherwise the CSW belongs to an I/O interruption.
    pub initial: bool,
}

/// Where a program stands after [`ChannelProgram::run`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// The program ended.
    Done(Ending),
    /// The device is waiting (e.g. for a line of console input). Call `run` again when it can
    /// proceed. `pci`: a PCI flag was passed; present this CSW as an interruption now.
    Blocked {
        /// The program-controlled interruption to present, if any.
        pci: Option<Csw>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Fetch the next command's CCW at this address.
    Fetch(u32),
    /// Execute the command in `cmd`.
    Execute,
    /// The device blocked on the command in `cmd`.
    Blocked,
    /// The program has ended.
    Done(Ending),
}

/// A channel program in execution against one device. Plain data: it can be kept with the
/// device while the device waits, and moved between threads.
#[derive(Debug, Clone)]
pub struct ChannelProgram {
    chain: Chain,
    state: State,
    /// Address of the CCW that started the command in execution.
    cmd_addr: u32,
    /// That CCW.
    cmd: Ccw,
    /// The command in execution is the first of the program.
    first: bool,
}

impl ChannelProgram {
    /// A program started by the CAW fullword `caw` (as fetched from real X'48').
    pub fn new(caw: u32) -> ChannelProgram {
        let c = Caw::from_word(caw);
        let mut p = ChannelProgram::at(c.key, c.addr);
        if c.invalid {
            p.finish(0, chan::PROGRAM_CHECK, c.addr.wrapping_add(8), 0, true);
        }
        p
    }

    /// A program with protection key `key` (0-15) whose first CCW is at `ccw_addr`.
    pub fn at(key: u8, ccw_addr: u32) -> ChannelProgram {
        ChannelProgram {
            chain: Chain { key: key & 0xF, ccws: 0, tics: 0, pci: false },
            state: State::Fetch(ccw_addr & 0x00FF_FFFF),
            cmd_addr: 0,
            cmd: Ccw::default(),
            first: true,
        }
    }

    /// Runs the program until it ends or its device blocks. Calling it again after `Done`
    /// returns the same ending; after `Blocked` it re-executes the blocked command.
    pub fn run(&mut self, dev: &mut dyn Device, mem: &mut dyn ChannelMemory) -> Progress {
        loop {
            match self.state {
                State::Done(e) => return Progress::Done(e),
                State::Fetch(addr) => match self.chain.fetch(mem, addr, false) {
                    Ok((a, ccw)) => {
                        self.cmd_addr = a;
                        self.cmd = ccw;
                        self.state = State::Execute;
                    }
                    Err(f) => {
                        let initial = self.first;
                        self.finish(0, f.chan, f.csw_addr, 0, initial);
                    }
                },
                State::Execute | State::Blocked => {
                    let mut cur = Cursor::new(self.cmd_addr, self.cmd);
                    let cmd = Command { code: self.cmd.cmd, chained: !self.first };
                    let resp = {
                        let mut path = Path { chain: &mut self.chain, cur: &mut cur, mem };
                        dev.execute(cmd, &mut path)
                    };
                    match resp {
                        Response::Blocked => {
                            self.state = State::Blocked;
                            let pci = self.take_pci();
                            return Progress::Blocked { pci };
                        }
                        Response::Status(st) => self.conclude(st, &cur),
                    }
                }
            }
        }
    }

    /// Evaluates a command's ending: chain on, or end the program.
    fn conclude(&mut self, st: u8, cur: &Cursor) {
        let mut ch = cur.chan;
        let immediate = !cur.touched;
        let residual_or_more = cur.count > 0 || cur.wanted_more;
        if ch == 0 && !immediate && residual_or_more && !cur.ccw.has(flag::SLI) {
            ch |= chan::INCORRECT_LENGTH;
        }
        let csw_addr = cur.fault_addr.unwrap_or(cur.ccw_addr.wrapping_add(8));
        let unusual = unit::ATTENTION | unit::UNIT_CHECK | unit::UNIT_EXCEPTION | unit::BUSY;
        let ends = ch != 0
            || st & unusual != 0
            || st & unit::CE_DE != unit::CE_DE
            || !cur.ccw.has(flag::CC);
        if ends {
            let initial = self.first && immediate;
            self.finish(st, ch, csw_addr, cur.count, initial);
        } else {
            let step = if st & unit::STATUS_MODIFIER != 0 { 16 } else { 8 };
            self.first = false;
            self.state = State::Fetch(cur.ccw_addr.wrapping_add(step) & 0x00FF_FFFF);
        }
    }

    fn finish(&mut self, st: u8, mut ch: u8, csw_addr: u32, count: u16, initial: bool) {
        if self.chain.pci {
            ch |= chan::PCI;
            self.chain.pci = false;
        }
        let csw = Csw {
            key: self.chain.key,
            ccw_addr: csw_addr & 0x00FF_FFFF,
            unit: st,
            channel: ch,
            count,
            ..Csw::default()
        };
        self.state = State::Done(Ending { csw, initial });
    }

    /// The PCI interruption to present now, if a PCI flag was passed.
    fn take_pci(&mut self) -> Option<Csw> {
        if !self.chain.pci {
            return None;
        }
        self.chain.pci = false;
        Some(Csw {
            key: self.chain.key,
            ccw_addr: self.cmd_addr.wrapping_add(8) & 0x00FF_FFFF,
            channel: chan::PCI,
            count: self.cmd.count,
            ..Csw::default()
        })
    }

    /// HALT I/O, HALT DEVICE or CLEAR I/O on a blocked program: ends it as the device would
    /// (channel end and device end, incorrect length unless SLI since no data moved) and
    /// returns the CSW. `None` if the program is not blocked.
    pub fn halt(&mut self) -> Option<Csw> {
        if self.state != State::Blocked {
            return None;
        }
        let ch = if self.cmd.has(flag::SLI) { 0 } else { chan::INCORRECT_LENGTH };
        self.finish(unit::CE_DE, ch, self.cmd_addr.wrapping_add(8), self.cmd.count, false);
        match self.state {
            State::Done(e) => Some(e.csw),
            _ => None,
        }
    }

    /// Is the program waiting for its device?
    pub fn is_blocked(&self) -> bool {
        self.state == State::Blocked
    }

    /// The ending, once the program has ended.
    pub fn ending(&self) -> Option<Ending> {
        match self.state {
            State::Done(e) => Some(e),
            _ => None,
        }
    }

    /// The protection key of the program.
    pub fn key(&self) -> u8 {
        self.chain.key
    }

    /// Address of the CCW of the command in execution (or last executed).
    pub fn command_address(&self) -> u32 {
        self.cmd_addr
    }

    /// CCWs fetched so far (TICs included).
    pub fn ccws_fetched(&self) -> u32 {
        self.chain.ccws
    }
}
