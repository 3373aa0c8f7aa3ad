//! Branching, EXECUTE and SUPERVISOR CALL.
//!
//! The instruction cycle has already advanced the PSW past the instruction, so the link
//! information of BAL and BALR is the PSW as it stands, and a branch just replaces the
//! instruction address. A branch to an odd address completes; the specification exception
//! comes when the next instruction is fetched.
//!
//! BASR (0D) and BAS (4D) are 370-XA instructions, not S/370: they give an operation
//! exception here (Hercules 3.13 executes BASR in S/370 mode).

use crate::cpu::{Cpu, ExecResult, Stop};
use crate::format::{Insn, Rr, Rs, Rx};
use crate::interrupt::pic;
use crate::opcode::DISPATCH;

/// The link information of BAL/BALR: ILC, CC, program mask and the updated instruction
/// address (PoO "BRANCH AND LINK": in both BC and EC mode).
#[inline(always)]
fn link(cpu: &Cpu, len: u32) -> u32 {
    (cpu.ilc_of(len) << 30)
        | (u32::from(cpu.psw.cc) << 28)
        | (u32::from(cpu.psw.progmask) << 24)
        | cpu.psw.ia
}

/// Is the branch taken for mask `m` and the current CC?
#[inline(always)]
fn cc_matches(cpu: &Cpu, m: usize) -> bool {
    m & (8 >> cpu.psw.cc) != 0
}

/// 05 BALR — Branch and Link [RR]
#[inline]
pub(crate) fn balr(cpu: &mut Cpu, i: Rr) -> ExecResult {
    let target = cpu.gpr[i.r2] & 0x00FF_FFFF;
    cpu.gpr[i.r1] = link(cpu, 2);
    if i.r2 != 0 {
        cpu.psw.ia = target;
    }
    Ok(())
}

/// 06 BCTR — Branch on Count [RR]
#[inline]
pub(crate) fn bctr(cpu: &mut Cpu, i: Rr) -> ExecResult {
    let target = cpu.gpr[i.r2] & 0x00FF_FFFF;
    let v = cpu.gpr[i.r1].wrapping_sub(1);
    cpu.gpr[i.r1] = v;
    if v != 0 && i.r2 != 0 {
        cpu.psw.ia = target;
    }
    Ok(())
}

/// 07 BCR — Branch on Condition [RR]
#[inline]
pub(crate) fn bcr(cpu: &mut Cpu, i: Rr) -> ExecResult {
    if i.r2 != 0 && cc_matches(cpu, i.r1) {
        cpu.psw.ia = cpu.gpr[i.r2] & 0x00FF_FFFF;
    }
    Ok(())
}

/// 0A SVC — Supervisor Call [I]: the interruption code is byte 1.
#[inline]
pub(crate) fn svc(cpu: &mut Cpu, i: Insn) -> ExecResult {
    let ilc = cpu.ilc_of(2);
    cpu.take_svc(i.byte(1), ilc);
    Err(Stop::Break)
}

/// 44 EX — Execute [RX]: the target (at an even address, not itself an EXECUTE) runs with
/// its byte 1 ORed with bits 24-31 of R1 (unless R1 is 0); it reports EXECUTE's ILC.
#[inline]
pub(crate) fn ex(cpu: &mut Cpu, i: Rx) -> ExecResult {
    let a = cpu.ea(i.x2, i.b2, i.d2);
    if a & 1 != 0 {
        return Err(Stop::Program(pic::SPECIFICATION));
    }
    let raw = cpu.ifetch_slow(a).map_err(|(code, _)| Stop::Program(code))?;
    let mut target = Insn(raw);
    if target.opcode() == 0x44 {
        return Err(Stop::Program(pic::EXECUTE));
    }
    if i.r1 != 0 {
        target = Insn(target.0 | (u64::from(cpu.gpr[i.r1] & 0xFF) << 32));
    }
    cpu.ex_active = true;
    let r = DISPATCH[target.opcode() as usize](cpu, target);
    cpu.ex_active = false;
    if cpu.hercules_ex_ilc && matches!(r, Err(Stop::Program(_))) {
        cpu.ex_fault_len = target.len();
    }
    r
}

/// 45 BAL — Branch and Link [RX]
#[inline]
pub(crate) fn bal(cpu: &mut Cpu, i: Rx) -> ExecResult {
    let target = cpu.ea(i.x2, i.b2, i.d2);
    cpu.gpr[i.r1] = link(cpu, 4);
    cpu.psw.ia = target;
    Ok(())
}

/// 46 BCT — Branch on Count [RX]
#[inline]
pub(crate) fn bct(cpu: &mut Cpu, i: Rx) -> ExecResult {
    let target = cpu.ea(i.x2, i.b2, i.d2);
    let v = cpu.gpr[i.r1].wrapping_sub(1);
    cpu.gpr[i.r1] = v;
    if v != 0 {
        cpu.psw.ia = target;
    }
    Ok(())
}

/// 47 BC — Branch on Condition [RX]
#[inline]
pub(crate) fn bc(cpu: &mut Cpu, i: Rx) -> ExecResult {
    if cc_matches(cpu, i.r1) {
        cpu.psw.ia = cpu.ea(i.x2, i.b2, i.d2);
    }
    Ok(())
}

/// The increment and comparand of BXH/BXLE: R3, and the odd register of the pair R3
/// designates (R3 itself when odd), both read before R1 changes.
#[inline(always)]
fn index_step(cpu: &mut Cpu, i: Rs) -> (u32, i32, i32) {
    let target = cpu.ea(0, i.b2, i.d2);
    let inc = cpu.gpr[i.r3] as i32;
    let cmp = cpu.gpr[i.r3 | 1] as i32;
    let sum = (cpu.gpr[i.r1] as i32).wrapping_add(inc);
    cpu.gpr[i.r1] = sum as u32;
    (target, sum, cmp)
}

/// 86 BXH — Branch on Index High [RS]
#[inline]
pub(crate) fn bxh(cpu: &mut Cpu, i: Rs) -> ExecResult {
    let (target, sum, cmp) = index_step(cpu, i);
    if sum > cmp {
        cpu.psw.ia = target;
    }
    Ok(())
}

/// 87 BXLE — Branch on Index Low or Equal [RS]
#[inline]
pub(crate) fn bxle(cpu: &mut Cpu, i: Rs) -> ExecResult {
    let (target, sum, cmp) = index_step(cpu, i);
    if sum <= cmp {
        cpu.psw.ia = target;
    }
    Ok(())
}
