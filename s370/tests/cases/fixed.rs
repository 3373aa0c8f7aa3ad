//! Fixed-point arithmetic, loads and stores: CCs 0/1/2/3, overflow (completed, exception
//! only with program-mask bit 36), divide and specification exceptions, addressing and
//! protection on storage operands.

use crate::common::case::{Case, c};

const MAXN: u32 = 0x8000_0000;

pub fn rows() -> Vec<Case> {
    vec![
        // 10 LPR
        c("LPR", "1012").r(2, 5).gives(1, 5).cc(2),
        c("LPR", "1012").r(2, (-5i32) as u32).gives(1, 5).cc(2),
        c("LPR", "1012").r(2, 0).gives(1, 0).cc(0),
        c("LPR", "1012").r(2, MAXN).gives(1, MAXN).cc(3).note("overflow, masked"),
        c("LPR", "1012").r(2, MAXN).pm(8).gives(1, MAXN).pgm(8).cc(3),
        // 11 LNR
        c("LNR", "1112").r(2, 5).gives(1, (-5i32) as u32).cc(1),
        c("LNR", "1112").r(2, (-5i32) as u32).gives(1, (-5i32) as u32).cc(1),
        c("LNR", "1112").r(2, 0).gives(1, 0).cc(0),
        c("LNR", "1112").r(2, MAXN).gives(1, MAXN).cc(1),
        // 12 LTR
        c("LTR", "1212").r(2, 7).gives(1, 7).cc(2),
        c("LTR", "1212").r(2, MAXN).gives(1, MAXN).cc(1),
        c("LTR", "1211").r(1, 0).cc(0),
        // 13 LCR
        c("LCR", "1312").r(2, 7).gives(1, (-7i32) as u32).cc(1),
        c("LCR", "1312").r(2, (-7i32) as u32).gives(1, 7).cc(2),
        c("LCR", "1312").r(2, 0).gives(1, 0).cc(0),
        c("LCR", "1312").r(2, MAXN).pm(8).gives(1, MAXN).pgm(8).cc(3),
        // 18 LR (no CC change)
        c("LR", "1812").r(2, 0xDEAD_BEEF).cc_in(3).gives(1, 0xDEAD_BEEF).cc(3),
        // 19 CR
        c("CR", "1912").r(1, 1).r(2, 1).cc(0),
        c("CR", "1912").r(1, (-1i32) as u32).r(2, 1).cc(1),
        c("CR", "1912").r(1, 1).r(2, (-1i32) as u32).cc(2),
        // 1A AR
        c("AR", "1A12").r(1, 5).r(2, 7).gives(1, 12).cc(2),
        c("AR", "1A12").r(1, 5).r(2, (-7i32) as u32).gives(1, (-2i32) as u32).cc(1),
        c("AR", "1A12").r(1, 5).r(2, (-5i32) as u32).gives(1, 0).cc(0),
        c("AR", "1A12").r(1, 0x7FFF_FFFF).r(2, 1).gives(1, MAXN).cc(3),
        c("AR", "1A12").r(1, 0x7FFF_FFFF).r(2, 1).pm(8).gives(1, MAXN).pgm(8).cc(3),
        c("AR", "1A12").r(1, MAXN).r(2, MAXN).gives(1, 0).cc(3),
        // 1B SR
        c("SR", "1B12").r(1, 5).r(2, 7).gives(1, (-2i32) as u32).cc(1),
        c("SR", "1B11").r(1, 5).gives(1, 0).cc(0),
        c("SR", "1B12").r(1, MAXN).r(2, 1).pm(8).gives(1, 0x7FFF_FFFF).pgm(8).cc(3),
        // 1C MR
        c("MR", "1C24").r(3, 0x10000).r(4, 0x10000).gives(2, 1).gives(3, 0).cc_in(2).cc(2),
        c("MR", "1C24").r(3, (-2i32) as u32).r(4, 3).gives(2, 0xFFFF_FFFF).gives(3, (-6i32) as u32),
        c("MR", "1C34").pgm(6),
        // 1D DR
        c("DR", "1D24").r(2, 0).r(3, 100).r(4, 7).gives(2, 2).gives(3, 14),
        c("DR", "1D24")
            .r(2, 0xFFFF_FFFF)
            .r(3, (-100i32) as u32)
            .r(4, 7)
            .gives(2, (-2i32) as u32)
            .gives(3, (-14i32) as u32),
        c("DR", "1D24").r(2, 0).r(3, 100).r(4, 0).gives(3, 100).pgm(9),
        c("DR", "1D24").r(2, 1).r(3, 0).r(4, 1).gives(2, 1).pgm(9).note("quotient too large"),
        c("DR", "1D34").pgm(6),
        // 1E ALR
        c("ALR", "1E12").r(1, 0).r(2, 0).gives(1, 0).cc(0),
        c("ALR", "1E12").r(1, 1).r(2, 2).gives(1, 3).cc(1),
        c("ALR", "1E12").r(1, 0xFFFF_FFFF).r(2, 1).gives(1, 0).cc(2),
        c("ALR", "1E12").r(1, 0xFFFF_FFFF).r(2, 2).gives(1, 1).cc(3),
        // 1F SLR
        c("SLR", "1F12").r(1, 5).r(2, 5).gives(1, 0).cc(2),
        c("SLR", "1F12").r(1, 5).r(2, 3).gives(1, 2).cc(3),
        c("SLR", "1F12").r(1, 3).r(2, 5).gives(1, (-2i32) as u32).cc(1),
        // 40 STH, 42 STC, 50 ST
        c("STH", "40100800").r(1, 0x1234_5678).stores(0x800, "5678"),
        c("STC", "42100801").r(1, 0x1234_5678).stores(0x800, "0078"),
        c("ST", "50100801").r(1, 0x1234_5678).stores(0x800, "0012345678").note("unaligned"),
        c("ST", "5010FFFE").r(15, 0xF000).pgm(5).note("crosses the end of storage"),
        c("ST", "50100800").key(0x800, 0x50).psw_key(6).pgm(4),
        c("ST", "50100800").r(1, 9).key(0x800, 0x60).psw_key(6).stores(0x800, "00000009"),
        // 41 LA
        c("LA", "41123FFF").r(2, 0xFFFF_F000).r(3, 0x10).gives(1, 0x0000_000F).note("24-bit wrap"),
        // 43 IC
        c("IC", "43100800").r(1, 0xAABB_CCDD).m(0x800, "5A").gives(1, 0xAABB_CC5A).cc_in(1).cc(1),
        // 48 LH, 49 CH, 4A AH, 4B SH, 4C MH
        c("LH", "48100800").m(0x800, "8001").gives(1, 0xFFFF_8001),
        c("CH", "49100800").r(1, (-5i32) as u32).m(0x800, "FFFB").cc(0),
        c("CH", "49100800").r(1, 0).m(0x800, "FFFB").cc(2),
        c("CH", "49100800").r(1, 0).m(0x800, "0001").cc(1),
        c("AH", "4A100800").r(1, 0x7FFF_FFFF).m(0x800, "0001").gives(1, MAXN).cc(3),
        c("AH", "4A100800").r(1, 1).m(0x800, "FFFF").gives(1, 0).cc(0),
        c("SH", "4B100800").r(1, 1).m(0x800, "0002").gives(1, 0xFFFF_FFFF).cc(1),
        c("SH", "4B100800").r(1, MAXN).m(0x800, "0001").pm(8).pgm(8).cc(3),
        c("MH", "4C100800")
            .r(1, 0x4000_0000)
            .m(0x800, "0004")
            .gives(1, 0)
            .cc_in(2)
            .cc(2)
            .note("no overflow"),
        c("MH", "4C100800").r(1, 3).m(0x800, "FFFE").gives(1, (-6i32) as u32),
        // 58 L, 59 C, 5A A, 5B S
        c("L", "58100800").m(0x800, "89ABCDEF").gives(1, 0x89AB_CDEF),
        c("L", "5810FFFF").r(15, 0xF000).pgm(5),
        c("L", "58100800").key(0x800, 0x58).psw_key(6).pgm(4).note("fetch protected"),
        c("L", "58100800").key(0x800, 0x50).psw_key(6).m(0x800, "00000001").gives(1, 1),
        c("C", "59100800").r(1, 1).m(0x800, "00000002").cc(1),
        c("A", "5A100800").r(1, 1).m(0x800, "FFFFFFFF").gives(1, 0).cc(0),
        c("A", "5A100800").r(1, MAXN).m(0x800, "FFFFFFFF").gives(1, 0x7FFF_FFFF).cc(3),
        c("S", "5B100800").r(1, 1).m(0x800, "00000001").gives(1, 0).cc(0),
        // 5C M, 5D D
        c("M", "5C200800").r(3, 0x8000_0000).m(0x800, "00000002").gives(2, 0xFFFF_FFFF).gives(3, 0),
        c("M", "5C100800").pgm(6),
        c("D", "5D200800").r(2, 0).r(3, 7).m(0x800, "00000002").gives(2, 1).gives(3, 3),
        c("D", "5D200800").r(2, 0).r(3, 7).m(0x800, "00000000").pgm(9),
        c("D", "5D300800").pgm(6),
        // 5E AL, 5F SL
        c("AL", "5E100800").r(1, 0x8000_0000).m(0x800, "80000000").gives(1, 0).cc(2),
        c("SL", "5F100800").r(1, 0).m(0x800, "00000001").gives(1, 0xFFFF_FFFF).cc(1),
        // 8A SRA, 8B SLA, 8E SRDA, 8F SLDA
        c("SRA", "8A100004").r(1, 0x8000_0010).gives(1, 0xF800_0001).cc(1),
        c("SRA", "8A10003F").r(1, 0x7FFF_FFFF).gives(1, 0).cc(0),
        c("SLA", "8B100001").r(1, 0x4000_0000).gives(1, 0).cc(3),
        c("SLA", "8B100001").r(1, 0x4000_0000).pm(8).pgm(8).cc(3),
        c("SLA", "8B100004").r(1, 0xFFFF_FFF1).gives(1, 0xFFFF_FF10).cc(1),
        c("SLA", "8B100000").r(1, 0).cc(0),
        c("SRDA", "8E200020")
            .r(2, 0x8000_0000)
            .r(3, 0)
            .gives(2, 0xFFFF_FFFF)
            .gives(3, 0x8000_0000)
            .cc(1),
        c("SRDA", "8E300001").pgm(6),
        c("SLDA", "8F200020").r(2, 0).r(3, 0x4000_0000).gives(2, 0x4000_0000).gives(3, 0).cc(2),
        c("SLDA", "8F200021").r(2, 0).r(3, 0x4000_0000).cc(3),
        c("SLDA", "8F300001").pgm(6),
        // 90 STM, 98 LM
        c("STM", "90E10800")
            .r(14, 1)
            .r(15, 2)
            .r(0, 3)
            .r(1, 4)
            .stores(0x800, "00000001000000020000000300000004"),
        c("STM", "9001FFFC")
            .r(15, 0xF000)
            .pgm(5)
            .stores(0xFFFC, "00000000")
            .note("nothing stored when the operand crosses storage's end"),
        c("LM", "98E10800")
            .m(0x800, "0000000A0000000B0000000C0000000D")
            .gives(14, 10)
            .gives(15, 11)
            .gives(0, 12)
            .gives(1, 13),
    ]
}
