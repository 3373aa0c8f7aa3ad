//! Logical operations, moves, comparisons, translation and the long instructions
//! (PoO "General Instructions").
//!
//! Storage-to-storage instructions resolve both operands ([`Span`]) before changing
//! anything, so an access exception suppresses or nullifies them cleanly, and then work
//! byte by byte, left to right, as the architecture defines overlapping operands.
//!
//! [`Span`]: crate::cpu::Span

use crate::cpu::{Cpu, ExecResult, Stop};
use crate::format::{Rr, Rs, S, Si, Ss};
use crate::insn::fixed::{cc_compare, even, pair, set_pair, shift_amount};
use crate::interrupt::pic;

/// Bytes MVCL or CLCL process in one execution before the instruction is re-executed
/// (an invisible interruption point that keeps [`Cpu::run`] bounded).
const LONG_CHUNK: u32 = 64 * 1024;

/// CC of a logical result: 0 zero, 1 nonzero.
#[inline(always)]
fn cc_zero(v: u32) -> u8 {
    u8::from(v != 0)
}

/// 14 NR — And [RR]
#[inline]
pub(crate) fn nr(cpu: &mut Cpu, i: Rr) -> ExecResult {
    let v = cpu.gpr[i.r1] & cpu.gpr[i.r2];
    cpu.gpr[i.r1] = v;
    cpu.psw.cc = cc_zero(v);
    Ok(())
}

/// 15 CLR — Compare Logical [RR]
#[inline]
pub(crate) fn clr(cpu: &mut Cpu, i: Rr) -> ExecResult {
    cpu.psw.cc = cc_compare(cpu.gpr[i.r1], cpu.gpr[i.r2]);
    Ok(())
}

/// 16 OR — Or [RR]
#[inline]
pub(crate) fn or(cpu: &mut Cpu, i: Rr) -> ExecResult {
    let v = cpu.gpr[i.r1] | cpu.gpr[i.r2];
    cpu.gpr[i.r1] = v;
    cpu.psw.cc = cc_zero(v);
    Ok(())
}

/// 17 XR — Exclusive Or [RR]
#[inline]
pub(crate) fn xr(cpu: &mut Cpu, i: Rr) -> ExecResult {
    let v = cpu.gpr[i.r1] ^ cpu.gpr[i.r2];
    cpu.gpr[i.r1] = v;
    cpu.psw.cc = cc_zero(v);
    Ok(())
}

/// The fullword operand of an RX instruction.
#[inline(always)]
fn word(cpu: &mut Cpu, i: crate::format::Rx) -> Result<u32, Stop> {
    let a = cpu.ea(i.x2, i.b2, i.d2);
    cpu.read_u32(a)
}

/// 54 N — And [RX]
#[inline]
pub(crate) fn n(cpu: &mut Cpu, i: crate::format::Rx) -> ExecResult {
    let v = cpu.gpr[i.r1] & word(cpu, i)?;
    cpu.gpr[i.r1] = v;
    cpu.psw.cc = cc_zero(v);
    Ok(())
}

/// 55 CL — Compare Logical [RX]
#[inline]
pub(crate) fn cl(cpu: &mut Cpu, i: crate::format::Rx) -> ExecResult {
    let w = word(cpu, i)?;
    cpu.psw.cc = cc_compare(cpu.gpr[i.r1], w);
    Ok(())
}

/// 56 O — Or [RX]
#[inline]
pub(crate) fn o(cpu: &mut Cpu, i: crate::format::Rx) -> ExecResult {
    let v = cpu.gpr[i.r1] | word(cpu, i)?;
    cpu.gpr[i.r1] = v;
    cpu.psw.cc = cc_zero(v);
    Ok(())
}

/// 57 X — Exclusive Or [RX]
#[inline]
pub(crate) fn x(cpu: &mut Cpu, i: crate::format::Rx) -> ExecResult {
    let v = cpu.gpr[i.r1] ^ word(cpu, i)?;
    cpu.gpr[i.r1] = v;
    cpu.psw.cc = cc_zero(v);
    Ok(())
}

/// 88 SRL — Shift Right Single Logical [RS]
#[inline]
pub(crate) fn srl(cpu: &mut Cpu, i: Rs) -> ExecResult {
    let n = shift_amount(cpu, i);
    cpu.gpr[i.r1] = cpu.gpr[i.r1].checked_shr(n).unwrap_or(0);
    Ok(())
}

/// 89 SLL — Shift Left Single Logical [RS]
#[inline]
pub(crate) fn sll(cpu: &mut Cpu, i: Rs) -> ExecResult {
    let n = shift_amount(cpu, i);
    cpu.gpr[i.r1] = cpu.gpr[i.r1].checked_shl(n).unwrap_or(0);
    Ok(())
}

/// 8C SRDL — Shift Right Double Logical [RS]
#[inline]
pub(crate) fn srdl(cpu: &mut Cpu, i: Rs) -> ExecResult {
    even(i.r1)?;
    let n = shift_amount(cpu, i);
    let v = pair(cpu, i.r1) >> n;
    set_pair(cpu, i.r1, v);
    Ok(())
}

/// 8D SLDL — Shift Left Double Logical [RS]
#[inline]
pub(crate) fn sldl(cpu: &mut Cpu, i: Rs) -> ExecResult {
    even(i.r1)?;
    let n = shift_amount(cpu, i);
    let v = pair(cpu, i.r1) << n;
    set_pair(cpu, i.r1, v);
    Ok(())
}

/// 91 TM — Test under Mask [SI]: CC 0 selected bits all zero (or mask zero), 1 mixed,
/// 3 all ones.
#[inline]
pub(crate) fn tm(cpu: &mut Cpu, i: Si) -> ExecResult {
    let a = cpu.ea(0, i.b1, i.d1);
    let v = cpu.read_u8(a)? & i.i2;
    cpu.psw.cc = if v == 0 {
        0
    } else if v == i.i2 {
        3
    } else {
        1
    };
    Ok(())
}

/// 92 MVI — Move Immediate [SI]
#[inline]
pub(crate) fn mvi(cpu: &mut Cpu, i: Si) -> ExecResult {
    let a = cpu.ea(0, i.b1, i.d1);
    cpu.write_u8(a, i.i2)
}

/// 93 TS — Test and Set [S]: CC = the leftmost bit of the byte, which is set to all ones.
#[inline]
pub(crate) fn ts(cpu: &mut Cpu, i: S) -> ExecResult {
    let a = cpu.ea(0, i.b2, i.d2);
    let at = cpu.resolve(a, true)?;
    let v = cpu.abs_byte(at);
    cpu.set_abs_byte(at, 0xFF);
    cpu.psw.cc = v >> 7;
    Ok(())
}

/// An SI logical operation: store `f(byte, i2)` and set CC 0 zero / 1 nonzero.
#[inline(always)]
fn si_logical(cpu: &mut Cpu, i: Si, f: fn(u8, u8) -> u8) -> ExecResult {
    let a = cpu.ea(0, i.b1, i.d1);
    let at = cpu.resolve(a, true)?;
    let v = f(cpu.abs_byte(at), i.i2);
    cpu.set_abs_byte(at, v);
    cpu.psw.cc = u8::from(v != 0);
    Ok(())
}

/// 94 NI — And Immediate [SI]
#[inline]
pub(crate) fn ni(cpu: &mut Cpu, i: Si) -> ExecResult {
    si_logical(cpu, i, |a, b| a & b)
}

/// 95 CLI — Compare Logical Immediate [SI]
#[inline]
pub(crate) fn cli(cpu: &mut Cpu, i: Si) -> ExecResult {
    let a = cpu.ea(0, i.b1, i.d1);
    let v = cpu.read_u8(a)?;
    cpu.psw.cc = cc_compare(v, i.i2);
    Ok(())
}

/// 96 OI — Or Immediate [SI]
#[inline]
pub(crate) fn oi(cpu: &mut Cpu, i: Si) -> ExecResult {
    si_logical(cpu, i, |a, b| a | b)
}

/// 97 XI — Exclusive Or Immediate [SI]
#[inline]
pub(crate) fn xi(cpu: &mut Cpu, i: Si) -> ExecResult {
    si_logical(cpu, i, |a, b| a ^ b)
}

/// BA CS — Compare and Swap [RS]: the second operand must be on a word boundary.
#[inline]
pub(crate) fn cs(cpu: &mut Cpu, i: Rs) -> ExecResult {
    let a = cpu.ea(0, i.b2, i.d2);
    if a & 3 != 0 {
        return Err(Stop::Program(pic::SPECIFICATION));
    }
    cpu.check_store(a, 4)?;
    let v = cpu.read_u32(a)?;
    if v == cpu.gpr[i.r1] {
        cpu.write_u32(a, cpu.gpr[i.r3])?;
        cpu.psw.cc = 0;
    } else {
        cpu.gpr[i.r1] = v;
        cpu.psw.cc = 1;
    }
    Ok(())
}

/// BB CDS — Compare Double and Swap [RS]: R1 and R3 even, the operand on a doubleword
/// boundary.
#[inline]
pub(crate) fn cds(cpu: &mut Cpu, i: Rs) -> ExecResult {
    let a = cpu.ea(0, i.b2, i.d2);
    if i.r1 & 1 != 0 || i.r3 & 1 != 0 || a & 7 != 0 {
        return Err(Stop::Program(pic::SPECIFICATION));
    }
    cpu.check_store(a, 8)?;
    let v = cpu.read_u64(a)?;
    if v == pair(cpu, i.r1) {
        let n = pair(cpu, i.r3);
        cpu.write_u64(a, n)?;
        cpu.psw.cc = 0;
    } else {
        set_pair(cpu, i.r1, v);
        cpu.psw.cc = 1;
    }
    Ok(())
}

/// The bytes of R1 that mask M3 selects, left to right.
fn masked_bytes(v: u32, m: usize) -> ([u8; 4], usize) {
    let b = v.to_be_bytes();
    let mut out = [0u8; 4];
    let mut n = 0;
    for (k, &byte) in b.iter().enumerate() {
        if m & (8 >> k) != 0 {
            out[n] = byte;
            n += 1;
        }
    }
    (out, n)
}

/// BD CLM — Compare Logical Characters under Mask [RS]
#[inline]
pub(crate) fn clm(cpu: &mut Cpu, i: Rs) -> ExecResult {
    let a = cpu.ea(0, i.b2, i.d2);
    let (bytes, n) = masked_bytes(cpu.gpr[i.r1], i.r3);
    if n == 0 {
        cpu.read_u8(a)?;
    }
    let mut cc = 0;
    for (k, &r) in bytes[..n].iter().enumerate() {
        let v = cpu.read_u8(a.wrapping_add(k as u32))?;
        if r != v {
            cc = if r < v { 1 } else { 2 };
            break;
        }
    }
    cpu.psw.cc = cc;
    Ok(())
}

/// BE STCM — Store Characters under Mask [RS]
#[inline]
pub(crate) fn stcm(cpu: &mut Cpu, i: Rs) -> ExecResult {
    let a = cpu.ea(0, i.b2, i.d2);
    let (bytes, n) = masked_bytes(cpu.gpr[i.r1], i.r3);
    if n == 0 {
        return Ok(());
    }
    cpu.write_bytes(a, &bytes[..n])
}

/// BF ICM — Insert Characters under Mask [RS]: CC 0 all inserted bits zero (or mask
/// zero), 1 leftmost inserted bit one, 2 otherwise.
#[inline]
pub(crate) fn icm(cpu: &mut Cpu, i: Rs) -> ExecResult {
    let a = cpu.ea(0, i.b2, i.d2);
    let m = i.r3;
    let count = m.count_ones() as usize;
    let mut buf = [0u8; 4];
    if count == 0 {
        cpu.read_u8(a)?;
        cpu.psw.cc = 0;
        return Ok(());
    }
    cpu.read_bytes(a, &mut buf[..count])?;
    let mut r = cpu.gpr[i.r1].to_be_bytes();
    let mut k = 0;
    for (pos, byte) in r.iter_mut().enumerate() {
        if m & (8 >> pos) != 0 {
            *byte = buf[k];
            k += 1;
        }
    }
    cpu.gpr[i.r1] = u32::from_be_bytes(r);
    cpu.psw.cc = if buf[..count].iter().all(|&b| b == 0) {
        0
    } else if buf[0] & 0x80 != 0 {
        1
    } else {
        2
    };
    Ok(())
}

/// The two operands of an SS instruction with one length: first for store (or fetch
/// only), then second for fetch.
#[inline(always)]
fn ss_spans(
    cpu: &mut Cpu,
    i: Ss,
    store1: bool,
) -> Result<(crate::cpu::Span, crate::cpu::Span, usize), Stop> {
    let n = usize::from(i.l) + 1;
    let a1 = cpu.ea(0, i.b1, i.d1);
    let a2 = cpu.ea(0, i.b2, i.d2);
    let d = cpu.span(a1, n, store1)?;
    let s = cpu.span(a2, n, false)?;
    Ok((d, s, n))
}

/// D1 MVN — Move Numerics [SS]
#[inline]
pub(crate) fn mvn(cpu: &mut Cpu, i: Ss) -> ExecResult {
    let (d, s, n) = ss_spans(cpu, i, true)?;
    cpu.combine(d, s, n, |a, b| (a & 0xF0) | (b & 0x0F));
    Ok(())
}

/// D2 MVC — Move Characters [SS]: byte by byte, left to right (an operand one byte to
/// the right of the source propagates its first byte).
#[inline]
pub(crate) fn mvc(cpu: &mut Cpu, i: Ss) -> ExecResult {
    let (d, s, n) = ss_spans(cpu, i, true)?;
    if d.contiguous(n) && s.contiguous(n) && (d.a <= s.a || d.a >= s.a + n) {
        if d.a + n <= cpu.storage.size() && s.a + n <= cpu.storage.size() {
            cpu.storage.touch(d.a, n);
            cpu.storage.mem.copy_within(s.a..s.a + n, d.a);
        }
        return Ok(());
    }
    for k in 0..n {
        let v = cpu.abs_byte(s.at(k));
        cpu.set_abs_byte(d.at(k), v);
    }
    Ok(())
}

/// D3 MVZ — Move Zones [SS]
#[inline]
pub(crate) fn mvz(cpu: &mut Cpu, i: Ss) -> ExecResult {
    let (d, s, n) = ss_spans(cpu, i, true)?;
    cpu.combine(d, s, n, |a, b| (a & 0x0F) | (b & 0xF0));
    Ok(())
}

/// An SS logical operation: op1 = f(op1, op2) byte by byte; CC 0 all zero, 1 otherwise.
#[inline(always)]
fn ss_logical(cpu: &mut Cpu, i: Ss, f: fn(u8, u8) -> u8) -> ExecResult {
    let (d, s, n) = ss_spans(cpu, i, true)?;
    let any = cpu.combine(d, s, n, f);
    cpu.psw.cc = u8::from(any != 0);
    Ok(())
}

/// D4 NC — And Characters [SS]
#[inline]
pub(crate) fn nc(cpu: &mut Cpu, i: Ss) -> ExecResult {
    ss_logical(cpu, i, |a, b| a & b)
}

/// D5 CLC — Compare Logical Characters [SS]
#[inline]
pub(crate) fn clc(cpu: &mut Cpu, i: Ss) -> ExecResult {
    let (d, s, n) = ss_spans(cpu, i, false)?;
    let mut cc = 0;
    if d.contiguous(n) && s.contiguous(n) {
        let m = &cpu.storage.mem;
        if let (Some(x), Some(y)) = (m.get(d.a..d.a + n), m.get(s.a..s.a + n)) {
            cc = cc_compare(x, y);
        }
    } else {
        for k in 0..n {
            let (x, y) = (cpu.abs_byte(d.at(k)), cpu.abs_byte(s.at(k)));
            if x != y {
                cc = if x < y { 1 } else { 2 };
                break;
            }
        }
    }
    cpu.psw.cc = cc;
    Ok(())
}

/// D6 OC — Or Characters [SS]
#[inline]
pub(crate) fn oc(cpu: &mut Cpu, i: Ss) -> ExecResult {
    ss_logical(cpu, i, |a, b| a | b)
}

/// D7 XC — Exclusive Or Characters [SS]
#[inline]
pub(crate) fn xc(cpu: &mut Cpu, i: Ss) -> ExecResult {
    ss_logical(cpu, i, |a, b| a ^ b)
}

/// The 256-byte table of TR and TRT: resolved whole when it is all accessible; otherwise
/// only the bytes used are checked, as they are used.
fn table(cpu: &mut Cpu, a2: u32) -> Option<crate::cpu::Span> {
    cpu.span(a2, 256, false).ok()
}

/// A byte of a TR/TRT table.
#[inline(always)]
fn table_byte(cpu: &mut Cpu, t: &Option<crate::cpu::Span>, a2: u32, arg: u8) -> Result<u8, Stop> {
    match t {
        Some(s) => Ok(cpu.abs_byte(s.at(usize::from(arg)))),
        None => cpu.read_u8(a2.wrapping_add(u32::from(arg))),
    }
}

/// DC TR — Translate [SS]
#[inline]
pub(crate) fn tr(cpu: &mut Cpu, i: Ss) -> ExecResult {
    let n = usize::from(i.l) + 1;
    let a1 = cpu.ea(0, i.b1, i.d1);
    let a2 = cpu.ea(0, i.b2, i.d2);
    let d = cpu.span(a1, n, true)?;
    let t = table(cpu, a2);
    if t.is_none() {
        // Check every table byte this operand will use before storing any.
        for k in 0..n {
            let arg = cpu.abs_byte(d.at(k));
            cpu.read_u8(a2.wrapping_add(u32::from(arg)))?;
        }
    }
    if let Some(t) = t {
        cpu.translate_span(d, t, n);
        return Ok(());
    }
    for k in 0..n {
        let arg = cpu.abs_byte(d.at(k));
        let v = table_byte(cpu, &t, a2, arg)?;
        cpu.set_abs_byte(d.at(k), v);
    }
    Ok(())
}

/// DD TRT — Translate and Test [SS]: the first nonzero function byte goes to R2 bits
/// 24-31 and its argument's address to R1 bits 8-31; CC 0 none, 1 before the last byte,
/// 2 on the last byte.
#[inline]
pub(crate) fn trt(cpu: &mut Cpu, i: Ss) -> ExecResult {
    let n = usize::from(i.l) + 1;
    let a1 = cpu.ea(0, i.b1, i.d1);
    let a2 = cpu.ea(0, i.b2, i.d2);
    let d = cpu.span(a1, n, false)?;
    let t = table(cpu, a2);
    for k in 0..n {
        let arg = cpu.abs_byte(d.at(k));
        let f = table_byte(cpu, &t, a2, arg)?;
        if f != 0 {
            cpu.gpr[1] = (cpu.gpr[1] & 0xFF00_0000) | (a1.wrapping_add(k as u32) & 0x00FF_FFFF);
            cpu.gpr[2] = (cpu.gpr[2] & 0xFFFF_FF00) | u32::from(f);
            cpu.psw.cc = if k + 1 == n { 2 } else { 1 };
            return Ok(());
        }
    }
    cpu.psw.cc = 0;
    Ok(())
}

/// Backs the instruction address up to the interrupted long instruction (or its
/// EXECUTE), so that it is executed again from where its registers now point.
fn reexecute(cpu: &mut Cpu) {
    let back = 2 * cpu.ilc_of(2);
    cpu.psw.ia = cpu.psw.ia.wrapping_sub(back) & 0x00FF_FFFF;
}

/// 0E MVCL — Move Long [RR]: R1/R1+1 destination address and length, R2/R2+1 source
/// address, padding byte and length. CC 0 equal lengths, 1 first shorter, 2 first longer,
/// 3 destructive overlap (nothing moved). The registers follow the progress, so an
/// access exception or interruption leaves a restartable state.
#[inline]
pub(crate) fn mvcl(cpu: &mut Cpu, i: Rr) -> ExecResult {
    if i.r1 & 1 != 0 || i.r2 & 1 != 0 {
        return Err(Stop::Program(pic::SPECIFICATION));
    }
    let (r1, r2) = (i.r1, i.r2);
    let mut a1 = cpu.gpr[r1] & 0x00FF_FFFF;
    let mut a2 = cpu.gpr[r2] & 0x00FF_FFFF;
    let mut l1 = cpu.gpr[r1 + 1] & 0x00FF_FFFF;
    let mut l2 = cpu.gpr[r2 + 1] & 0x00FF_FFFF;
    let pad = (cpu.gpr[r2 + 1] >> 24) as u8;
    if l1 > 1 && l2 > 1 {
        let end = (a2 + l2.min(l1) - 1) & 0x00FF_FFFF;
        let overlap = if end > a2 { a1 > a2 && a1 <= end } else { a1 > a2 || a1 <= end };
        if overlap {
            cpu.gpr[r1] = a1;
            cpu.gpr[r2] = a2;
            cpu.psw.cc = 3;
            return Ok(());
        }
    }
    // The condition code is set once the first unit is known to be accessible: an
    // access exception there suppresses the instruction, CC included.
    let cc = cc_compare(l1, l2);
    if l1 > 0 {
        if l2 > 0 {
            cpu.resolve(a2, false)?;
        }
        cpu.resolve(a1, true)?;
    }
    cpu.psw.cc = cc;
    cpu.gpr[r1] = a1;
    cpu.gpr[r2] = a2;
    let mut budget = LONG_CHUNK;
    while l1 > 0 {
        if budget == 0 {
            reexecute(cpu);
            return Ok(());
        }
        let room1 = 0x800 - (a1 & 0x7FF);
        let mut n = l1.min(room1).min(budget);
        if l2 > 0 {
            n = n.min(l2).min(0x800 - (a2 & 0x7FF));
            let s = cpu.resolve(a2, false)?;
            let d = cpu.resolve_n(a1, true, n as usize)?;
            let (s, d, k) = (s, d, n as usize);
            if s + k <= cpu.storage.size() && d + k <= cpu.storage.size() {
                cpu.storage.touch(d, k);
                cpu.storage.mem.copy_within(s..s + k, d);
            }
            a2 = (a2 + n) & 0x00FF_FFFF;
            l2 -= n;
        } else {
            let d = cpu.resolve_n(a1, true, n as usize)?;
            let k = n as usize;
            cpu.storage.touch(d, k);
            if let Some(dst) = cpu.storage.mem.get_mut(d..d + k) {
                dst.fill(pad);
            }
        }
        a1 = (a1 + n) & 0x00FF_FFFF;
        l1 -= n;
        budget -= n;
        cpu.gpr[r1] = a1;
        cpu.gpr[r2] = a2;
        cpu.gpr[r1 + 1] = (cpu.gpr[r1 + 1] & 0xFF00_0000) | l1;
        cpu.gpr[r2 + 1] = (cpu.gpr[r2 + 1] & 0xFF00_0000) | l2;
    }
    Ok(())
}

/// 0F CLCL — Compare Logical Long [RR]: the shorter operand is extended with the padding
/// byte (R2+1 bits 0-7). CC 0 equal, 1 first low, 2 first high; the registers point at the
/// first unequal byte.
#[inline]
pub(crate) fn clcl(cpu: &mut Cpu, i: Rr) -> ExecResult {
    if i.r1 & 1 != 0 || i.r2 & 1 != 0 {
        return Err(Stop::Program(pic::SPECIFICATION));
    }
    let (r1, r2) = (i.r1, i.r2);
    let mut a1 = cpu.gpr[r1] & 0x00FF_FFFF;
    let mut a2 = cpu.gpr[r2] & 0x00FF_FFFF;
    let mut l1 = cpu.gpr[r1 + 1] & 0x00FF_FFFF;
    let mut l2 = cpu.gpr[r2 + 1] & 0x00FF_FFFF;
    let pad = (cpu.gpr[r2 + 1] >> 24) as u8;
    let mut budget = LONG_CHUNK;
    let mut cc = 0;
    while l1 > 0 || l2 > 0 {
        if budget == 0 {
            reexecute(cpu);
            break;
        }
        let x = if l1 > 0 {
            let at = cpu.resolve(a1, false)?;
            cpu.abs_byte(at)
        } else {
            pad
        };
        let y = if l2 > 0 {
            let at = cpu.resolve(a2, false)?;
            cpu.abs_byte(at)
        } else {
            pad
        };
        if x != y {
            cc = if x < y { 1 } else { 2 };
            break;
        }
        if l1 > 0 {
            a1 = (a1 + 1) & 0x00FF_FFFF;
            l1 -= 1;
        }
        if l2 > 0 {
            a2 = (a2 + 1) & 0x00FF_FFFF;
            l2 -= 1;
        }
        budget -= 1;
        // Keep the registers current: an access exception on the next byte must leave a
        // restartable state.
        cpu.gpr[r1] = a1;
        cpu.gpr[r2] = a2;
        cpu.gpr[r1 + 1] = (cpu.gpr[r1 + 1] & 0xFF00_0000) | l1;
        cpu.gpr[r2 + 1] = (cpu.gpr[r2 + 1] & 0xFF00_0000) | l2;
    }
    cpu.gpr[r1] = a1;
    cpu.gpr[r2] = a2;
    cpu.psw.cc = cc;
    Ok(())
}
