//! Real storage is allocated lazily: a 16 MB machine costs host memory only for the
//! megabytes a program touches (issue 2, "an untouched megabyte costs no host memory").
//! Measured as the growth of this process's resident set (`/proc/self/status`, Linux);
//! this file holds one test so nothing else runs in the process meanwhile.

use s370::cpu::{Cpu, Exit};

fn rss_kb() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[test]
fn a_16mb_machine_is_resident_only_where_it_was_touched() {
    let Some(before) = rss_kb() else {
        eprintln!("skipped: no /proc/self/status on this host");
        return;
    };
    let mut cpu = Cpu::new(16 << 20);
    assert_eq!(cpu.storage.size(), 16 << 20);
    // MVCL 2,4: fill one megabyte at X'800000' with X'5A' (pad byte, zero-length source);
    // then LPSW of the disabled wait X'00020000 00000E0D' at X'800'.
    cpu.storage.write(0x2000, &[0x0E, 0x24, 0x82, 0x00, 0x08, 0x00]).expect("program");
    cpu.storage.write(0x800, &0x0002_0000_0000_0E0Du64.to_be_bytes()).expect("wait PSW");
    cpu.gpr[2] = 0x80_0000;
    cpu.gpr[3] = 1 << 20;
    cpu.gpr[5] = 0x5A00_0000;
    cpu.load_psw(0x2000);
    let mut exit = Exit::Budget;
    for _ in 0..1000 {
        exit = cpu.run(1 << 20);
        if exit != Exit::Budget {
            break;
        }
    }
    assert_eq!(exit, Exit::Wait { enabled: false });
    assert_eq!(cpu.storage.bytes()[0x8F_FFFF], 0x5A);
    assert_eq!(cpu.storage.bytes()[0x90_0000], 0);
    // Reading the untouched megabytes maps no memory either.
    let zeros = cpu.storage.bytes()[0x90_0000..].iter().filter(|&&b| b == 0).count();
    assert_eq!(zeros, 0x70_0000);
    let after = rss_kb().expect("still readable");
    let grown = after.saturating_sub(before);
    eprintln!("16 MB machine, 1 MB touched: {grown} KB resident ({before} -> {after} KB)");
    assert!(grown >= 1024, "the touched megabyte is resident ({grown} KB)");
    assert!(grown < 6 * 1024, "16 MB of storage but {grown} KB resident");
}
