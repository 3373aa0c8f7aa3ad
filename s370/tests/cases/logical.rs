//! Logical operations, moves, comparisons, translation, the long instructions, CS/CDS and
//! the under-mask instructions.

use crate::common::case::{Case, c};

pub fn rows() -> Vec<Case> {
    vec![
        // 14 NR, 16 OR, 17 XR: CC 0 zero, 1 nonzero
        c("NR", "1412").r(1, 0xF0F0).r(2, 0x0F0F).gives(1, 0).cc(0),
        c("NR", "1412").r(1, 0xF0F0).r(2, 0x0FFF).gives(1, 0x00F0).cc(1),
        c("OR", "1612").r(1, 0).r(2, 0).cc(0),
        c("OR", "1612").r(1, 0xF000).r(2, 0x000F).gives(1, 0xF00F).cc(1),
        c("XR", "1711").r(1, 0x1234).gives(1, 0).cc(0),
        c("XR", "1712").r(1, 0xFF).r(2, 0x0F).gives(1, 0xF0).cc(1),
        // 15 CLR: unsigned
        c("CLR", "1512").r(1, 0xFFFF_FFFF).r(2, 1).cc(2),
        c("CLR", "1512").r(1, 1).r(2, 0xFFFF_FFFF).cc(1),
        c("CLR", "1512").r(1, 7).r(2, 7).cc(0),
        // 54 N, 55 CL, 56 O, 57 X
        c("N", "54100800").r(1, 0xFF00_FF00).m(0x800, "0F0F0F0F").gives(1, 0x0F00_0F00).cc(1),
        c("CL", "55100800").r(1, 0x8000_0000).m(0x800, "7FFFFFFF").cc(2),
        c("O", "56100800").r(1, 0).m(0x800, "00000000").cc(0),
        c("X", "57100800").r(1, 0xFFFF_FFFF).m(0x800, "FFFFFFFF").gives(1, 0).cc(0),
        c("X", "5710FFFE").r(15, 0xF000).pgm(5),
        // 88 SRL, 89 SLL, 8C SRDL, 8D SLDL: no CC
        c("SRL", "88100004").r(1, 0x8000_0010).gives(1, 0x0800_0001).cc_in(3).cc(3),
        c("SRL", "88100020").r(1, 0xFFFF_FFFF).gives(1, 0),
        c("SLL", "89100008").r(1, 0x1234_5678).gives(1, 0x3456_7800),
        c("SLL", "8910003F").r(1, 1).gives(1, 0),
        c("SRDL", "8C200004")
            .r(2, 0x1234_5678)
            .r(3, 0x9ABC_DEF0)
            .gives(2, 0x0123_4567)
            .gives(3, 0x89AB_CDEF),
        c("SRDL", "8C100004").pgm(6),
        c("SLDL", "8D200020").r(2, 1).r(3, 2).gives(2, 2).gives(3, 0),
        c("SLDL", "8D300004").pgm(6),
        // 91 TM: 0 all zero (or mask 0), 1 mixed, 3 all ones
        c("TM", "91F00800").m(0x800, "0F").cc(0),
        c("TM", "91FF0800").m(0x800, "0F").cc(1),
        c("TM", "910F0800").m(0x800, "0F").cc(3),
        c("TM", "91000800").m(0x800, "FF").cc(0),
        c("TM", "91010800").key(0x800, 0x38).psw_key(4).pgm(4),
        // 92 MVI
        c("MVI", "92C10801").stores(0x800, "00C100"),
        c("MVI", "92C10800").key(0x800, 0x30).psw_key(4).stores(0x800, "00").pgm(4),
        // 93 TS
        c("TS", "93000800").m(0x800, "00").stores(0x800, "FF").cc(0),
        c("TS", "93000800").m(0x800, "80").stores(0x800, "FF").cc(1),
        c("TS", "93000800").m(0x800, "7F").stores(0x800, "FF").cc(0),
        // 94 NI, 95 CLI, 96 OI, 97 XI
        c("NI", "940F0800").m(0x800, "F3").stores(0x800, "03").cc(1),
        c("NI", "940F0800").m(0x800, "F0").stores(0x800, "00").cc(0),
        c("CLI", "95800800").m(0x800, "7F").cc(1),
        c("CLI", "95800800").m(0x800, "80").cc(0),
        c("CLI", "95800800").m(0x800, "81").cc(2),
        c("OI", "96000800").m(0x800, "00").stores(0x800, "00").cc(0),
        c("OI", "96010800").m(0x800, "10").stores(0x800, "11").cc(1),
        c("XI", "97010800").key(0x800, 0x20).psw_key(3).pgm(4),
        c("XI", "97FF0800").m(0x800, "FF").stores(0x800, "00").cc(0),
        // BA CS, BB CDS
        c("CS", "BA120800").r(1, 5).r(2, 9).m(0x800, "00000005").stores(0x800, "00000009").cc(0),
        c("CS", "BA120800").r(1, 5).r(2, 9).m(0x800, "00000006").gives(1, 6).cc(1),
        c("CS", "BA120802").pgm(6),
        c("CS", "BA120800").key(0x800, 0x20).psw_key(3).pgm(4).note("store check even if unequal"),
        c("CDS", "BB240800")
            .r(2, 1)
            .r(3, 2)
            .r(4, 7)
            .r(5, 8)
            .m(0x800, "0000000100000002")
            .stores(0x800, "0000000700000008")
            .cc(0),
        c("CDS", "BB240800")
            .r(2, 1)
            .r(3, 2)
            .m(0x800, "0000000100000003")
            .gives(2, 1)
            .gives(3, 3)
            .cc(1),
        c("CDS", "BB340800").pgm(6),
        c("CDS", "BB240804").pgm(6),
        // BD CLM, BE STCM, BF ICM
        c("CLM", "BD1A0800").r(1, 0x1122_3344).m(0x800, "1133").cc(0),
        c("CLM", "BD1A0800").r(1, 0x1122_3344).m(0x800, "1134").cc(1),
        c("CLM", "BD1A0800").r(1, 0x1122_3344).m(0x800, "1033").cc(2),
        c("CLM", "BD100800").cc(0),
        c("STCM", "BE150800").r(1, 0x1122_3344).stores(0x800, "22440000"),
        c("STCM", "BE10FFFF").r(15, 0xF000).note("mask 0: no access"),
        c("ICM", "BF170800").r(1, 0xAABB_CCDD).m(0x800, "800102").gives(1, 0xAA80_0102).cc(1),
        c("ICM", "BF1F0800").m(0x800, "00000000").gives(1, 0).cc(0),
        c("ICM", "BF110800").m(0x800, "7F").gives(1, 0x7F).cc(2),
        c("ICM", "BF100800").r(1, 5).cc_in(2).gives(1, 5).cc(0),
        c("ICM", "BF10FFFF").r(15, 0xF001).pgm(5).note("mask 0 still accesses one byte"),
        // D1 MVN, D2 MVC, D3 MVZ
        c("MVN", "D1020800 0810").m(0x800, "ABCDEF").m(0x810, "123456").stores(0x800, "A2C4E6"),
        c("MVC", "D2030800 0810").m(0x810, "01020304").stores(0x800, "01020304"),
        c("MVC", "D2040801 0800").m(0x800, "5A").stores(0x800, "5A5A5A5A5A5A").note("propagation"),
        c("MVC", "D2FF0780 0900")
            .key(0, 0x40)
            .key(0x800, 0x30)
            .psw_key(4)
            .m(0x900, "11")
            .stores(0x780, "00")
            .pgm(4)
            .note("crosses into a protected block: nothing moved"),
        c("MVZ", "D3020800 0810").m(0x800, "ABCDEF").m(0x810, "123456").stores(0x800, "1B3D5F"),
        // D4 NC, D5 CLC, D6 OC, D7 XC
        c("NC", "D4010800 0810").m(0x800, "F0F0").m(0x810, "0F0F").stores(0x800, "0000").cc(0),
        c("CLC", "D5020800 0810").m(0x800, "010203").m(0x810, "010203").cc(0),
        c("CLC", "D5020800 0810").m(0x800, "010203").m(0x810, "010303").cc(1),
        c("CLC", "D5020800 0810").m(0x800, "FF0203").m(0x810, "010303").cc(2),
        c("CLC", "D5000800 F000").r(15, 0x10000).pgm(5).note("addressing on the second operand"),
        c("OC", "D6000800 0810").m(0x800, "01").m(0x810, "10").stores(0x800, "11").cc(1),
        c("XC", "D7030800 0800").m(0x800, "DEADBEEF").stores(0x800, "00000000").cc(0),
        // DC TR, DD TRT
        c("TR", "DC020800 0900").m(0x800, "000102").m(0x900, "C1C2C3").stores(0x800, "C1C2C3"),
        c("TRT", "DD030800 0900")
            .m(0x800, "00010200")
            .m(0x902, "7F")
            .r(1, 0xFF00_0000)
            .r(2, 0xAAAA_AAAA)
            .gives(1, 0xFF00_0802)
            .gives(2, 0xAAAA_AA7F)
            .cc(1),
        c("TRT", "DD020800 0900").m(0x800, "000001").m(0x901, "40").gives(1, 0x0000_0802).cc(2),
        c("TRT", "DD020800 0900").m(0x800, "000000").r(1, 7).gives(1, 7).cc(0),
        // 0E MVCL
        c("MVCL", "0E24")
            .r(2, 0x800)
            .r(3, 4)
            .r(4, 0x810)
            .r(5, 0x4000_0002)
            .m(0x810, "AABB")
            .stores(0x800, "AABB4040")
            .gives(3, 0)
            .gives(5, 0x4000_0000)
            .gives(2, 0x804)
            .cc(2),
        c("MVCL", "0E24")
            .r(2, 0x800)
            .r(3, 2)
            .r(4, 0x810)
            .r(5, 4)
            .m(0x810, "AABBCCDD")
            .stores(0x800, "AABB")
            .cc(1),
        c("MVCL", "0E24").r(2, 0x801).r(3, 4).r(4, 0x800).r(5, 4).cc(3).note("destructive overlap"),
        c("MVCL", "0E24")
            .r(2, 0xFF00_0800)
            .r(3, 0)
            .r(4, 0x810)
            .r(5, 0)
            .gives(2, 0x800)
            .cc(0)
            .note("bits 0-7 of R1 cleared"),
        c("MVCL", "0E34").pgm(6),
        c("MVCL", "0E24")
            .r(2, 0x800)
            .r(3, 4)
            .r(4, 0x810)
            .r(5, 4)
            .key(0x800, 0x30)
            .psw_key(4)
            .pgm(4)
            .cc_in(1)
            .cc(1)
            .note("suppressed: CC unchanged"),
        // 0F CLCL
        c("CLCL", "0F24")
            .r(2, 0x800)
            .r(3, 3)
            .r(4, 0x810)
            .r(5, 0x4000_0003)
            .m(0x800, "010203")
            .m(0x810, "010203")
            .cc(0),
        c("CLCL", "0F24")
            .r(2, 0x800)
            .r(3, 3)
            .r(4, 0x810)
            .r(5, 0x4000_0001)
            .m(0x800, "014040")
            .m(0x810, "01")
            .cc(0)
            .note("padding"),
        c("CLCL", "0F24")
            .r(2, 0x800)
            .r(3, 3)
            .r(4, 0x810)
            .r(5, 3)
            .m(0x800, "010203")
            .m(0x810, "010303")
            .gives(2, 0x801)
            .gives(3, 2)
            .cc(1),
        c("CLCL", "0F25").pgm(6),
    ]
}
