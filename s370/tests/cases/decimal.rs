//! Decimal instructions: CCs, preferred signs, overflow (completed, exception with
//! program-mask bit 37), data, specification and divide exceptions, editing.

use crate::common::case::{Case, c};

pub fn rows() -> Vec<Case> {
    vec![
        // FA AP, FB SP, F8 ZAP, F9 CP
        c("AP", "FA21 0800 0810").m(0x800, "00123C").m(0x810, "877C").stores(0x800, "01000C").cc(2),
        c("AP", "FA21 0800 0810")
            .m(0x800, "00123D")
            .m(0x810, "123C")
            .stores(0x800, "00000C")
            .cc(0)
            .note("zero is positive"),
        c("AP", "FA21 0800 0810").m(0x800, "00123D").m(0x810, "200F").stores(0x800, "00077C").cc(2),
        c("AP", "FA21 0800 0810").m(0x800, "00100C").m(0x810, "200D").stores(0x800, "00100D").cc(1),
        c("AP", "FA10 0800 0810")
            .m(0x800, "999C")
            .m(0x810, "1C")
            .stores(0x800, "000C")
            .cc(3)
            .note("overflow, masked"),
        c("AP", "FA10 0800 0810")
            .m(0x800, "999C")
            .m(0x810, "1C")
            .pm(4)
            .stores(0x800, "000C")
            .pgm(0xA)
            .cc(3),
        c("AP", "FA10 0800 0810")
            .m(0x800, "999D")
            .m(0x810, "1D")
            .stores(0x800, "000D")
            .cc(3)
            .note("truncated zero keeps the minus sign"),
        c("AP", "FA10 0800 0810").m(0x800, "1A2C").m(0x810, "1C").stores(0x800, "1A2C").pgm(7),
        c("AP", "FA10 0800 0810").m(0x800, "1234").m(0x810, "1C").pgm(7).note("invalid sign"),
        c("AP", "FA10 0800 0810").m(0x800, "123C").m(0x810, "19").pgm(7),
        c("AP", "FA10 0800 0810")
            .m(0x800, "123C")
            .m(0x810, "1C")
            .key(0x800, 0x30)
            .psw_key(4)
            .pgm(4),
        c("SP", "FB11 0800 0810").m(0x800, "010C").m(0x810, "010C").stores(0x800, "000C").cc(0),
        c("SP", "FB11 0800 0810").m(0x800, "010C").m(0x810, "020C").stores(0x800, "010D").cc(1),
        c("ZAP", "F821 0800 0810").m(0x810, "123F").stores(0x800, "00123C").cc(2),
        c("ZAP", "F821 0800 0810").m(0x810, "000D").stores(0x800, "00000C").cc(0),
        c("ZAP", "F812 0800 0810").m(0x810, "12345D").stores(0x800, "345D").cc(3),
        c("ZAP", "F811 0800 0810").m(0x810, "AB0C").pgm(7),
        c("CP", "F911 0800 0810").m(0x800, "000C").m(0x810, "000D").cc(0),
        c("CP", "F911 0800 0810").m(0x800, "001D").m(0x810, "000C").cc(1),
        c("CP", "F910 0800 0810").m(0x800, "010C").m(0x810, "9C").cc(2),
        // FC MP, FD DP
        c("MP", "FC31 0800 0810").m(0x800, "0000123C").m(0x810, "011D").stores(0x800, "0001353D"),
        c("MP", "FC31 0800 0810")
            .m(0x800, "0000000C")
            .m(0x810, "011D")
            .stores(0x800, "0000000D")
            .note("sign by algebra, even for zero"),
        c("MP", "FC31 0800 0810")
            .m(0x800, "0012345C")
            .m(0x810, "011D")
            .pgm(7)
            .note("too few leftmost zeros"),
        c("MP", "FC33 0800 0810").pgm(6).note("L2 not less than L1"),
        c("MP", "FCF8 0800 0810").pgm(6).note("L2 over 7"),
        c("DP", "FD31 0800 0810").m(0x800, "0001234C").m(0x810, "011C").stores(0x800, "112C002C"),
        c("DP", "FD31 0800 0810")
            .m(0x800, "0001234D")
            .m(0x810, "011C")
            .stores(0x800, "112D002D")
            .note("remainder has the dividend's sign"),
        c("DP", "FD31 0800 0810").m(0x800, "0001234C").m(0x810, "000C").pgm(0xB),
        c("DP", "FD31 0800 0810")
            .m(0x800, "1234567C")
            .m(0x810, "001C")
            .pgm(0xB)
            .note("quotient too large"),
        c("DP", "FD11 0800 0810").pgm(6),
        // F0 SRP
        c("SRP", "F020 0800 0002").m(0x800, "00123C").stores(0x800, "12300C").cc(2),
        c("SRP", "F020 0800 0003").m(0x800, "00123C").stores(0x800, "23000C").cc(3),
        c("SRP", "F025 0800 003F")
            .m(0x800, "00125C")
            .stores(0x800, "00013C")
            .cc(2)
            .note("right 1, round 5"),
        c("SRP", "F024 0800 003F").m(0x800, "00125D").stores(0x800, "00012D").cc(1),
        c("SRP", "F025 0800 003F")
            .m(0x800, "00004D")
            .stores(0x800, "00000C")
            .cc(0)
            .note("rounded to zero: positive"),
        c("SRP", "F02A 0800 0001").m(0x800, "00123C").pgm(7).note("rounding digit above 9"),
        // F1 MVO, F2 PACK, F3 UNPK
        c("MVO", "F132 0800 0810")
            .m(0x800, "7788990C")
            .m(0x810, "123456")
            .stores(0x800, "0123456C"),
        c("MVO", "F121 0800 0810").m(0x800, "00000F").m(0x810, "1234").stores(0x800, "01234F"),
        c("PACK", "F234 0800 0810").m(0x810, "F1F2F3F4C5").stores(0x800, "0012345C"),
        c("PACK", "F211 0800 0810")
            .m(0x810, "F1C2")
            .stores(0x800, "012C")
            .note("only the right byte's halves swap"),
        c("UNPK", "F342 0800 0810").m(0x810, "12345C").stores(0x800, "F1F2F3F4C5"),
        c("UNPK", "F320 0800 0810").m(0x810, "2C").stores(0x800, "F0F0C2"),
        // 4E CVD, 4F CVB
        c("CVD", "4E100800").r(1, 1234567).stores(0x800, "000000001234567C"),
        c("CVD", "4E100800").r(1, (-1i32) as u32).stores(0x800, "000000000000001D"),
        c("CVD", "4E100800").r(1, 0x8000_0000).stores(0x800, "000002147483648D"),
        c("CVB", "4F100800").m(0x800, "000000001234567C").gives(1, 1234567),
        c("CVB", "4F100800").m(0x800, "000000000000001D").gives(1, (-1i32) as u32),
        c("CVB", "4F100800").m(0x800, "00000000000000AC").pgm(7),
        c("CVB", "4F100800").m(0x800, "0000021474836480").pgm(7).note("invalid sign"),
        c("CVB", "4F100800")
            .m(0x800, "000002147483648C")
            .gives(1, 0x8000_0000)
            .pgm(9)
            .note("overflow: low 32 bits, fixed-point divide"),
        // DE ED, DF EDMK
        c("ED", "DE09 0800 0810")
            .m(0x800, "4020206B2021204B2020")
            .m(0x810, "0012345C")
            .stores(0x800, "40404040F1F2F34BF4F5")
            .cc(2),
        c("ED", "DE05 0800 0810")
            .m(0x800, "402020212020")
            .m(0x810, "00001D")
            .stores(0x800, "40404040F0F1")
            .cc(1),
        c("ED", "DE03 0800 0810")
            .m(0x800, "40202020")
            .m(0x810, "0000")
            .stores(0x800, "40404040")
            .cc(0),
        c("ED", "DE03 0800 0810").m(0x800, "40202020").m(0x810, "A000").pgm(7),
        c("EDMK", "DF05 0800 0810")
            .r(1, 0xAB00_0000)
            .m(0x800, "402020202020")
            .m(0x810, "00123C")
            .gives(1, 0xAB00_0803)
            .stores(0x800, "404040F1F2F3")
            .cc(2),
        c("EDMK", "DF03 0800 0810")
            .r(1, 7)
            .m(0x800, "40212020")
            .m(0x810, "0012")
            .gives(1, 7)
            .stores(0x800, "4040F0F1")
            .cc(1)
            .note("not set when 21 started significance"),
    ]
}
