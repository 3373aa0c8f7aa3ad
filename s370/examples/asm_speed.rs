//! Measures the assembler: a generated program of several thousand statements (macro
//! expansions, literals, constants, DSECT mapping) is assembled repeatedly and the time per
//! assembly and per statement printed.
//!
//! `cargo run --release -p s370 --example asm_speed [STATEMENTS]`

use std::time::Instant;

use s370::asm::{Options, assemble};

fn program(blocks: usize) -> String {
    let mut s = String::from(
        "         MACRO\n&L       MOVE  &TO,&FROM,&LEN=8\n&L       MVC   &TO.(&LEN),&FROM\n         AIF   ('&LEN' LT '4').X\n         CLC   &TO.(4),=C'ABCD'\n.X       MEND\nSPEED    CSECT\n         USING WORK,8\n",
    );
    // Chunks of 50 blocks, each with its own base register, data and literal pool.
    for chunk in 0..blocks.div_ceil(50) {
        let range = chunk * 50..((chunk + 1) * 50).min(blocks);
        s.push_str(&format!("C{chunk:<7} BALR  12,0\n         USING *,12\n"));
        for k in range.clone() {
            s.push_str(&format!(
                "L{k:<7} L     1,=F'{k}'\n         A     1,CONST{k}\n         ST    1,WSUM\n         MOVE  WNAME,NAME{k},LEN=6\n         LH    2,=H'{}'\n         BCT   2,L{k}\n",
                k % 1000
            ));
        }
        s.push_str(&format!("         B     E{chunk}\n"));
        for k in range {
            s.push_str(&format!("CONST{k:<3} DC    F'{k}'\nNAME{k:<4} DC    CL8'N{k}'\n"));
        }
        s.push_str(&format!("         LTORG\nE{chunk:<7} DS    0H\n         DROP  12\n"));
    }
    s.push_str("WORK     DSECT\nWSUM     DS    F\nWNAME    DS    CL8\n         END   SPEED\n");
    s
}

fn main() {
    let blocks: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(1000);
    let src = program(blocks);
    let opts = Options::default();
    let first = assemble(&src, &opts).unwrap_or_else(|e| panic!("{e}"));
    let stmts = first
        .listing
        .lines()
        .filter(|l| l.len() > 41 && l[36..41].trim().parse::<u32>().is_ok())
        .count();
    let runs = 10;
    let t = Instant::now();
    for _ in 0..runs {
        let a = assemble(&src, &opts).expect("assembles");
        std::hint::black_box(&a.image);
    }
    let per = t.elapsed() / runs;
    println!(
        "{} source lines, {stmts} statements after macro expansion, {} bytes of code and data",
        src.lines().count(),
        first.image.len()
    );
    println!(
        "assembly: {:.2} ms per run ({:.2} us per statement, {:.0} statements per second)",
        per.as_secs_f64() * 1e3,
        per.as_secs_f64() * 1e6 / stmts as f64,
        stmts as f64 / per.as_secs_f64()
    );
}
