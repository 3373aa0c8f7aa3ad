//! CCW fetching and the data path of one command: data chaining, skip, indirect data
//! addressing, read backward and key-controlled protection.
//!
//! Principles of Operation, "Chaining", "Skipping", "Channel Indirect Data Addressing",
//! "Program Check", "Protection Check".

use super::ccw::{Ccw, CommandKind, chan, flag};
use super::program::{MAX_CCWS, MAX_TICS_WITHOUT_DATA};
use super::{ChannelMemory, DataPath};
use crate::storage::AccessError;

/// Size of the storage blocks an IDAW addresses and protection keys cover.
const BLOCK: u32 = 0x800;

/// A channel-detected error: the channel status and the CCW address (plus 8) for the CSW.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Fault {
    pub chan: u8,
    pub csw_addr: u32,
}

impl Fault {
    fn program(csw_addr: u32) -> Fault {
        Fault { chan: chan::PROGRAM_CHECK, csw_addr: csw_addr & 0x00FF_FFFF }
    }

    fn access(e: AccessError, csw_addr: u32) -> Fault {
        let chan = match e {
            AccessError::Addressing(_) => chan::PROGRAM_CHECK,
            AccessError::Protection(_) => chan::PROTECTION_CHECK,
        };
        Fault { chan, csw_addr: csw_addr & 0x00FF_FFFF }
    }
}

/// The state of a program that outlives single commands: key, CCW fetching and its limits.
#[derive(Debug, Clone)]
pub(super) struct Chain {
    /// The CAW key.
    pub key: u8,
    /// CCWs (including TICs) fetched so far.
    pub ccws: u32,
    /// TICs executed since data last moved.
    pub tics: u32,
    /// A PCI flag was seen and not yet presented.
    pub pci: bool,
}

impl Chain {
    /// Fetches the CCW at `addr`, following a TIC, and checks it. `data_chain`: fetched to
    /// continue a command's data area (its command code is then not checked).
    pub fn fetch(
        &mut self,
        mem: &mut dyn ChannelMemory,
        mut addr: u32,
        data_chain: bool,
    ) -> Result<(u32, Ccw), Fault> {
        let mut tic_at: Option<u32> = None;
        loop {
            addr &= 0x00FF_FFFF;
            // Where the CSW points when this fetch fails: after the TIC that led here, else
            // after the invalid CCW address itself.
            let bad_addr_csw = tic_at.map_or(addr.wrapping_add(8), |t| t.wrapping_add(8));
            self.ccws += 1;
            if self.ccws > MAX_CCWS || addr & 7 != 0 {
                return Err(Fault::program(bad_addr_csw));
            }
            let mut b = [0u8; 8];
            mem.fetch(addr, &mut b, self.key).map_err(|e| Fault::access(e, bad_addr_csw))?;
            let ccw = Ccw::from_bytes(b);
            if ccw.is_tic() {
                self.tics += 1;
                if tic_at.is_some() || self.tics > MAX_TICS_WITHOUT_DATA {
                    return Err(Fault::program(addr.wrapping_add(8)));
                }
                tic_at = Some(addr);
                addr = ccw.addr;
                continue;
            }
            let invalid = ccw.flags & flag::RESERVED != 0
                || ccw.count == 0
                || (!data_chain && CommandKind::of(ccw.cmd) == CommandKind::Invalid)
                || (ccw.has(flag::IDA) && ccw.addr & 3 != 0);
            if invalid {
                return Err(Fault::program(addr.wrapping_add(8)));
            }
            if ccw.has(flag::PCI) {
                self.pci = true;
            }
            return Ok((addr, ccw));
        }
    }
}

/// Where the data of the command in execution stands.
#[derive(Debug, Clone)]
pub(super) struct Cursor {
    /// The direction of the command.
    pub kind: CommandKind,
    /// Address of the current CCW (the last one fetched by data chaining).
    pub ccw_addr: u32,
    /// The current CCW.
    pub ccw: Ccw,
    /// Residual count of the current CCW.
    pub count: u16,
    /// Address of the next data byte (valid with IDA only when `idaw_valid`).
    addr: u32,
    /// Address of the next IDAW.
    idaw_addr: u32,
    /// `addr` comes from an IDAW and its block is not exhausted.
    idaw_valid: bool,
    /// The next IDAW is the CCW's first (any address allowed).
    first_idaw: bool,
    /// The device called `get` or `put`: the command is not an immediate one.
    pub touched: bool,
    /// The device asked for more than the data area holds.
    pub wanted_more: bool,
    /// Channel status detected during the transfer (program or protection check).
    pub chan: u8,
    /// The CCW address (plus 8) to report for that check, when not the current CCW's.
    pub fault_addr: Option<u32>,
}

impl Cursor {
    /// The data path of a command starting with `ccw` at `ccw_addr`.
    pub fn new(ccw_addr: u32, ccw: Ccw) -> Cursor {
        let mut c = Cursor {
            kind: CommandKind::of(ccw.cmd),
            ccw_addr,
            ccw,
            count: 0,
            addr: 0,
            idaw_addr: 0,
            idaw_valid: false,
            first_idaw: true,
            touched: false,
            wanted_more: false,
            chan: 0,
            fault_addr: None,
        };
        c.load(ccw_addr, ccw);
        c
    }

    /// Makes `ccw` the current CCW (at the start, or by data chaining).
    fn load(&mut self, ccw_addr: u32, ccw: Ccw) {
        self.ccw_addr = ccw_addr;
        self.ccw = ccw;
        self.count = ccw.count;
        self.addr = ccw.addr;
        self.idaw_addr = ccw.addr;
        self.idaw_valid = false;
        self.first_idaw = true;
    }

    fn stopped(&self) -> bool {
        self.chan != 0
    }

    fn fail(&mut self, f: Fault) {
        self.chan |= f.chan;
        if f.csw_addr != self.ccw_addr.wrapping_add(8) & 0x00FF_FFFF {
            self.fault_addr = Some(f.csw_addr);
        }
    }
}

/// The [`DataPath`] handed to a device: the cursor, the chain (for data chaining) and storage.
pub(super) struct Path<'a> {
    pub chain: &'a mut Chain,
    pub cur: &'a mut Cursor,
    pub mem: &'a mut dyn ChannelMemory,
}

/// The device's side of one transfer.
enum Buf<'b> {
    /// Input: bytes from the device to store.
    In(&'b [u8]),
    /// Output: room for bytes fetched for the device.
    Out(&'b mut [u8]),
}

impl Buf<'_> {
    fn len(&self) -> usize {
        match self {
            Buf::In(b) => b.len(),
            Buf::Out(b) => b.len(),
        }
    }
}

impl Path<'_> {
    /// Fetches the IDAW for the next data byte.
    fn next_idaw(&mut self) -> Result<(), Fault> {
        let here = self.cur.ccw_addr.wrapping_add(8);
        let mut b = [0u8; 4];
        self.mem
            .fetch(self.cur.idaw_addr, &mut b, self.chain.key)
            .map_err(|e| Fault::access(e, here))?;
        let w = u32::from_be_bytes(b);
        let backward = self.cur.kind == CommandKind::ReadBackward;
        let misplaced = !self.cur.first_idaw
            && if backward { w & (BLOCK - 1) != BLOCK - 1 } else { w & (BLOCK - 1) != 0 };
        if w & 0xFF00_0000 != 0 || misplaced {
            return Err(Fault::program(here));
        }
        self.cur.addr = w;
        self.cur.idaw_addr = self.cur.idaw_addr.wrapping_add(4) & 0x00FF_FFFF;
        self.cur.first_idaw = false;
        self.cur.idaw_valid = true;
        Ok(())
    }

    /// Continues the data area with the next CCW (data chaining).
    fn data_chain(&mut self) -> Result<(), Fault> {
        let next = self.cur.ccw_addr.wrapping_add(8);
        let (a, ccw) = self.chain.fetch(self.mem, next, true)?;
        self.cur.load(a, ccw);
        Ok(())
    }

    /// Moves bytes between the device and the data area; returns how many moved.
    fn transfer(&mut self, mut buf: Buf<'_>) -> usize {
        // Any call, even an empty one, means the command has a data phase (not immediate).
        self.cur.touched = true;
        let n = buf.len();
        let backward = self.cur.kind == CommandKind::ReadBackward;
        let mut done = 0usize;
        while done < n && !self.cur.stopped() {
            if self.cur.count == 0 {
                if !self.cur.ccw.has(flag::CD) {
                    self.cur.wanted_more = true;
                    break;
                }
                if let Err(f) = self.data_chain() {
                    self.cur.fail(f);
                    break;
                }
                continue;
            }
            let skip = self.cur.kind.is_input() && self.cur.ccw.has(flag::SKIP);
            let ida = self.cur.ccw.has(flag::IDA);
            if !skip
                && ida
                && !self.cur.idaw_valid
                && let Err(f) = self.next_idaw()
            {
                self.cur.fail(f);
                break;
            }
            let off = self.cur.addr & (BLOCK - 1);
            let room = if backward { off + 1 } else { BLOCK - off } as usize;
            let len = (n - done).min(usize::from(self.cur.count)).min(room);
            if !skip {
                let key = self.chain.key;
                let r = match &mut buf {
                    Buf::In(data) if backward => {
                        let chunk: Vec<u8> = data[done..done + len].iter().rev().copied().collect();
                        let low = self.cur.addr.wrapping_sub(len as u32 - 1) & 0x00FF_FFFF;
                        self.mem.store(low, &chunk, key)
                    }
                    Buf::In(data) => self.mem.store(self.cur.addr, &data[done..done + len], key),
                    Buf::Out(out) => self.mem.fetch(self.cur.addr, &mut out[done..done + len], key),
                };
                if let Err(e) = r {
                    let here = self.cur.ccw_addr.wrapping_add(8);
                    self.cur.fail(Fault::access(e, here));
                    break;
                }
            }
            self.cur.addr = if backward {
                self.cur.addr.wrapping_sub(len as u32)
            } else {
                self.cur.addr.wrapping_add(len as u32)
            } & 0x00FF_FFFF;
            self.cur.count -= len as u16;
            done += len;
            if ida && !skip && len == room {
                self.cur.idaw_valid = false;
            }
        }
        if done > 0 {
            self.chain.tics = 0;
        }
        // The channel chains data as soon as a count is exhausted (PoO, "Data Chaining").
        if self.cur.count == 0
            && self.cur.ccw.has(flag::CD)
            && !self.cur.stopped()
            && let Err(f) = self.data_chain()
        {
            self.cur.fail(f);
        }
        done
    }
}

impl DataPath for Path<'_> {
    fn get(&mut self, buf: &mut [u8]) -> usize {
        if self.cur.kind.is_input() {
            return 0;
        }
        self.transfer(Buf::Out(buf))
    }

    fn put(&mut self, data: &[u8]) -> usize {
        if !self.cur.kind.is_input() {
            return 0;
        }
        self.transfer(Buf::In(data))
    }

    fn remaining(&self) -> usize {
        if self.cur.stopped() { 0 } else { usize::from(self.cur.count) }
    }
}
