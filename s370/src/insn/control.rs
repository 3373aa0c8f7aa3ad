//! Control instructions: PSW, storage keys, control registers, clocks, prefixing, DAT
//! (PoO "Control Instructions").
//!
//! The privileged-operation check (and the interception in interpretive execution) is
//! done before these handlers run, by the opcode table (`Cpu::privileged`), except for
//! DIAGNOSE (always an exit) and the semiprivileged SPKA and IPK.

use crate::cpu::{Cpu, ExecResult, Exit, Stop};
use crate::format::{Rr, Rs, Rx, S, Si};
use crate::insn::fixed::reg_range;
use crate::interrupt::pic;
use crate::psw::Psw;

/// Control register 0 bit 1: SSM suppression.
const CR0_SSM_SUPPRESS: u32 = 0x4000_0000;
/// Control register 0 bit 4: extraction authority (IPK in the problem state).
const CR0_EXTRACTION: u32 = 0x0800_0000;

/// A specification exception unless `a` is a multiple of `n`.
#[inline(always)]
fn aligned(a: u32, n: u32) -> ExecResult {
    if a & (n - 1) != 0 { Err(Stop::Program(pic::SPECIFICATION)) } else { Ok(()) }
}

/// Makes `p` (with a new system mask) the current PSW and ends the burst so that
/// interruptions are looked at with the new masks. An invalid EC-mode mask is a
/// specification exception reported with this instruction's ILC (2), the PSW with the
/// new mask and the updated instruction address as the old PSW (as Hercules 3.13 does).
fn new_psw(cpu: &mut Cpu, p: Psw) -> ExecResult {
    let (_, valid) = Psw::from_bytes(p.to_bytes());
    cpu.set_psw(p);
    if !valid {
        return Err(Stop::Program(pic::SPECIFICATION));
    }
    Err(Stop::Break)
}

/// 04 SPM — Set Program Mask [RR]: CC and program mask from R1 bits 2-7.
#[inline]
pub(crate) fn spm(cpu: &mut Cpu, i: Rr) -> ExecResult {
    let v = cpu.gpr[i.r1];
    cpu.psw.cc = ((v >> 28) & 3) as u8;
    cpu.psw.progmask = ((v >> 24) & 15) as u8;
    Ok(())
}

/// The absolute address of the 2K block a key instruction designates (real address,
/// prefixed), or an addressing exception.
fn key_block(cpu: &Cpu, real: u32) -> Result<u32, Stop> {
    let abs = cpu.real_to_absolute(real & 0x00FF_F800);
    if abs as usize >= cpu.storage.size() {
        return Err(Stop::Program(pic::ADDRESSING));
    }
    Ok(abs)
}

/// 08 SSK — Set Storage Key [RR]: R1 bits 24-30 become the key of the 2K block R2
/// designates (bits 28-31 of R2 must be zero).
#[inline]
pub(crate) fn ssk(cpu: &mut Cpu, i: Rr) -> ExecResult {
    let r2 = cpu.gpr[i.r2];
    if r2 & 0xF != 0 {
        return Err(Stop::Program(pic::SPECIFICATION));
    }
    let abs = key_block(cpu, r2)?;
    cpu.storage.set_key(abs, cpu.gpr[i.r1] as u8);
    cpu.sync_context();
    // Cached access rights (and decoded instructions) were made under the old key.
    Err(Stop::Break)
}

/// 09 ISK — Insert Storage Key [RR]: the key of the block R2 designates into R1 bits
/// 24-31 (bit 31 zero).
#[inline]
pub(crate) fn isk(cpu: &mut Cpu, i: Rr) -> ExecResult {
    let r2 = cpu.gpr[i.r2];
    if r2 & 0xF != 0 {
        return Err(Stop::Program(pic::SPECIFICATION));
    }
    let abs = key_block(cpu, r2)?;
    let k = cpu.storage.key(abs) & 0xFE;
    cpu.gpr[i.r1] = (cpu.gpr[i.r1] & 0xFFFF_FF00) | u32::from(k);
    Ok(())
}

/// 80 SSM — Set System Mask [S]
#[inline]
pub(crate) fn ssm(cpu: &mut Cpu, i: S) -> ExecResult {
    if cpu.cr[0] & CR0_SSM_SUPPRESS != 0 {
        return Err(Stop::Program(pic::SPECIAL_OPERATION));
    }
    let a = cpu.ea(0, i.b2, i.d2);
    let m = cpu.read_u8(a)?;
    let mut p = cpu.psw;
    p.sysmask = m;
    new_psw(cpu, p)
}

/// 82 LPSW — Load PSW [S]: the doubleword operand becomes the current PSW.
#[inline]
pub(crate) fn lpsw(cpu: &mut Cpu, i: S) -> ExecResult {
    let a = cpu.ea(0, i.b2, i.d2);
    aligned(a, 8)?;
    let v = cpu.read_u64(a)?;
    cpu.set_psw_bytes(v.to_be_bytes());
    Err(Stop::Break)
}

/// 83 DIAGNOSE [RS]: in the supervisor state, handed to the caller ([`Exit::Diagnose`]).
#[inline]
pub(crate) fn diagnose(cpu: &mut Cpu, i: Rs) -> ExecResult {
    if cpu.psw.problem {
        return Err(Stop::Program(pic::PRIVILEGED));
    }
    let code = cpu.ea(0, i.b2, i.d2);
    cpu.exit = Some(Exit::Diagnose { r1: i.r1, r3: i.r3, code });
    cpu.counters.diagnose += 1;
    Err(Stop::Exit)
}

/// 84 WRD — Write Direct [SI]: the direct-control feature is not installed (operation
/// exception, as in Hercules).
#[inline]
pub(crate) fn wrd(_cpu: &mut Cpu, _i: Si) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 85 RDD — Read Direct [SI]: not installed (operation exception).
#[inline]
pub(crate) fn rdd(_cpu: &mut Cpu, _i: Si) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// AC STNSM — Store Then AND System Mask [SI]
#[inline]
pub(crate) fn stnsm(cpu: &mut Cpu, i: Si) -> ExecResult {
    let a = cpu.ea(0, i.b1, i.d1);
    cpu.write_u8(a, cpu.psw.sysmask)?;
    let mut p = cpu.psw;
    p.sysmask &= i.i2;
    new_psw(cpu, p)
}

/// AD STOSM — Store Then OR System Mask [SI]
#[inline]
pub(crate) fn stosm(cpu: &mut Cpu, i: Si) -> ExecResult {
    let a = cpu.ea(0, i.b1, i.d1);
    cpu.write_u8(a, cpu.psw.sysmask)?;
    let mut p = cpu.psw;
    p.sysmask |= i.i2;
    new_psw(cpu, p)
}

/// AE SIGP — Signal Processor [RS]: this is a uniprocessor at CPU address 0. Any other
/// address is not operational (CC 3). To itself: sense (CC 0), external call, emergency
/// signal and restart are accepted (CC 0); other orders give "invalid order" status
/// (R1 bit 30, CC 1).
#[inline]
pub(crate) fn sigp(cpu: &mut Cpu, i: Rs) -> ExecResult {
    let order = cpu.ea(0, i.b2, i.d2) & 0xFF;
    let target = cpu.gpr[i.r3] & 0xFFFF;
    if target != 0 {
        cpu.psw.cc = 3;
        return Ok(());
    }
    match order {
        0x01 => cpu.psw.cc = 0,
        0x02 => {
            cpu.post_external(0x1202);
            cpu.psw.cc = 0;
        }
        0x03 => {
            cpu.post_external(0x1201);
            cpu.psw.cc = 0;
        }
        0x06 => {
            cpu.restart();
            cpu.psw.cc = 0;
        }
        _ => {
            cpu.gpr[i.r1] = 0x0000_0002;
            cpu.psw.cc = 1;
        }
    }
    Err(Stop::Break)
}

/// AF MC — Monitor Call [SI]: a monitor event (program interruption X'40') when the CR8
/// mask bit of class I2 (bits 12-15; bits 8-11 must be zero) is one.
#[inline]
pub(crate) fn mc(cpu: &mut Cpu, i: Si) -> ExecResult {
    if i.i2 > 0x0F {
        return Err(Stop::Program(pic::SPECIFICATION));
    }
    let a = cpu.ea(0, i.b1, i.d1);
    if cpu.cr[8] & (0x8000 >> i.i2) != 0 {
        cpu.monitor = (i.i2, a);
        return Err(Stop::Program(pic::MONITOR_EVENT));
    }
    Ok(())
}

/// B1 LRA — Load Real Address [RX]: CC 0 translated (R1 = real address), 1 segment-table
/// entry invalid, 2 page-table entry invalid (R1 = the entry's address), 3 a table length
/// exceeded.
#[inline]
pub(crate) fn lra(cpu: &mut Cpu, i: Rx) -> ExecResult {
    use crate::cpu::DatFault;
    let a = cpu.ea(i.x2, i.b2, i.d2);
    let (cc, v) = match cpu.translate(a) {
        Ok(real) => (0, real),
        Err(DatFault::SegmentInvalid(e)) => (1, e),
        Err(DatFault::PageInvalid(e)) => (2, e),
        Err(DatFault::SegmentLength(e) | DatFault::PageLength(e)) => (3, e),
        Err(f @ (DatFault::Specification | DatFault::Addressing)) => {
            return Err(Stop::Program(f.code()));
        }
    };
    cpu.gpr[i.r1] = v & 0x00FF_FFFF;
    cpu.psw.cc = cc;
    Ok(())
}

/// B202 STIDP — Store CPU ID [S]
#[inline]
pub(crate) fn stidp(cpu: &mut Cpu, i: S) -> ExecResult {
    let a = cpu.ea(0, i.b2, i.d2);
    aligned(a, 8)?;
    cpu.write_u64(a, cpu.cpu_id)
}

/// B204 SCK — Set Clock [S]: CC 0 (the clock is always settable).
#[inline]
pub(crate) fn sck(cpu: &mut Cpu, i: S) -> ExecResult {
    let a = cpu.ea(0, i.b2, i.d2);
    aligned(a, 8)?;
    let v = cpu.read_u64(a)?;
    cpu.set_tod(v);
    cpu.psw.cc = 0;
    Err(Stop::Break)
}

/// B205 STCK — Store Clock [S]: CC 0 (set state); every value stored is unique.
#[inline]
pub(crate) fn stck(cpu: &mut Cpu, i: S) -> ExecResult {
    let a = cpu.ea(0, i.b2, i.d2);
    cpu.check_store(a, 8)?;
    let extra = cpu.burst_done();
    let t = cpu.clocks.stck(extra);
    cpu.write_u64(a, t)?;
    cpu.psw.cc = 0;
    Ok(())
}

/// B206 SCKC — Set Clock Comparator [S]
#[inline]
pub(crate) fn sckc(cpu: &mut Cpu, i: S) -> ExecResult {
    let a = cpu.ea(0, i.b2, i.d2);
    aligned(a, 8)?;
    // The comparator's resolution is bit 55 (1/16 µs), as in Hercules: bits 56-63 are
    // not kept (the PoO lets bits right of the resolution be ignored).
    cpu.clocks.ckc = cpu.read_u64(a)? & !0xFF;
    Err(Stop::Break)
}

/// B207 STCKC — Store Clock Comparator [S]
#[inline]
pub(crate) fn stckc(cpu: &mut Cpu, i: S) -> ExecResult {
    let a = cpu.ea(0, i.b2, i.d2);
    aligned(a, 8)?;
    cpu.write_u64(a, cpu.clocks.ckc)
}

/// B208 SPT — Set CPU Timer [S]
#[inline]
pub(crate) fn spt(cpu: &mut Cpu, i: S) -> ExecResult {
    let a = cpu.ea(0, i.b2, i.d2);
    aligned(a, 8)?;
    let v = cpu.read_u64(a)?;
    let extra = cpu.burst_done();
    cpu.clocks.set_cpu_timer(v, extra);
    Err(Stop::Break)
}

/// B209 STPT — Store CPU Timer [S]
#[inline]
pub(crate) fn stpt(cpu: &mut Cpu, i: S) -> ExecResult {
    let a = cpu.ea(0, i.b2, i.d2);
    aligned(a, 8)?;
    let v = cpu.clocks.cpu_timer(cpu.burst_done());
    cpu.write_u64(a, v as u64)
}

/// B20A SPKA — Set PSW Key from Address [S]: in the problem state the key's bit in the
/// PSW-key mask (CR3 bits 0-15) must be one.
#[inline]
pub(crate) fn spka(cpu: &mut Cpu, i: S) -> ExecResult {
    let key = ((cpu.ea(0, i.b2, i.d2) >> 4) & 15) as u8;
    if cpu.psw.problem && cpu.cr[3] & (0x8000_0000 >> key) == 0 {
        return Err(Stop::Program(pic::PRIVILEGED));
    }
    cpu.psw.key = key;
    cpu.sync_context();
    // Decoded instructions were fetched under the old key (fetch protection).
    Err(Stop::Break)
}

/// B20B IPK — Insert PSW Key [S]: into bits 24-27 of register 2 (28-31 zero); in the
/// problem state only with the extraction-authority control (CR0 bit 4).
#[inline]
pub(crate) fn ipk(cpu: &mut Cpu, _i: S) -> ExecResult {
    if cpu.psw.problem && cpu.cr[0] & CR0_EXTRACTION == 0 {
        return Err(Stop::Program(pic::PRIVILEGED));
    }
    cpu.gpr[2] = (cpu.gpr[2] & 0xFFFF_FF00) | (u32::from(cpu.psw.key) << 4);
    Ok(())
}

/// B20D PTLB — Purge TLB [S]
#[inline]
pub(crate) fn ptlb(cpu: &mut Cpu, _i: S) -> ExecResult {
    cpu.purge_tlb();
    Err(Stop::Break)
}

/// B210 SPX — Set Prefix [S]: bits 8-19 of the word operand; an addressing exception if
/// the new prefix area is outside storage.
#[inline]
pub(crate) fn spx(cpu: &mut Cpu, i: S) -> ExecResult {
    let a = cpu.ea(0, i.b2, i.d2);
    aligned(a, 4)?;
    let v = cpu.read_u32(a)? & 0x00FF_F000;
    if v as usize >= cpu.storage.size() {
        return Err(Stop::Program(pic::ADDRESSING));
    }
    cpu.prefix = v;
    cpu.purge_tlb();
    Err(Stop::Break)
}

/// B211 STPX — Store Prefix [S]
#[inline]
pub(crate) fn stpx(cpu: &mut Cpu, i: S) -> ExecResult {
    let a = cpu.ea(0, i.b2, i.d2);
    aligned(a, 4)?;
    cpu.write_u32(a, cpu.prefix)
}

/// B212 STAP — Store CPU Address [S]: this CPU is address 0.
#[inline]
pub(crate) fn stap(cpu: &mut Cpu, i: S) -> ExecResult {
    let a = cpu.ea(0, i.b2, i.d2);
    aligned(a, 2)?;
    cpu.write_u16(a, 0)
}

/// B213 RRB — Reset Reference Bit [S]: CC = reference and change bits before (0 none,
/// 1 changed only, 2 referenced only, 3 both); the reference bit is reset.
#[inline]
pub(crate) fn rrb(cpu: &mut Cpu, i: S) -> ExecResult {
    let a = cpu.ea(0, i.b2, i.d2);
    let abs = key_block(cpu, a)?;
    let old = cpu.storage.reset_reference(abs);
    cpu.psw.cc = (old >> 1) & 3;
    cpu.sync_context();
    Err(Stop::Break)
}

/// B6 STCTL — Store Control [RS]: control registers R1 through R3.
#[inline]
pub(crate) fn stctl(cpu: &mut Cpu, i: Rs) -> ExecResult {
    let a = cpu.ea(0, i.b2, i.d2);
    aligned(a, 4)?;
    let mut buf = [0u8; 64];
    let mut n = 0;
    for r in reg_range(i.r1, i.r3) {
        buf[n..n + 4].copy_from_slice(&cpu.cr[r].to_be_bytes());
        n += 4;
    }
    cpu.write_bytes(a, &buf[..n])
}

/// B7 LCTL — Load Control [RS]: control registers R1 through R3. Changing CR0 or CR1
/// purges the TLB (done by the access layer, which sees the new values).
#[inline]
pub(crate) fn lctl(cpu: &mut Cpu, i: Rs) -> ExecResult {
    let a = cpu.ea(0, i.b2, i.d2);
    aligned(a, 4)?;
    let mut buf = [0u8; 64];
    let n = 4 * reg_range(i.r1, i.r3).count();
    cpu.read_bytes(a, &mut buf[..n])?;
    for (k, r) in reg_range(i.r1, i.r3).enumerate() {
        let w = &buf[4 * k..4 * k + 4];
        cpu.cr[r] = u32::from_be_bytes([w[0], w[1], w[2], w[3]]);
    }
    if reg_range(i.r1, i.r3).any(|r| r <= 1) {
        cpu.purge_tlb();
    }
    cpu.sync_context();
    Err(Stop::Break)
}
