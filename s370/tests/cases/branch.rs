//! Branching and EXECUTE. (SVC is in the interruption tests: its old PSW is at X'20'.)

use crate::common::case::{Case, c};

pub fn rows() -> Vec<Case> {
    vec![
        // 05 BALR: link = ILC 1, CC, program mask, next address (BC and EC mode alike)
        c("BALR", "05E0").cc_in(2).pm(5).gives(14, 0x6500_2002),
        c("BALR", "05EF").r(15, 0x3000).gives(14, 0x4000_2002).ia(0x3000),
        c("BALR", "05EF").ec().r(15, 0xFF00_3000).gives(14, 0x4000_2002).ia(0x3000),
        c("BALR", "05FF").r(15, 0x3000).gives(15, 0x4000_2002).ia(0x3000).note("target read first"),
        // 06 BCTR
        c("BCTR", "0612").r(1, 2).r(2, 0x3000).gives(1, 1).ia(0x3000),
        c("BCTR", "0612").r(1, 1).r(2, 0x3000).gives(1, 0),
        c("BCTR", "0610").r(1, 5).gives(1, 4).note("R2 = 0: count only"),
        c("BCTR", "0611").r(1, 0x3001).gives(1, 0x3000).ia(0x3001).note("target before decrement"),
        // 07 BCR
        c("BCR", "078F").r(15, 0x3000).cc_in(0).ia(0x3000),
        c("BCR", "077F").r(15, 0x3000).cc_in(0),
        c("BCR", "071F").r(15, 0x3000).cc_in(3).ia(0x3000),
        c("BCR", "07F0").note("R2 = 0: no branch"),
        // 45 BAL, 46 BCT, 47 BC
        c("BAL", "45E00800").cc_in(1).pm(0xF).gives(14, 0x9F00_2004).ia(0x800),
        c("BCT", "46100800").r(1, 2).gives(1, 1).ia(0x800),
        c("BCT", "46100800").r(1, 1).gives(1, 0),
        c("BCT", "46100800").r(1, 0).gives(1, 0xFFFF_FFFF).ia(0x800),
        c("BC", "47400800").cc_in(1).ia(0x800),
        c("BC", "47B00800").cc_in(1),
        c("BC", "47F01801").r(1, 0x2000).ia(0x2801).note("odd target: completes"),
        // 86 BXH, 87 BXLE
        c("BXH", "86120800").r(1, 5).r(2, 1).r(3, 5).gives(1, 6).ia(0x800),
        c("BXH", "86120800").r(1, 4).r(2, 1).r(3, 5).gives(1, 5),
        c("BXH", "86110800").r(1, 2).gives(1, 4).ia(0x800).note("R3 odd: it is also the comparand"),
        c("BXLE", "87120800").r(1, 4).r(2, 1).r(3, 5).gives(1, 5).ia(0x800),
        c("BXLE", "87120800").r(1, 5).r(2, 1).r(3, 5).gives(1, 6),
        c("BXLE", "87120800").r(1, 5).r(2, (-1i32) as u32).r(3, 0).gives(1, 4),
        // 44 EX
        c("EX", "44000800").m(0x800, "1A23").r(2, 1).r(3, 2).gives(2, 3).cc(2),
        c("EX", "44100800")
            .m(0x800, "1A00")
            .r(1, 0x23)
            .r(2, 1)
            .r(3, 2)
            .gives(2, 3)
            .note("OR of R1 bits 24-31"),
        c("EX", "44000800").m(0x800, "D200 0900 0910").m(0x910, "AB").stores(0x900, "AB"),
        c("EX", "44100800")
            .r(1, 3)
            .m(0x800, "D200 0900 0910")
            .m(0x910, "01020304")
            .stores(0x900, "01020304"),
        c("EX", "44000800")
            .m(0x800, "05E0")
            .gives(14, 0x8000_2004)
            .note("BALR under EX: ILC 2, EX's next address"),
        c("EX", "44000800").m(0x800, "07F1").r(1, 0x3000).ia(0x3000),
        c("EX", "44000801").pgm(6).note("odd target address"),
        c("EX", "44000800").m(0x800, "44000800").pgm(3),
        c("EX", "4400FFFE").r(15, 0xF000).m(0xFFFE, "4100").pgm(5).note("target outside storage"),
        c("EX", "44000800")
            .m(0x800, "1D34")
            .pgm(6)
            .ilc(2)
            .note("the target's exception has EX's ILC"),
        c("EX", "44000800").m(0x800, "0000").pgm(1).ilc(2),
    ]
}
