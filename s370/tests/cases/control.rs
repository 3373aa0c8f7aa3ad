//! Control instructions: privileged-operation exceptions in the problem state, PSW and
//! system-mask changes, storage keys, control registers, prefix, CPU identification,
//! MONITOR CALL, SIGP as a uniprocessor, and the exits of DIAGNOSE and the I/O
//! instructions. (Clocks are in timers.rs, LRA and PTLB in dat.rs.)

use crate::common::case::{Case, c};
use s370::cpu::{Exit, IoOp, IoRequest};

fn io(op: IoOp, device: u16) -> Exit {
    Exit::Io(IoRequest { op, device })
}

pub fn rows() -> Vec<Case> {
    let mut v = vec![
        // 04 SPM: CC and program mask from R1 bits 2-7, not privileged
        c("SPM", "0410").r(1, 0x2A00_0000).problem().cc(2),
        // 08 SSK, 09 ISK
        c("SSK", "0812").r(1, 0x37).r(2, 0x800).note("bit 31 ignored"),
        c("SSK", "0812").r(2, 0x804).pgm(6),
        c("SSK", "0812").r(2, 0x10000).pgm(5),
        c("ISK", "0912").r(1, 0xAAAA_AAAA).r(2, 0x800).key(0x800, 0x56).gives(1, 0xAAAA_AA56),
        c("ISK", "0912").r(2, 0x808).pgm(6),
        // 80 SSM
        c("SSM", "80000800").m(0x800, "03").ec().note("EC: I/O and external masks"),
        c("SSM", "80000800").m(0x800, "FF").note("BC: every bit is a mask"),
        c("SSM", "80000800").m(0x800, "80").ec().pgm(6).note("invalid EC bit: instruction's ILC"),
        c("SSM", "80000800").cr(0, 0x4000_0000).pgm(0x13).note("SSM suppression"),
        // 82 LPSW
        c("LPSW", "82000800").m(0x800, "0000000000003000").ia(0x3000),
        c("LPSW", "82000804").pgm(6),
        // 84 WRD, 85 RDD: the direct-control feature is not installed
        c("WRD", "84000800").pgm(1),
        c("RDD", "85000800").pgm(1),
        // AC STNSM, AD STOSM
        c("STNSM", "AC0F0800").sysmask(0xFF).stores(0x800, "FF"),
        c("STOSM", "AD800800")
            .ec()
            .sysmask(0x03)
            .stores(0x800, "03")
            .pgm(6)
            .note("ORing an invalid EC bit"),
        c("STOSM", "AD030800").ec().stores(0x800, "00"),
        // AE SIGP: CPU 0 is the only CPU
        c("SIGP", "AE130001").r(3, 1).cc(3),
        c("SIGP", "AE130001").r(3, 0).cc(0).note("sense itself"),
        c("SIGP", "AE130005").r(3, 0).gives(1, 2).cc(1).note("invalid order to itself"),
        // AF MC
        c("MC", "AF050800").note("class 5 masked"),
        c("MC", "AF050800")
            .cr(8, 0x0000_0400)
            .pgm(0x40)
            .stores(0x94, "0005")
            .stores(0x9C, "00000800"),
        c("MC", "AF150800").pgm(6),
        // B202 STIDP
        c("STIDP", "B2020800").stores(0x800, "FF00000130330000"),
        c("STIDP", "B2020804").pgm(6),
        // B20A SPKA, B20B IPK
        c("SPKA", "B20A0050").note("supervisor: any key"),
        c("SPKA", "B20A0050").problem().pgm(2).note("problem state, key mask zero"),
        c("SPKA", "B20A0050").problem().cr(3, 0x0400_0000).note("key 5 allowed by CR3"),
        c("IPK", "B20B0000").psw_key(7).r(2, 0xFFFF_FFFF).gives(2, 0xFFFF_FF70),
        c("IPK", "B20B0000").problem().pgm(2),
        c("IPK", "B20B0000").problem().cr(0, 0x0800_0000).gives(2, 0),
        // B210 SPX, B211 STPX, B212 STAP
        c("SPX", "B2100800").m(0x800, "00003000"),
        c("SPX", "B2100800").m(0x800, "00FFF000").pgm(5),
        c("SPX", "B2100802").pgm(6),
        c("STPX", "B2110800").stores(0x800, "00000000"),
        c("STAP", "B2120800").stores(0x800, "0000"),
        c("STAP", "B2120801").pgm(6),
        // B213 RRB: CC = reference and change bits of the 2K block
        c("RRB", "B2130800").key(0x800, 0x00).cc(0),
        c("RRB", "B2130800").key(0x800, 0x02).cc(1),
        c("RRB", "B2130800").key(0x800, 0x04).cc(2),
        c("RRB", "B2130800").key(0x800, 0x06).cc(3),
        c("RRB", "B2131000").r(1, 0x10000).pgm(5).note("addressing"),
        // B6 STCTL, B7 LCTL
        c("STCTL", "B6020800").cr(0, 1).cr(1, 2).cr(2, 3).stores(0x800, "000000010000000200000003"),
        c("STCTL", "B6000802").pgm(6),
        c("LCTL", "B7F00800").m(0x800, "0000000A0000000B").gives_cr(15, 10).gives_cr(0, 11),
        c("LCTL", "B7000801").pgm(6),
        // 83 DIAGNOSE: an exit in the supervisor state
        c("DIAG", "83120008").exit(Exit::Diagnose { r1: 1, r3: 2, code: 8 }),
        // I/O instructions: an exit with the device address
        c("SIO", "9C00000E").exit(io(IoOp::Sio, 0x00E)),
        c("SIOF", "9C01100E").r(1, 0x0100).exit(io(IoOp::Siof, 0x10E)),
        c("TIO", "9D000191").exit(io(IoOp::Tio, 0x191)),
        c("CLRIO", "9D010191").exit(io(IoOp::Clrio, 0x191)),
        c("HIO", "9E000191").exit(io(IoOp::Hio, 0x191)),
        c("HDV", "9E010191").exit(io(IoOp::Hdv, 0x191)),
        c("TCH", "9F000191").exit(io(IoOp::Tch, 0x100)),
        c("STIDC", "B2030191").exit(io(IoOp::Stidc, 0x100)),
    ];
    // Every privileged instruction in the problem state: privileged-operation exception.
    for (name, insn) in [
        ("SSK", "0812"),
        ("ISK", "0912"),
        ("SSM", "80000800"),
        ("LPSW", "82000800"),
        ("DIAG", "83000000"),
        ("STNSM", "AC000800"),
        ("STOSM", "AD000800"),
        ("SIGP", "AE000000"),
        ("LRA", "B1000800"),
        ("STIDP", "B2020800"),
        ("SCK", "B2040800"),
        ("SCKC", "B2060800"),
        ("STCKC", "B2070800"),
        ("SPT", "B2080800"),
        ("STPT", "B2090800"),
        ("PTLB", "B20D0000"),
        ("SPX", "B2100800"),
        ("STPX", "B2110800"),
        ("STAP", "B2120800"),
        ("RRB", "B2130800"),
        ("STCTL", "B6000800"),
        ("LCTL", "B7000800"),
        ("SIO", "9C000000"),
        ("SIOF", "9C010000"),
        ("TIO", "9D000000"),
        ("CLRIO", "9D010000"),
        ("HIO", "9E000000"),
        ("HDV", "9E010000"),
        ("TCH", "9F000000"),
        ("STIDC", "B2030000"),
    ] {
        v.push(c(name, insn).problem().pgm(2).note("problem state"));
    }
    // Not S/370 (370-XA and later): operation exceptions (Hercules 3.13 executes BASR and
    // IPM in S/370 mode; see deviations.rs).
    for (name, insn) in [
        ("BASR", "0DE0"),
        ("BAS", "4DE00800"),
        ("IPM", "B2220010"),
        ("SSKE", "B22B0012"),
        ("IPTE", "B2210012"),
    ] {
        v.push(c(name, insn).pgm(1).note("not an S/370 instruction"));
    }
    v
}
