//! EXEC 1, the command procedure language of VM/370 R6 (`cms/doc/exec.md`).
//!
//! An EXEC file is read whole; each line is split into tokens, a label taken off, and the
//! statement classified by its unsubstituted tokens: a control word, an assignment (`&x =`), or
//! a CMS command. Substitution happens per statement as the statement needs it (an `&IF`
//! substitutes its condition, then runs the rest as a statement of its own; an `&ERROR` action is
//! kept unscanned). Control flow is a line index; `&LOOP`s are a stack of bodies.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::plist;
use super::{Cms, Host, Origin, rc5};
use crate::fs::{FileId, RecFm, ebcdic};

/// The deepest EXEC nesting (exec.md §1).
const MAX_DEPTH: u32 = 199;
/// The most `&LOOP`s open at once.
const MAX_LOOPS: usize = 4;
/// The most tokens in a statement.
const MAX_TOKENS: usize = 32;
/// Largest and smallest EXEC numbers.
const NUM_MAX: i64 = 99_999_999;
const NUM_MIN: i64 = -9_999_999;

/// The control words, as the R6 interpreter's table lists them.
const CONTROL_WORDS: &[&str] = &[
    "&CONTINUE",
    "&COMMENT",
    "&IF",
    "&SKIP",
    "&STACK",
    "&SPACE",
    "&CONTROL",
    "&TRACE",
    "&HEX",
    "&TIME",
    "&ERROR",
    "&EXIT",
    "&BEGSTACK",
    "&TYPE",
    "&EMSG",
    "&BEGEMSG",
    "&PUNCH",
    "&BEGTYPE",
    "&BEGPUNCH",
    "&GOTO",
    "&LOOP",
    "&READ",
    "&ARGS",
    "&END",
];

/// The reason texts of the interpreter's errors (exec.md §9).
fn reason(n: u32) -> &'static str {
    match n {
        1 => "FILE NOT FOUND",
        2 => "&SKIP OR &GOTO ERROR",
        3 => "BAD FILE FORMAT",
        4 => "TOO MANY ARGUMENTS",
        5 => "MAX DEPTH OF LOOP NESTING EXCEEDED",
        6 => "ERROR READING FILE",
        7 => "INVALID SYNTAX",
        8 => "INVALID FORM OF CONDITION",
        9 => "INVALID ASSIGNMENT",
        10 => "MISUSE OF SPECIAL VARIABLE",
        11 => "ERROR IN &ERROR ACTION",
        12 => "CONVERSION ERROR",
        13 => "TOO MANY TOKENS IN STATEMENT",
        14 => "MISUSE OF BUILT-IN FUNCTION",
        15 => "EOF FOUND IN LOOP",
        16 => "INVALID CONTROL WORD",
        17 => "EXEC ARITHMETIC UNDERFLOW",
        18 => "EXEC ARITHMETIC OVERFLOW",
        19 => "INVALID CHAR IN VARIABLE SYMBOL",
        30 => "EXEC DIVIDE BY ZERO",
        _ => "EXEC ERROR",
    }
}

/// What `&CONTROL` shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Show {
    Cms,
    All,
    Error,
    Off,
}

#[derive(Debug, Clone, Copy)]
struct Control {
    show: Show,
    time: bool,
    msg: bool,
    pack: bool,
}

impl Default for Control {
    fn default() -> Control {
        Control { show: Show::Cms, time: false, msg: true, pack: true }
    }
}

/// An open `&LOOP`: its body is lines `start..=end` (0-based indexes).
#[derive(Debug, Clone)]
struct Loop {
    start: usize,
    end: usize,
    left: Option<u32>,
    cond: Option<Vec<String>>,
}

/// What a statement does to the flow of control.
enum Flow {
    /// Go on with the next line.
    Next,
    /// Go on at this line as if it were the next one (the end of a loop body counts).
    Resume(usize),
    /// Jump: loops the target is outside of end.
    Goto(usize),
    /// End the EXEC with this return code.
    Exit(i32),
}

/// One running EXEC.
struct Exec {
    name: String,
    /// The lines as scanned (F files: columns 1-72).
    lines: Vec<String>,
    /// The lines in full (for `&BEGxxx ALL`).
    full: Vec<String>,
    vars: BTreeMap<String, String>,
    args: Vec<String>,
    control: Control,
    error_action: Option<Vec<String>>,
    loops: Vec<Loop>,
    hex: bool,
    retcode: i32,
    /// The line being executed (0-based).
    line: usize,
    time: bool,
    time_base: (u64, u64),
    /// CMS commands run so far (to tell whether an `&ERROR` action ran one).
    commands: u32,
    in_error_action: bool,
}

/// An interpreter error: its number.
type Err = u32;

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '#' | '@' | '$')
}

/// An EXEC number: an optional sign and digits, at most 8 characters.
fn numeric(s: &str) -> Option<i64> {
    if s.is_empty() || s.len() > 8 {
        return None;
    }
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Tokens of an EXEC line: blanks separate, parentheses stand alone, each cut to 8.
fn tokenize(line: &str) -> Vec<String> {
    plist::tokens(line)
}

impl<H: Host> Cms<'_, H> {
    /// Runs `name EXEC` with `args` and returns its return code (800 + n after error n).
    pub(super) fn run_exec(&mut self, name: &str, args: &[String]) -> i32 {
        let name = plist::cut8(name);
        let error0 = |me: &mut Self, n: u32| {
            me.message("DMSEXT072E", &format!("ERROR IN EXEC FILE {name}, LINE 0 - {}", reason(n)));
            800 + n as i32
        };
        let Ok(id) = FileId::new(&name, "EXEC") else { return error0(self, 1) };
        let Some((letter, fst)) = self.disks.find(&id, super::disks::Scope::All) else {
            return error0(self, 1);
        };
        if fst.lrecl > 130 {
            return error0(self, 3);
        }
        if args.len() > 30 {
            return error0(self, 4);
        }
        if self.exec_depth >= MAX_DEPTH {
            return error0(self, 5);
        }
        let Some(d) = self.disks.get_mut(letter) else { return error0(self, 1) };
        let Ok(recs) = d.fs.read_records(&id) else { return error0(self, 6) };
        let fixed = fst.recfm == RecFm::F;
        let full: Vec<String> =
            recs.iter().map(|r| ebcdic::decode(&r[..r.len().min(130)])).collect();
        let lines: Vec<String> = recs
            .iter()
            .map(|r| ebcdic::decode(&r[..if fixed { r.len().min(72) } else { r.len().min(130) }]))
            .collect();
        let args = args
            .iter()
            .map(|a| if a == "%" || a.starts_with('\u{FF}') { String::new() } else { a.clone() })
            .collect();
        let c = self.host.clock();
        let mut ex = Exec {
            name,
            lines,
            full,
            vars: BTreeMap::new(),
            args,
            control: Control::default(),
            error_action: None,
            loops: Vec::new(),
            hex: false,
            retcode: 0,
            line: 0,
            time: false,
            time_base: (c.virt_us, c.total_us),
            commands: 0,
            in_error_action: false,
        };
        self.exec_depth += 1;
        let saved_nomsg = self.nomsg;
        let rc = match self.exec_body(&mut ex) {
            Ok(rc) => rc,
            Err(n) => {
                self.message(
                    "DMSEXT072E",
                    &format!(
                        "ERROR IN EXEC FILE {}, LINE {} - {}",
                        ex.name,
                        ex.line + 1,
                        reason(n)
                    ),
                );
                800 + n as i32
            }
        };
        self.nomsg = saved_nomsg;
        self.exec_depth = self.exec_depth.saturating_sub(1);
        rc
    }

    fn exec_body(&mut self, ex: &mut Exec) -> Result<i32, Err> {
        let mut pc = 0usize;
        loop {
            if self.halted() {
                return Ok(0);
            }
            if pc >= ex.lines.len() {
                if !ex.loops.is_empty() {
                    return Err(15);
                }
                return Ok(0);
            }
            ex.line = pc;
            let text = ex.lines[pc].clone();
            let flow = self.exec_line(ex, &text)?;
            match flow {
                Flow::Exit(rc) => return Ok(rc),
                Flow::Goto(target) => {
                    ex.loops.retain(|l| target >= l.start && target <= l.end);
                    pc = target;
                }
                Flow::Next | Flow::Resume(_) => {
                    pc = match flow {
                        Flow::Resume(t) => t,
                        _ => pc + 1,
                    };
                    // The end of loop bodies: go round again or leave.
                    while let Some(top) = ex.loops.last().cloned() {
                        if pc != top.end + 1 {
                            break;
                        }
                        if self.loop_again(ex)? {
                            pc = top.start;
                            break;
                        }
                        ex.loops.pop();
                    }
                }
            }
        }
    }

    /// Whether the innermost loop runs its body (again).
    fn loop_again(&mut self, ex: &mut Exec) -> Result<bool, Err> {
        let Some(top) = ex.loops.last_mut() else { return Ok(false) };
        if let Some(n) = top.left.as_mut() {
            if *n == 0 {
                return Ok(false);
            }
            *n -= 1;
            return Ok(true);
        }
        let cond = top.cond.clone().unwrap_or_default();
        Ok(!self.condition(ex, &cond)?.unwrap_or(false))
    }

    /// Executes one line; `text` is already cut to the scanned columns.
    fn exec_line(&mut self, ex: &mut Exec, text: &str) -> Result<Flow, Err> {
        let trimmed = text.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('*') {
            return Ok(Flow::Next);
        }
        let mut toks = tokenize(text);
        if toks.len() > MAX_TOKENS {
            return Err(13);
        }
        if toks.first().is_some_and(|t| t.starts_with('-')) {
            toks.remove(0);
        }
        self.statement(ex, &toks)
    }

    /// Executes a statement from its unsubstituted tokens.
    fn statement(&mut self, ex: &mut Exec, toks: &[String]) -> Result<Flow, Err> {
        let Some(first) = toks.first() else { return Ok(Flow::Next) };
        if CONTROL_WORDS.iter().any(|w| plist::cut8(w) == *first) {
            return self.control(ex, toks);
        }
        if toks.get(1).is_some_and(|t| t == "=") {
            return self.assign(ex, toks);
        }
        if first.starts_with('&') {
            match self.lookup(ex, first)? {
                Some(_) => {}
                None => return Err(16),
            }
        }
        let words = self.substitute_all(ex, toks, true)?;
        self.command(ex, &words)
    }

    // ---- substitution ------------------------------------------------------------------

    /// The value of variable symbol `sym` (with its `&`), `None` when it is undefined.
    fn lookup(&self, ex: &Exec, sym: &str) -> Result<Option<String>, Err> {
        if let Some(v) = ex.vars.get(sym) {
            return Ok(Some(v.clone()));
        }
        let name = &sym[1..];
        if let Ok(n) = name.parse::<usize>() {
            if n == 0 {
                return Ok(Some(ex.name.clone()));
            }
            return Ok(if n <= 30 { ex.args.get(n - 1).cloned() } else { None });
        }
        Ok(match name {
            "EXEC" => Some(ex.name.clone()),
            "INDEX" => Some(ex.args.len().to_string()),
            "RETCODE" => Some(ex.retcode.to_string()),
            "DISK*" => Some(self.disks.first_rw().map_or("NONE".into(), |l| l.to_string())),
            "DISK?" => Some(self.disks.most_free_rw().map_or("NONE".into(), |l| l.to_string())),
            "DOS" => Some("OFF".into()),
            "GLOBAL" => Some(self.exec_depth.to_string()),
            "LINENUM" => Some((ex.line + 1).to_string()),
            // The 8-character tokens of `&READFLAG` and `&TYPEFLAG`.
            "READFLAG" | "READFLA" => {
                Some(if self.stack.is_empty() { "CONSOLE" } else { "STACK" }.into())
            }
            "TYPEFLAG" | "TYPEFLA" => Some(if self.halt_typing { "HT" } else { "RT" }.into()),
            _ => {
                if let Some(d) = name.strip_prefix("GLOBAL")
                    && let Ok(i) = d.parse::<usize>()
                    && i < 10
                {
                    Some(self.globals[i].to_string())
                } else if let Some(l) = name.strip_prefix("DISK")
                    && l.len() == 1
                    && l.chars().all(|c| c.is_ascii_uppercase())
                {
                    let l = l.chars().next().expect("one letter");
                    Some(if self.disks.get(l).is_some() { "CMS" } else { "NA" }.into())
                } else {
                    None
                }
            }
        })
    }

    /// Substitutes the variable symbols in one token, rescanning up to 8 times; the result is
    /// cut to 8 characters.
    fn substitute(&self, ex: &Exec, tok: &str) -> Result<String, Err> {
        let mut cur = tok.to_string();
        for _ in 0..8 {
            if !cur.contains('&') {
                break;
            }
            let chars: Vec<char> = cur.chars().collect();
            let mut out = String::new();
            let mut changed = false;
            let mut i = 0;
            while i < chars.len() {
                if chars[i] != '&' {
                    out.push(chars[i]);
                    i += 1;
                    continue;
                }
                let mut j = i + 1;
                while j < chars.len() && is_name_char(chars[j]) {
                    j += 1;
                }
                let mut sym: String = chars[i..j].iter().collect();
                // `&*`, `&$`, `&DISK*`, `&DISK?`.
                if j < chars.len()
                    && (chars[j] == '*' || chars[j] == '?')
                    && (sym == "&" || sym == "&DISK")
                {
                    sym.push(chars[j]);
                    j += 1;
                } else if sym == "&" && j < chars.len() && chars[j] == '$' {
                    sym.push('$');
                    j += 1;
                }
                if sym == "&" || sym.chars().count() > 8 {
                    return Err(19);
                }
                match self.lookup(ex, &sym)? {
                    Some(v) => {
                        out.push_str(&v);
                        changed = true;
                    }
                    None => changed = true,
                }
                i = j;
            }
            cur = out;
            if !changed {
                break;
            }
        }
        Ok(plist::cut8(&cur))
    }

    /// Substitutes every token (honouring `&LITERAL`, `X'n` under `&HEX`); empty tokens
    /// are dropped.
    fn substitute_all(&self, ex: &Exec, toks: &[String], hex: bool) -> Result<Vec<String>, Err> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < toks.len() {
            if toks[i] == "&LITERAL" {
                if let Some(t) = toks.get(i + 1) {
                    out.push(t.clone());
                }
                i += 2;
                continue;
            }
            if matches!(toks[i].as_str(), "&CONCAT" | "&DATATYP" | "&LENGTH" | "&SUBSTR") {
                return Err(14);
            }
            let s = self.substitute(ex, &toks[i])?;
            let s = if ex.hex && hex { hex_token(&s) } else { s };
            if !s.is_empty() {
                out.push(s);
            }
            i += 1;
        }
        Ok(out)
    }

    // ---- statements ----------------------------------------------------------------------

    /// Shows a statement under `&CONTROL ALL`.
    fn trace(&mut self, ex: &Exec, words: &[String]) {
        if ex.control.show == Show::All {
            let l = super::join(words);
            self.say(&l);
        }
    }

    fn assign(&mut self, ex: &mut Exec, toks: &[String]) -> Result<Flow, Err> {
        // The target: symbols after the first are substituted.
        let target = &toks[0];
        let name = match target[1..].find('&') {
            Some(p) => format!("{}{}", &target[..p + 1], self.substitute(ex, &target[p + 1..])?),
            None => target.clone(),
        };
        let name = plist::cut8(&name);
        let rhs = &toks[2..];
        let value = self.expression(ex, rhs)?;
        if ex.control.show == Show::All {
            let mut shown = alloc::vec![name.clone(), "=".to_string()];
            if !value.is_empty() {
                shown.push(value.clone());
            }
            self.trace(ex, &shown);
        }
        self.set_var(ex, &name, value)?;
        Ok(Flow::Next)
    }

    fn set_var(&mut self, ex: &mut Exec, name: &str, value: String) -> Result<(), Err> {
        let bare = &name[1..];
        if matches!(
            bare,
            "INDEX"
                | "LINENUM"
                | "EXEC"
                | "GLOBAL"
                | "READFLAG"
                | "READFLA"
                | "TYPEFLAG"
                | "TYPEFLA"
                | "*"
                | "$"
        ) || bare.is_empty()
        {
            return Err(10);
        }
        if let Ok(n) = bare.parse::<usize>() {
            if n > 30 {
                return Err(10);
            }
            if n == 0 {
                ex.vars.insert(name.to_string(), value);
                return Ok(());
            }
            while ex.args.len() < n {
                ex.args.push(String::new());
            }
            ex.args[n - 1] = value;
            return Ok(());
        }
        if let Some(d) = bare.strip_prefix("GLOBAL")
            && let Ok(i) = d.parse::<usize>()
            && i < 10
        {
            self.globals[i] = numeric(&value).ok_or(10u32)? as i32;
            return Ok(());
        }
        if !bare.chars().all(is_name_char) && !matches!(bare, "DISK*" | "DISK?") {
            return Err(19);
        }
        ex.vars.insert(name.to_string(), value);
        Ok(())
    }

    /// The right side of an assignment.
    fn expression(&mut self, ex: &Exec, rhs: &[String]) -> Result<String, Err> {
        let Some(first) = rhs.first() else { return Ok(String::new()) };
        // Built-in functions see null operands as null tokens.
        let operands = |me: &Self, from: usize| -> Result<Vec<String>, Err> {
            rhs[from..].iter().map(|t| me.substitute(ex, t)).collect()
        };
        match first.as_str() {
            "&LITERAL" => return Ok(rhs.get(1).cloned().unwrap_or_default()),
            "&CONCAT" => return Ok(plist::cut8(&operands(self, 1)?.concat())),
            "&DATATYP" => {
                let v = operands(self, 1)?;
                let t = v.first().cloned().unwrap_or_default();
                return Ok(if numeric(&t).is_some() { "NUM" } else { "CHAR" }.into());
            }
            "&LENGTH" => {
                let v = operands(self, 1)?;
                let t = v.first().cloned().unwrap_or_default();
                return Ok(t.chars().filter(|&c| c != ' ').count().to_string());
            }
            "&SUBSTR" => {
                let v = operands(self, 1)?;
                let t = v.first().cloned().unwrap_or_default();
                let Some(i) = v.get(1).and_then(|s| numeric(s)) else { return Err(14) };
                let n = match v.get(2) {
                    Some(s) => Some(numeric(s).ok_or(14u32)?),
                    None => None,
                };
                if i < 1 || n.is_some_and(|n| n < 0) {
                    return Err(14);
                }
                let chars: Vec<char> = t.chars().collect();
                let start = (i - 1) as usize;
                if start >= chars.len() {
                    return Ok(String::new());
                }
                let end = n.map_or(chars.len(), |n| (start + n as usize).min(chars.len()));
                return Ok(chars[start..end].iter().collect());
            }
            _ => {}
        }
        let vals = self.substitute_all(ex, rhs, false)?;
        if vals.is_empty() {
            return Ok(String::new());
        }
        if vals.len() == 1 {
            let v = &vals[0];
            if ex.hex
                && let Some(h) = v.strip_prefix("X'")
            {
                if h.is_empty() || h.len() > 6 {
                    return Err(12);
                }
                return i64::from_str_radix(h, 16).map(|n| n.to_string()).map_err(|_| 12);
            }
            return Ok(v.clone());
        }
        // Arithmetic: operand (op operand)*, left to right.
        let is_op = |s: &str| matches!(s, "+" | "-" | "*" | "/");
        if vals.len() % 2 == 0 || !vals.iter().skip(1).step_by(2).all(|s| is_op(s)) {
            return Err(9);
        }
        let mut acc = numeric(&vals[0]).ok_or(12u32)?;
        let mut i = 1;
        while i < vals.len() {
            let b = numeric(&vals[i + 1]).ok_or(12u32)?;
            acc = match vals[i].as_str() {
                "+" => acc + b,
                "-" => acc - b,
                "*" => acc.saturating_mul(b),
                _ => {
                    if b == 0 {
                        return Err(30);
                    }
                    acc / b
                }
            };
            if acc > NUM_MAX {
                return Err(18);
            }
            if acc < NUM_MIN {
                return Err(17);
            }
            i += 2;
        }
        Ok(acc.to_string())
    }

    /// Evaluates `a op b` (substituting); `Ok(None)` when `&*`/`&$` meet no arguments.
    fn condition(&mut self, ex: &Exec, toks: &[String]) -> Result<Option<bool>, Err> {
        let expand = |me: &Self, t: &String| -> Result<Option<Vec<String>>, Err> {
            match t.as_str() {
                "&*" | "&$" => Ok(Some(ex.args.clone())),
                _ => {
                    let s = me.substitute(ex, t)?;
                    let s = if ex.hex { hex_token(&s) } else { s };
                    Ok(if s.is_empty() { None } else { Some(alloc::vec![s]) })
                }
            }
        };
        let mut parts: Vec<(String, Option<Vec<String>>)> = Vec::new();
        for t in toks.iter().take(3) {
            if let Some(v) = expand(self, t)? {
                parts.push((t.clone(), Some(v)));
            }
        }
        if parts.len() < 3 {
            return Err(8);
        }
        let op = parts[1].1.as_ref().and_then(|v| v.first()).cloned().unwrap_or_default();
        let op = match op.as_str() {
            "EQ" | "=" => 0,
            "NE" | "¬=" => 1,
            "LT" | "<" => 2,
            "LE" | "<=" => 3,
            "GT" | ">" => 4,
            "GE" | ">=" => 5,
            _ => return Err(8),
        };
        let cmp = |a: &str, b: &str| -> bool {
            let ord = match (numeric(a), numeric(b)) {
                (Some(x), Some(y)) => x.cmp(&y),
                _ => pad8(a).cmp(&pad8(b)),
            };
            match op {
                0 => ord.is_eq(),
                1 => ord.is_ne(),
                2 => ord.is_lt(),
                3 => ord.is_le(),
                4 => ord.is_gt(),
                _ => ord.is_ge(),
            }
        };
        let (la, lb) = (&parts[0], &parts[2]);
        let av = la.1.clone().unwrap_or_default();
        let bv = lb.1.clone().unwrap_or_default();
        let all = la.0 == "&*" || lb.0 == "&*";
        let any = la.0 == "&$" || lb.0 == "&$";
        if (all || any) && ex.args.is_empty() {
            return Ok(None);
        }
        let mut results = Vec::new();
        for a in &av {
            for b in &bv {
                results.push(cmp(a, b));
            }
        }
        Ok(Some(if all {
            results.iter().all(|&r| r)
        } else if any {
            results.iter().any(|&r| r)
        } else {
            results.first().copied().unwrap_or(false)
        }))
    }

    /// A label or line-number target of `&GOTO`; the index of the line.
    fn find_target(ex: &Exec, target: &str) -> Result<usize, Err> {
        if target == "TOP" {
            return Ok(0);
        }
        if let Some(n) = plist::number(target) {
            if n == 0 || n as usize > ex.lines.len() {
                return Err(2);
            }
            return Ok(n as usize - 1);
        }
        if target.starts_with('-') {
            let n = ex.lines.len();
            // The label may be on this very line (`-L &GOTO -L`): it is found last.
            let order = (ex.line + 1..n).chain(0..=ex.line.min(n.saturating_sub(1)));
            for i in order {
                let first = tokenize(&ex.lines[i]).into_iter().next();
                if first.as_deref() == Some(target) {
                    return Ok(i);
                }
            }
        }
        Err(2)
    }

    /// A CMS command line of an EXEC.
    fn command(&mut self, ex: &mut Exec, words: &[String]) -> Result<Flow, Err> {
        if words.is_empty() {
            return Ok(Flow::Next);
        }
        let shown = if ex.control.pack {
            super::join(words)
        } else {
            let mut s = String::new();
            for w in words {
                s.push_str(&format!("{w:<8} "));
            }
            s.trim_end().to_string()
        };
        let shown = if ex.control.time {
            let c = self.host.clock();
            format!("{:02}:{:02}:{:02} {shown}", c.hour, c.minute, c.second)
        } else {
            shown
        };
        if matches!(ex.control.show, Show::Cms | Show::All) {
            self.say(&shown);
        }
        self.nomsg = !ex.control.msg;
        let line = super::join(words);
        ex.commands += 1;
        let rc = self.execute(&line, Origin::Exec);
        self.nomsg = false;
        ex.retcode = rc;
        if ex.time {
            self.exec_time_line(ex, true);
        }
        if rc != 0 {
            match ex.control.show {
                Show::Cms | Show::All => self.say(&format!("+++ R({}) +++", rc5(rc))),
                Show::Error => {
                    self.say(&shown);
                    self.say(&format!("+++ R({}) +++", rc5(rc)));
                }
                Show::Off => {}
            }
            if !ex.in_error_action
                && let Some(action) = ex.error_action.clone()
            {
                let commands = ex.commands;
                ex.in_error_action = true;
                let flow = self.statement(ex, &action);
                ex.in_error_action = false;
                let flow = flow?;
                if !matches!(flow, Flow::Next) {
                    return Ok(flow);
                }
                if ex.commands != commands && ex.retcode != 0 {
                    return Err(11);
                }
            }
        }
        Ok(Flow::Next)
    }

    /// `T=x.xx/y.yy hh:mm:ss` of `&TIME`, and the reset.
    fn exec_time_line(&mut self, ex: &mut Exec, after_command: bool) {
        let c = self.host.clock();
        let v = c.virt_us.saturating_sub(ex.time_base.0) / 10_000;
        let t = c.total_us.saturating_sub(ex.time_base.1) / 10_000;
        let line = format!(
            "T={}.{:02}/{}.{:02} {:02}:{:02}:{:02}",
            v / 100,
            v % 100,
            t.max(v) / 100,
            t.max(v) % 100,
            c.hour,
            c.minute,
            c.second
        );
        self.say(&line);
        if after_command && matches!(ex.control.show, Show::Cms | Show::All) {
            self.say("");
        }
        ex.time_base = (c.virt_us, c.total_us);
    }

    /// A `&BEGxxx` block: the lines after this one up to `&END` in column 1.
    fn block(ex: &Exec, all: bool) -> (Vec<String>, usize) {
        let mut out = Vec::new();
        let mut i = ex.line + 1;
        while i < ex.lines.len() {
            if ex.full[i].starts_with("&END") {
                return (out, i);
            }
            out.push(if all { ex.full[i].clone() } else { ex.lines[i].clone() });
            i += 1;
        }
        (out, i)
    }

    fn control(&mut self, ex: &mut Exec, toks: &[String]) -> Result<Flow, Err> {
        let word = toks[0].as_str();
        let rest = &toks[1..];
        match word {
            "&CONTINU" | "&COMMENT" | "&END" => {
                if word != "&COMMENT" {
                    self.trace(ex, toks);
                }
                Ok(Flow::Next)
            }
            "&IF" => {
                let cond = self.condition(ex, rest)?;
                if ex.control.show == Show::All {
                    let mut shown = alloc::vec!["&IF".to_string()];
                    for t in rest.iter().take(3) {
                        let s = self.substitute(ex, t)?;
                        if !s.is_empty() {
                            shown.push(s);
                        }
                    }
                    shown.extend(rest.iter().skip(3).cloned());
                    self.trace(ex, &shown);
                }
                if rest.len() < 3 {
                    return Err(8);
                }
                match cond {
                    Some(true) => {
                        let saved = ex.control.show;
                        // The statement of a true &IF is not shown again.
                        if saved == Show::All {
                            ex.control.show = Show::Cms;
                        }
                        let r = self.statement(ex, &rest[3..]);
                        if ex.control.show == Show::Cms && saved == Show::All {
                            ex.control.show = saved;
                        }
                        r
                    }
                    _ => Ok(Flow::Next),
                }
            }
            "&ERROR" => {
                self.trace(ex, toks);
                ex.error_action = if rest.is_empty() { None } else { Some(rest.to_vec()) };
                Ok(Flow::Next)
            }
            "&BEGSTAC" | "&BEGTYPE" | "&BEGEMSG" | "&BEGPUNC" => {
                let ops = self.substitute_all(ex, rest, true)?;
                let all = ops.iter().any(|o| o == "ALL");
                let lifo = ops.iter().any(|o| o == "LIFO");
                let (lines, end) = Self::block(ex, all);
                for l in lines {
                    match word {
                        "&BEGSTAC" => {
                            let l = if l.is_empty() { " ".to_string() } else { l };
                            if lifo {
                                self.stack.push_front(l);
                            } else {
                                self.stack.push_back(l);
                            }
                        }
                        "&BEGTYPE" => self.say(&l),
                        "&BEGEMSG" => self.exec_emsg_line(&l),
                        _ => {
                            let mut card: Vec<u8> = ebcdic::encode(&l);
                            card.truncate(if all { 80 } else { 72 });
                            card.resize(80, 0x40);
                            let _ = self.host.unit_write(super::unit::PUNCH, 0x01, &card);
                        }
                    }
                }
                Ok(Flow::Resume(end + 1))
            }
            "&READ" if rest.first().is_some_and(|t| t == "VARS") => {
                self.trace(ex, toks);
                let line = self.read_line(true).unwrap_or_default();
                let got: Vec<String> = tokenize(&line);
                for (i, v) in rest[1..].iter().enumerate() {
                    self.set_var(ex, v, got.get(i).cloned().unwrap_or_default())?;
                }
                Ok(Flow::Next)
            }
            _ => {
                let ops = self.substitute_all(ex, rest, true)?;
                let mut shown = alloc::vec![word.to_string()];
                shown.extend(ops.iter().cloned());
                self.trace(ex, &shown);
                self.simple_control(ex, word, &ops)
            }
        }
    }

    fn exec_emsg_line(&mut self, l: &str) {
        let mut parts = l.trim_start().splitn(2, ' ');
        let first = parts.next().unwrap_or("");
        let rest = parts.next().unwrap_or("").trim_start();
        let is_msg = first.len() == 7
            && first.ends_with(['I', 'E', 'W', 'R'])
            && first.chars().all(|c| c.is_ascii_alphanumeric());
        if is_msg {
            self.message(&format!("DMS{first}"), rest);
        } else {
            self.say(l);
        }
    }

    /// The control words whose operands are simply substituted.
    fn simple_control(&mut self, ex: &mut Exec, word: &str, ops: &[String]) -> Result<Flow, Err> {
        let count = |ops: &[String], default: i64| -> Result<i64, Err> {
            match ops.first() {
                None => Ok(default),
                Some(s) => numeric(s).ok_or(7u32),
            }
        };
        match word {
            "&TYPE" => {
                let l = super::join(ops);
                self.say(&l);
            }
            "&SPACE" => {
                for _ in 0..count(ops, 1)?.max(0) {
                    self.say("");
                }
            }
            "&EMSG" => {
                let l = super::join(ops);
                self.exec_emsg_line(&l);
            }
            "&PUNCH" => {
                let mut card = ebcdic::encode(&super::join(ops));
                card.truncate(80);
                card.resize(80, 0x40);
                let _ = self.host.unit_write(super::unit::PUNCH, 0x01, &card);
            }
            "&STACK" => {
                let (lifo, words) = match ops.first().map(String::as_str) {
                    Some("LIFO") => (true, &ops[1..]),
                    Some("FIFO") => (false, &ops[1..]),
                    _ => (false, ops),
                };
                match words {
                    [w] if w == "HT" => self.halt_typing = true,
                    [w] if w == "RT" => self.halt_typing = false,
                    _ => {
                        let l = super::join(words);
                        if lifo {
                            self.stack.push_front(l);
                        } else {
                            self.stack.push_back(l);
                        }
                    }
                }
            }
            "&CONTROL" | "&TRACE" => {
                if ops.is_empty() {
                    ex.control = Control::default();
                }
                for o in ops {
                    match o.as_str() {
                        "CMS" => ex.control.show = Show::Cms,
                        "ALL" | "ON" => ex.control.show = Show::All,
                        "ERROR" => ex.control.show = Show::Error,
                        "OFF" => ex.control.show = Show::Off,
                        "TIME" => ex.control.time = true,
                        "NOTIME" => ex.control.time = false,
                        "MSG" => ex.control.msg = true,
                        "NOMSG" => ex.control.msg = false,
                        "PACK" => ex.control.pack = true,
                        "NOPACK" => ex.control.pack = false,
                        _ => return Err(7),
                    }
                }
            }
            "&HEX" => match ops.first().map(String::as_str) {
                Some("ON") => ex.hex = true,
                Some("OFF") => ex.hex = false,
                _ => return Err(7),
            },
            "&TIME" => match ops.first().map(String::as_str) {
                Some("ON") => {
                    ex.time = true;
                    let c = self.host.clock();
                    ex.time_base = (c.virt_us, c.total_us);
                }
                Some("OFF") => ex.time = false,
                Some("RESET") => {
                    let c = self.host.clock();
                    ex.time_base = (c.virt_us, c.total_us);
                }
                Some("TYPE") => self.exec_time_line(ex, false),
                _ => return Err(7),
            },
            "&EXIT" => {
                let rc = match ops.first() {
                    None => 0,
                    Some(s) => numeric(s).ok_or(12u32)?,
                };
                return Ok(Flow::Exit(rc as i32));
            }
            "&GOTO" => {
                let [t] = ops else { return Err(7) };
                return Ok(Flow::Goto(Self::find_target(ex, t)?));
            }
            "&SKIP" => {
                let n = count(ops, 1)?;
                let target = ex.line as i64 + 1 + n;
                if target < 0 {
                    return Err(2);
                }
                if target as usize >= ex.lines.len() {
                    return Ok(Flow::Exit(0));
                }
                return Ok(Flow::Goto(target as usize));
            }
            "&ARGS" => {
                if ops.len() > 30 {
                    return Err(4);
                }
                ex.args =
                    ops.iter().map(|a| if a == "%" { String::new() } else { a.clone() }).collect();
            }
            "&READ" => return self.exec_read(ex, ops),
            "&LOOP" => return self.exec_loop(ex, ops),
            _ => return Err(16),
        }
        Ok(Flow::Next)
    }

    fn exec_read(&mut self, ex: &mut Exec, ops: &[String]) -> Result<Flow, Err> {
        match ops.first().map(String::as_str) {
            Some("ARGS") => {
                let line = self.read_line(true).unwrap_or_default();
                let toks: Vec<String> = tokenize(&line);
                if toks.len() > 30 {
                    return Err(4);
                }
                ex.args = toks;
            }
            other => {
                let n = match other {
                    None => 1,
                    Some(s) => numeric(s).ok_or(7u32)?,
                };
                for _ in 0..n.max(0) {
                    let Some(line) = self.read_line(true) else { break };
                    let flow = self.exec_line(ex, &line)?;
                    if !matches!(flow, Flow::Next) {
                        return Ok(flow);
                    }
                }
            }
        }
        Ok(Flow::Next)
    }

    fn exec_loop(&mut self, ex: &mut Exec, ops: &[String]) -> Result<Flow, Err> {
        let Some(body) = ops.first() else { return Err(7) };
        let start = ex.line + 1;
        let end = if body.starts_with('-') {
            let mut found = None;
            for i in start..ex.lines.len() {
                if tokenize(&ex.lines[i]).first() == Some(body) {
                    found = Some(i);
                    break;
                }
            }
            found.ok_or(15u32)?
        } else {
            let n = numeric(body).ok_or(7u32)?;
            if n < 1 {
                return Err(7);
            }
            let end = ex.line + n as usize;
            if end >= ex.lines.len() {
                return Err(15);
            }
            end
        };
        let (left, cond) = match &ops[1..] {
            [n] => (Some(numeric(n).ok_or(7u32)?.clamp(0, 4095) as u32), None),
            [] => return Err(7),
            _ => {
                // The condition is re-substituted at every test: keep the raw tokens.
                let raw = tokenize(&ex.lines[ex.line]);
                let raw: Vec<String> =
                    raw.into_iter().skip_while(|t| t != "&LOOP").skip(2).collect();
                (None, Some(raw))
            }
        };
        if ex.loops.len() >= MAX_LOOPS {
            return Err(5);
        }
        ex.loops.push(Loop { start, end, left, cond });
        if self.loop_again(ex)? {
            Ok(Flow::Goto(start))
        } else {
            ex.loops.pop();
            Ok(Flow::Resume(end + 1))
        }
    }
}

/// `X'n` with decimal n becomes n in hexadecimal (`&HEX ON`, outside assignments).
fn hex_token(s: &str) -> String {
    match s.strip_prefix("X'").and_then(|d| d.parse::<u64>().ok()) {
        Some(n) => format!("{n:X}"),
        None => s.to_string(),
    }
}

/// A token blank-padded to 8 as EBCDIC, for character comparisons.
fn pad8(s: &str) -> Vec<u8> {
    let mut b = ebcdic::encode(s);
    b.resize(8.max(b.len()), 0x40);
    b
}
