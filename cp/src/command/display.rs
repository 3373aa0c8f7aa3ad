//! DISPLAY, STORE and ADSTOP: looking at and changing the virtual machine's storage,
//! registers and PSW, and stopping it at an address (CP Command Reference).
//!
//! ```text
//! DISPLAY [L|T|K]hexloc[-hexloc2|:hexloc2|.count]  G[reg[-reg2|.n]]  Y[reg]  X[reg]
//!         PSW  CAW  CSW                            (several operands on a line)
//! STORE   [L]hexloc word...  Shexloc bytes  Greg word...  Xreg word...  Yreg dword...
//!         PSW [word1] word2  STATUS
//! ADSTOP  hexloc | OFF
//! ```
//!
//! Storage is shown four words to a line (`xxxxxx word1 word2 word3 word4`, with the key
//! when the line starts a 2K block), with the EBCDIC translation for `T`; keys as
//! `xxxxxx TO xxxxxx   KEY = kk`. R6 has no disassembling form; this CP adds one,
//! `Ihexloc[-hexloc2|.count]`, one instruction to a line (`xxxxxx  5810 C00E  L  1,14(0,12)`)
//! from [`s370::disasm`].

use crate::backend::{ArchRegs, S370Regs, X86Regs};
use crate::command::Ctx;
use crate::command::tokens::{Tokens, hex};
use crate::user::UserState;
use crate::vm::RunState;

/// The kind of the last explicit operand: later bare operands are of the same kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Hex,
    Translated,
    Keys,
    Gpr,
    Fpr,
    Cr,
    Insn,
}

/// A range as written after a location or register: `-end`, `:end`, `.count`.
fn range(spec: &str, radix_hex: bool) -> Option<(Option<u32>, Option<u32>)> {
    let parse = |s: &str| -> Option<u32> {
        if s.is_empty() {
            return None;
        }
        if radix_hex { hex(s, 6) } else { s.parse().ok().or_else(|| hex(s, 1)) }
    };
    if let Some(i) = spec.find(['-', ':']) {
        let (a, b) = (&spec[..i], &spec[i + 1..]);
        let a = if a.is_empty() { Some(0) } else { Some(parse(a)?) };
        let b = if b.is_empty() || b == "END" { None } else { Some(parse(b)?) };
        return Some((a, b.map(|b| b.wrapping_add(1))));
    }
    if let Some(i) = spec.find('.') {
        let a = if i == 0 { 0 } else { parse(&spec[..i])? };
        let n = &spec[i + 1..];
        let n = if n.is_empty() || n == "END" {
            return Some((Some(a), None));
        } else if radix_hex {
            hex(n, 6)?
        } else {
            n.parse().ok().or_else(|| hex(n, 1))?
        };
        if n == 0 {
            return None;
        }
        return Some((Some(a), Some(a + n)));
    }
    if spec.is_empty() {
        return Some((None, None));
    }
    let a = parse(spec)?;
    Some((Some(a), Some(a + 1)))
}

fn regs(st: &UserState) -> Option<ArchRegs> {
    st.vm.backend.regs().ok()
}

/// `DISPLAY operand...`.
pub fn display(ctx: &mut Ctx<'_>, st: &mut UserState, t: &mut Tokens<'_>) {
    let mut words: Vec<String> = Vec::new();
    while let Some(w) = t.next_upper() {
        words.push(w);
    }
    if words.is_empty() {
        words.push("0".into());
    }
    let mut kind = Kind::Hex;
    for w in words {
        let ok = match w.as_str() {
            "PSW" | "P" => show_psw(ctx, st),
            "CAW" => show_low(ctx, st, 0x48, 4, "CAW"),
            "CSW" => show_low(ctx, st, 0x40, 8, "CSW"),
            _ => {
                let (k, rest) = match w.as_bytes()[0] {
                    b'L' => (Kind::Hex, &w[1..]),
                    b'T' => (Kind::Translated, &w[1..]),
                    b'K' => (Kind::Keys, &w[1..]),
                    b'G' => (Kind::Gpr, &w[1..]),
                    b'R' => (Kind::Gpr, &w[1..]),
                    b'Y' => (Kind::Fpr, &w[1..]),
                    b'X' => (Kind::Cr, &w[1..]),
                    b'I' => (Kind::Insn, &w[1..]),
                    _ => (kind, w.as_str()),
                };
                kind = k;
                match k {
                    Kind::Gpr | Kind::Fpr | Kind::Cr => show_regs(ctx, st, k, rest),
                    Kind::Insn => show_insns(ctx, st, rest),
                    _ => show_storage(ctx, st, k, rest),
                }
            }
        };
        if !ok {
            ctx.error(st, "DMKCDB003E", format!("INVALID OPTION - {w}"));
            return;
        }
    }
}

fn show_psw(ctx: &mut Ctx<'_>, st: &UserState) -> bool {
    match regs(st) {
        Some(ArchRegs::S370(r)) => {
            ctx.say(format!("PSW = {:08X}  {:08X}", r.psw >> 32, r.psw & 0xFFFF_FFFF));
        }
        Some(ArchRegs::X86(r)) => ctx.say(format!("PSW = {:016X}  {:016X}", r.rflags, r.rip)),
        None => return false,
    }
    true
}

fn show_low(ctx: &mut Ctx<'_>, st: &mut UserState, at: u64, len: usize, name: &str) -> bool {
    let mut b = vec![0u8; len];
    if st.vm.memory().read(at, &mut b).is_err() {
        return false;
    }
    let words: Vec<String> =
        b.chunks(4).map(|c| c.iter().map(|x| format!("{x:02X}")).collect()).collect();
    ctx.say(format!("{name} = {}", words.join("  ")));
    true
}

fn show_regs(ctx: &mut Ctx<'_>, st: &UserState, k: Kind, spec: &str) -> bool {
    let Some(r) = regs(st) else { return false };
    let Some((a, b)) = range(spec, false) else { return false };
    match (k, r) {
        (Kind::Gpr, ArchRegs::S370(r)) => word_regs(ctx, "GPR", &r.gpr, a, b),
        (Kind::Cr, ArchRegs::S370(r)) => {
            // Only control register 0 exists without ECMODE.
            let n = if st.settings.ecmode { 16 } else { 1 };
            word_regs(ctx, "ECR", &r.cr[..n], a, b.map(|b| b.min(n as u32)).or(Some(n as u32)))
        }
        (Kind::Fpr, ArchRegs::S370(r)) => fpr_regs(ctx, &r, a, b),
        (Kind::Gpr, ArchRegs::X86(r)) => x86_regs(ctx, &r, a, b),
        _ => false,
    }
}

fn word_regs(ctx: &mut Ctx<'_>, name: &str, r: &[u32], a: Option<u32>, b: Option<u32>) -> bool {
    let first = a.unwrap_or(0) as usize;
    let end = b.map_or(r.len(), |b| b as usize);
    if first >= r.len() || end > r.len() || end <= first {
        return false;
    }
    let mut i = first;
    while i < end {
        let last = (i + 4).min(end);
        let words: Vec<String> = r[i..last].iter().map(|w| format!("{w:08X}")).collect();
        ctx.say(format!("{name} {i:>2} = {}", words.join(" ")));
        i = last;
    }
    true
}

/// A long hexadecimal floating-point number in R6's E format: `.ddddddddddddddddd E xx`.
fn e_format(v: u64) -> String {
    let sign = if v >> 63 != 0 { "-" } else { "" };
    let exp = ((v >> 56) & 0x7F) as i32 - 64;
    let frac = v & 0x00FF_FFFF_FFFF_FFFF;
    if frac == 0 {
        return format!("{sign}.00000000000000000 E 00");
    }
    let value = frac as f64 / (1u64 << 56) as f64 * 16f64.powi(exp);
    let mut e = value.log10().floor() as i32 + 1;
    let mut m = value / 10f64.powi(e);
    if m >= 1.0 {
        m /= 10.0;
        e += 1;
    }
    // f64 holds about 16 significant digits; the 17th is shown as 0.
    let digits = format!("{m:.16}");
    let digits = digits.trim_start_matches('0');
    let es = if e < 0 { '-' } else { '+' };
    format!("{sign}{digits}0 E{es}{:02}", e.abs())
}

fn fpr_regs(ctx: &mut Ctx<'_>, r: &S370Regs, a: Option<u32>, b: Option<u32>) -> bool {
    let first = a.unwrap_or(0) & !1;
    let end = b.unwrap_or(8).min(8);
    if first > 6 || end <= first {
        return false;
    }
    let mut n = first;
    while n < end {
        let v = r.fpr[(n / 2) as usize];
        ctx.say(format!("FPR {n} = {v:016X}  {}", e_format(v)));
        n += 2;
    }
    true
}

fn x86_regs(ctx: &mut Ctx<'_>, r: &X86Regs, a: Option<u32>, b: Option<u32>) -> bool {
    let first = a.unwrap_or(0) as usize;
    let end = b.map_or(16, |b| (b as usize).min(16));
    if first >= end {
        return false;
    }
    for i in (first..end).step_by(2) {
        let words: Vec<String> =
            r.gpr[i..(i + 2).min(end)].iter().map(|w| format!("{w:016X}")).collect();
        ctx.say(format!("GPR {i:>2} = {}", words.join(" ")));
    }
    true
}

fn ebcdic_text(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| {
            let c = s370::ebcdic::CodePage::Cp037.to_char(b);
            if b >= 0x40 && (c.is_ascii_graphic() || c == ' ') { c } else { '.' }
        })
        .collect()
}

/// A storage key as DISPLAY shows it: access key and fetch-protection bit, without the
/// reference and change bits the processor keeps beside them.
fn shown_key(st: &mut UserState, addr: u32) -> u8 {
    st.vm.memory().storage_key(u64::from(addr)).unwrap_or(0) & 0xF8
}

fn show_storage(ctx: &mut Ctx<'_>, st: &mut UserState, k: Kind, spec: &str) -> bool {
    let size = st.vm.memory().size() as u32;
    let Some((a, b)) = range(spec, true) else { return false };
    // A bare letter (`T`, `K`, `L`) shows all of storage.
    let whole = spec.is_empty();
    let first = if whole { 0 } else { a.unwrap_or(0) };
    let end = if whole { size } else { b.unwrap_or(size) };
    if first >= size || end > size.saturating_add(1) || end <= first {
        ctx.error(st, "DMKCDB160E", format!("HEXLOC {first:06X} EXCEEDS STORAGE"));
        return true;
    }
    let end = end.min(size);
    if k == Kind::Keys {
        let mut block = first & !0x7FF;
        while block < end {
            let key = shown_key(st, block);
            let mut last = block + 0x800;
            while last < end && shown_key(st, last) == key {
                last += 0x800;
            }
            ctx.say(format!("{block:06X} TO {:06X}   KEY = {key:02X}", last - 1));
            block = last;
        }
        return true;
    }
    let align = if k == Kind::Translated { 16 } else { 4 };
    let mut at = first & !(align - 1);
    let end = end.div_ceil(4) * 4;
    while at < end {
        let line_end = ((at & !15) + 16).min(end);
        let mut bytes = vec![0u8; (line_end - at) as usize];
        if st.vm.memory().read(u64::from(at), &mut bytes).is_err() {
            return false;
        }
        let words: Vec<String> =
            bytes.chunks(4).map(|c| c.iter().map(|x| format!("{x:02X}")).collect()).collect();
        let mut line = format!("{at:06X} {}", words.join(" "));
        if at % 0x800 == 0 {
            let key = shown_key(st, at);
            line.push_str(&format!(" ({key:02X})"));
        }
        if k == Kind::Translated {
            line.push_str(&format!(" *{}*", ebcdic_text(&bytes)));
        }
        ctx.say(line);
        at = line_end;
    }
    true
}

/// `Ihexloc[-hexloc2|.count]`: instructions, disassembled (an addition to R6's DISPLAY).
fn show_insns(ctx: &mut Ctx<'_>, st: &mut UserState, spec: &str) -> bool {
    let size = st.vm.memory().size() as u32;
    let Some((a, b)) = range(spec, true) else { return false };
    let first = a.unwrap_or(0) & !1;
    let end = b.unwrap_or(first + 1).min(size);
    if first >= size || end <= first {
        ctx.error(st, "DMKCDB160E", format!("HEXLOC {first:06X} EXCEEDS STORAGE"));
        return true;
    }
    // Enough bytes for the last instruction to be whole.
    let mut bytes = vec![0u8; ((end - first) + 5).min(size - first) as usize];
    if st.vm.memory().read(u64::from(first), &mut bytes).is_err() {
        return false;
    }
    let opts = s370::disasm::Options::default();
    for l in s370::disasm::lines(&bytes, first, &opts) {
        if l.addr >= end {
            break;
        }
        let obj: Vec<String> =
            l.bytes.chunks(2).map(|c| c.iter().map(|b| format!("{b:02X}")).collect()).collect();
        let line = format!(
            "{:06X}  {:<14}  {:<6}{}",
            l.addr,
            obj.join(" "),
            l.decoded.mnemonic,
            l.decoded.operands
        );
        ctx.say(line.trim_end().to_string());
    }
    true
}

/// A value of at most `digits` hex digits.
fn hexword(w: &str, digits: usize) -> Option<u64> {
    if w.is_empty() || w.len() > digits {
        return None;
    }
    u64::from_str_radix(w, 16).ok()
}

fn is_data(w: &str) -> bool {
    !w.is_empty() && w.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Parses a register number (decimal 0-15 or one hex digit).
fn reg_number(s: &str) -> Option<usize> {
    let n: usize = s.parse().ok().or_else(|| hex(s, 1).map(|v| v as usize))?;
    (n < 16).then_some(n)
}

/// `STORE operand data...`.
pub fn store(ctx: &mut Ctx<'_>, st: &mut UserState, t: &mut Tokens<'_>) {
    let mut words: Vec<String> = Vec::new();
    while let Some(w) = t.next_upper() {
        words.push(w);
    }
    if words.is_empty() {
        return ctx.error(st, "DMKCDS026E", "OPERAND MISSING OR INVALID");
    }
    let mut i = 0;
    while i < words.len() {
        let head = words[i].clone();
        let mut data = Vec::new();
        i += 1;
        while i < words.len() && is_data(&words[i]) {
            data.push(words[i].clone());
            i += 1;
        }
        if let Err(bad) = store_one(ctx, st, &head, &data) {
            return ctx.error(st, "DMKCDS003E", format!("INVALID OPTION - {bad}"));
        }
    }
    ctx.say("STORE COMPLETE");
}

fn store_one(
    ctx: &mut Ctx<'_>,
    st: &mut UserState,
    head: &str,
    data: &[String],
) -> Result<(), String> {
    let bad = || head.to_string();
    if head == "STATUS" {
        return store_status(st).ok_or_else(bad);
    }
    if head == "PSW" || head == "P" {
        let Some(ArchRegs::S370(mut r)) = regs(st) else { return Err(bad()) };
        let words: Vec<u64> =
            data.iter().map(|w| hexword(w, 8)).collect::<Option<_>>().ok_or_else(bad)?;
        match words.as_slice() {
            [w2] => r.psw = (r.psw & 0xFFFF_FFFF_0000_0000) | w2,
            [w1, w2] => r.psw = (w1 << 32) | w2,
            _ => return Err(bad()),
        }
        st.vm.backend.set_regs(&ArchRegs::S370(r)).map_err(|_| bad())?;
        make_resumable(st);
        return Ok(());
    }
    if data.is_empty() {
        return Err(bad());
    }
    let (first, rest) = head.split_at(1);
    match first {
        "G" | "X" | "Y" => {
            let Some(ArchRegs::S370(mut r)) = regs(st) else { return Err(bad()) };
            let n = reg_number(rest).ok_or_else(bad)?;
            for (k, w) in data.iter().enumerate() {
                match first {
                    "G" => {
                        *r.gpr.get_mut(n + k).ok_or_else(bad)? =
                            hexword(w, 8).ok_or_else(bad)? as u32
                    }
                    "X" => {
                        if !st.settings.ecmode && n + k > 0 {
                            return Err(bad());
                        }
                        *r.cr.get_mut(n + k).ok_or_else(bad)? =
                            hexword(w, 8).ok_or_else(bad)? as u32;
                    }
                    _ => {
                        let v = hexword(w, 16).ok_or_else(bad)?;
                        let v = v << (4 * (16 - w.len()));
                        *r.fpr.get_mut(n / 2 + k).ok_or_else(bad)? = v;
                    }
                }
            }
            st.vm.backend.set_regs(&ArchRegs::S370(r)).map_err(|_| bad())
        }
        "S" => {
            let at = hex(rest, 6).ok_or_else(bad)?;
            let mut bytes = Vec::new();
            let mut odd = false;
            for w in data {
                let even = &w[..w.len() & !1];
                odd |= w.len() % 2 == 1;
                for p in (0..even.len()).step_by(2) {
                    bytes.push(u8::from_str_radix(&even[p..p + 2], 16).map_err(|_| bad())?);
                }
            }
            st.vm.memory().write(u64::from(at), &bytes).map_err(|_| bad())?;
            if odd {
                ctx.error(st, "DMKCDS004E", "HEXDATA MISSING OR INVALID");
            }
            Ok(())
        }
        _ => {
            let loc = if first == "L" { rest } else { head };
            let at = hex(loc, 6).ok_or_else(bad)? & !3;
            let mut bytes = Vec::new();
            for w in data {
                let v = hexword(w, 16).ok_or_else(bad)?;
                if w.len() > 8 {
                    bytes.extend_from_slice(&v.to_be_bytes());
                } else {
                    bytes.extend_from_slice(&(v as u32).to_be_bytes());
                }
            }
            st.vm.memory().write(u64::from(at), &bytes).map_err(|_| bad())
        }
    }
}

/// STORE STATUS: the PSW at X'100', floating-point registers at X'160', general registers
/// at X'180', control registers at X'1C0' (the CPU timer and clock comparator fields are not
/// stored: the backend does not expose them).
fn store_status(st: &mut UserState) -> Option<()> {
    let Some(ArchRegs::S370(r)) = regs(st) else { return None };
    if !st.settings.ecmode {
        return None;
    }
    let mem = st.vm.memory();
    mem.write(0x100, &r.psw.to_be_bytes()).ok()?;
    let f: Vec<u8> = r.fpr.iter().flat_map(|v| v.to_be_bytes()).collect();
    mem.write(0x160, &f).ok()?;
    let g: Vec<u8> = r.gpr.iter().flat_map(|v| v.to_be_bytes()).collect();
    mem.write(0x180, &g).ok()?;
    let c: Vec<u8> = r.cr.iter().flat_map(|v| v.to_be_bytes()).collect();
    mem.write(0x1C0, &c).ok()
}

/// A machine given a PSW by hand can be started with BEGIN.
fn make_resumable(st: &mut UserState) {
    if matches!(st.vm.state, RunState::NotIpled | RunState::Stopped(_)) {
        st.vm.state = RunState::Running;
    }
}

/// `ADSTOP hexloc|OFF`: stop the machine when the instruction at `hexloc` is next.
pub fn adstop(ctx: &mut Ctx<'_>, st: &mut UserState, t: &mut Tokens<'_>) {
    match t.next_upper().as_deref() {
        Some("OFF") => st.adstop = None,
        Some(w) => match hex(w, 6) {
            Some(a) if u64::from(a) < st.vm.memory().size() && a % 2 == 0 => st.adstop = Some(a),
            _ => ctx.error(st, "DMKCDB009E", format!("INVALID HEXLOC - {w}")),
        },
        None => ctx.error(st, "DMKCDB026E", "OPERAND MISSING OR INVALID"),
    }
}
