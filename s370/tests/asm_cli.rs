//! `s370 asm` and `s370 disasm` from the command line.

use std::process::Command;

fn s370() -> Command {
    Command::new(env!("CARGO_BIN_EXE_s370"))
}

#[test]
fn assemble_then_disassemble_a_range() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib");
    std::fs::create_dir(&lib).unwrap();
    std::fs::write(
        lib.join("RET.macro"),
        "         MACRO\n         RET\n         BR    14\n         MEND\n",
    )
    .unwrap();
    let src = dir.path().join("prog.asm");
    std::fs::write(&src, "PROG     START X'2000'\n         BALR  12,0\n         USING *,12\n         L     1,=F'5'\n         RET\n         END   PROG\n")
        .unwrap();
    let (img, obj, lst) =
        (dir.path().join("prog.img"), dir.path().join("prog.text"), dir.path().join("prog.lst"));
    let out = s370()
        .arg("asm")
        .arg(&src)
        .arg("-o")
        .arg(&img)
        .arg("--object")
        .arg(&obj)
        .arg("--listing")
        .arg(&lst)
        .arg("--maclib")
        .arg(&lib)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("at 002000, entry 002000"));
    let image = std::fs::read(&img).unwrap();
    assert_eq!(&image[..8], &[0x05, 0xC0, 0x58, 0x10, 0xC0, 0x06, 0x07, 0xFE]);
    assert_eq!(std::fs::read(&obj).unwrap().len() % 80, 0);
    assert!(std::fs::read_to_string(&lst).unwrap().contains("+         BR    14"));
    let out = s370()
        .arg("disasm")
        .arg(&img)
        .args(["--origin", "2000", "--range", "2002.6"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "002002  5810 C006       L     1,6(0,12)\n002006  07FE            BR    14\n"
    );
    let out = s370()
        .arg("disasm")
        .arg(&img)
        .args(["--origin", "2000", "--range", "1000.4"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("outside the image"));
}

#[test]
fn a_failed_assembly_reports_line_and_column_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("bad.asm");
    std::fs::write(&src, "BAD      CSECT\n         LR    1,99\n         END\n").unwrap();
    let lst = dir.path().join("bad.lst");
    let out = s370().arg("asm").arg(&src).arg("--listing").arg(&lst).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.asm: ** ERROR ** line 2 col 18: REGISTER 99 OUT OF RANGE 0-15"),
        "{err}"
    );
    assert!(std::fs::read_to_string(&lst).unwrap().contains("REGISTER 99 OUT OF RANGE"));
    assert!(!dir.path().join("bad.bin").exists(), "no image from a failed assembly");
}
