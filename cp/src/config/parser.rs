//! The configuration statements, card by card. Same conventions as the directory (blank-
//! delimited tokens, `*` comments, keywords in any case) but whole lines are read and an
//! operand after the last one a statement takes is an error.

use std::collections::HashMap;
use std::net::SocketAddr;

use nom::bytes::complete::take_while_m_n;
use nom::character::complete::{char as nom_char, one_of};
use nom::combinator::{all_consuming, map_res};
use nom::{IResult, Parser};

use super::model::*;
use crate::directory::card::{self, Card, Token};
use crate::directory::{
    ErrorKind, Errors, Machine, ParseError, VAddr, dasd_type, machine, operand, volser,
};

/// Parse a system configuration file. `file_name` appears in error messages. Statements
/// that are absent keep the values of [`SystemConfig::default`].
pub fn parse(text: &str, file_name: &str) -> Result<SystemConfig, Vec<ParseError>> {
    let mut p = ConfigParser {
        errors: Errors::new(file_name),
        config: SystemConfig::default(),
        seen: HashMap::new(),
    };
    for c in card::cards(text, None) {
        p.statement(&c);
    }
    if p.errors.is_empty() { Ok(p.config) } else { Err(p.errors.into_vec()) }
}

#[derive(Debug)]
struct ConfigParser {
    errors: Errors,
    config: SystemConfig,
    /// First line of each once-only statement and of each named thing (`VOLUME VM370S`).
    seen: HashMap<String, usize>,
}

const PATH: &str = "a path: relative, absolute, or $NAME/...";

impl ConfigParser {
    /// Record `what` as given on this line; false (and an error) if it was given before.
    fn once(&mut self, c: &Card<'_>, column: usize, what: String) -> bool {
        if let Some(&first_line) = self.seen.get(&what) {
            self.errors.push(c.line, column, ErrorKind::Duplicate { what, first_line });
            false
        } else {
            self.seen.insert(what, c.line);
            true
        }
    }

    fn statement(&mut self, c: &Card<'_>) {
        let keyword = c.keyword();
        let singleton = matches!(
            keyword.as_str(),
            "SYSID" | "CPUS" | "TIMEZONE" | "READYMSG" | "DISCTIME" | "SPOOLDIR" | "DIRECTORY"
        );
        if singleton && !self.once(c, 1, format!("STATEMENT {keyword}")) {
            return;
        }
        let e = &mut self.errors;
        let cfg = &mut self.config;
        let last = match keyword.as_str() {
            "SYSID" => {
                if let Some(id) = operand(e, c, 1, "a system identifier of 1-8 characters", |s| {
                    card::name(s, 8, card::userid_char)
                }) {
                    cfg.sysid = id;
                }
                1
            }
            "CPUS" => {
                let n = operand(e, c, 1, "a processor count 0-64 (0 = host cores)", |s| {
                    card::decimal(s, 2).filter(|n| *n <= 64)
                });
                cfg.cpus = n.unwrap_or(cfg.cpus);
                1
            }
            "TIMEZONE" => {
                let name = operand(e, c, 1, "a zone name of 1-8 letters", |s| {
                    card::name(s, 8, |c| c.is_ascii_alphanumeric())
                });
                let offset = operand(e, c, 2, "an offset from UTC, +hh:mm or -hh:mm", utc_offset);
                if let (Some(name), Some(offset_minutes)) = (name, offset) {
                    cfg.timezone = TimeZone { name, offset_minutes };
                }
                2
            }
            "READYMSG" => {
                let r = operand(e, c, 1, "R or READY", |s| {
                    [ReadyMessage::R, ReadyMessage::Ready]
                        .into_iter()
                        .find(|r| s.eq_ignore_ascii_case(r.as_str()))
                });
                cfg.ready_message = r.unwrap_or(cfg.ready_message);
                1
            }
            "LOGMSG" => {
                cfg.log_message.push(c.rest_from(1).to_string());
                usize::MAX
            }
            "DISCTIME" => {
                let n = operand(e, c, 1, "minutes 0-1440 (0 = never)", |s| {
                    card::decimal(s, 4).filter(|n| *n <= 1440)
                });
                cfg.disconnect_timeout = n.unwrap_or(cfg.disconnect_timeout);
                1
            }
            "SPOOLDIR" => {
                if let Some(p) = operand(e, c, 1, PATH, path) {
                    cfg.spool_dir = p;
                }
                1
            }
            "DIRECTORY" => {
                if let Some(p) = operand(e, c, 1, PATH, path) {
                    cfg.directory_file = p;
                }
                1
            }
            "LISTEN" => self.listen(c),
            "VOLUME" => self.volume(c),
            "SAVESYS" => self.savesys(c),
            _ => {
                let statement = c.tokens[0].text.to_string();
                e.push(c.line, c.tokens[0].column, ErrorKind::UnknownStatement { statement });
                usize::MAX
            }
        };
        if let Some(t) = c.tokens.get(last.saturating_add(1)) {
            let operand = t.text.to_string();
            self.errors.push(c.line, t.column, ErrorKind::ExtraOperand { operand });
        }
    }

    fn listen(&mut self, c: &Card<'_>) -> usize {
        let e = &mut self.errors;
        let kind = operand(e, c, 1, "TN3270 or LINEMODE", |s| {
            [ListenKind::Tn3270, ListenKind::LineMode]
                .into_iter()
                .find(|k| s.eq_ignore_ascii_case(k.as_str()))
        });
        let address = operand(e, c, 2, "an address and port such as 127.0.0.1:3270", |s| {
            s.parse::<SocketAddr>().ok()
        });
        if let (Some(kind), Some(address)) = (kind, address)
            && self.once(c, c.tokens[2].column, format!("LISTEN ADDRESS {address}"))
        {
            self.config.listeners.push(Listener { kind, address });
        }
        2
    }

    /// `VOLUME volser devtype path [CYLINDERS n] [ADDRESS raddr] [SOURCE path]`
    fn volume(&mut self, c: &Card<'_>) -> usize {
        let e = &mut self.errors;
        let volser = operand(e, c, 1, "a volume serial of 1-6 characters", volser);
        let devtype = operand(e, c, 2, "a DASD device type such as 3350", dasd_type);
        let file = operand(e, c, 3, PATH, path);
        let mut v = Volume {
            volser: volser.clone().unwrap_or_default(),
            devtype: devtype.unwrap_or(crate::directory::DasdType::D3350),
            path: file.clone().unwrap_or_else(|| ConfigPath::new("")),
            cylinders: None,
            address: None,
            source: None,
        };
        let full = u32::from(v.devtype.cylinders());
        for (kw, t) in self.keywords(c, 4, &["CYLINDERS", "ADDRESS", "SOURCE"], &[]) {
            let e = &mut self.errors;
            match kw {
                "CYLINDERS" => {
                    let expected = format!("cylinders 1-{full} for a {}", v.devtype);
                    v.cylinders = value(e, c, t, &expected, |s| {
                        card::decimal(s, 5).filter(|n| (1..=full).contains(n))
                    });
                }
                "ADDRESS" => {
                    v.address =
                        value(e, c, t, "a real device address", card::hex_address).map(VAddr);
                }
                _ => v.source = value(e, c, t, PATH, path),
            }
        }
        if let (Some(vs), Some(_), Some(f)) = (volser, devtype, file) {
            let ok_name = self.once(c, c.tokens[1].column, format!("VOLUME {vs}"));
            let ok_path = self.once(c, c.tokens[3].column, format!("VOLUME FILE {f}"));
            let ok_addr = match v.address {
                Some(a) => self.once(c, c.tokens[1].column, format!("VOLUME ADDRESS {a}")),
                None => true,
            };
            if ok_name && ok_path && ok_addr {
                self.config.volumes.push(v);
            }
        }
        usize::MAX
    }

    /// `SAVESYS name pages loadpage path|BUILTIN [IPL] [MACHINE 370|X86]`
    fn savesys(&mut self, c: &Card<'_>) -> usize {
        let e = &mut self.errors;
        let name = operand(e, c, 1, "a saved system name of 1-8 characters", |s| {
            card::name(s, 8, card::userid_char)
        });
        let pages =
            operand(e, c, 2, "a number of 4K pages", |s| card::decimal(s, 6).filter(|n| *n > 0));
        let load_page = operand(e, c, 3, "the first page number", |s| card::decimal(s, 6));
        let source = operand(e, c, 4, "BUILTIN or a segment file path", |s| {
            if s.eq_ignore_ascii_case("BUILTIN") {
                Some(SavedSource::Builtin)
            } else {
                path(s).map(SavedSource::File)
            }
        });
        let mut ipl = false;
        let mut mach = Machine::S370;
        for (kw, t) in self.keywords(c, 5, &["MACHINE"], &["IPL"]) {
            match kw {
                "IPL" => ipl = true,
                _ => mach = value(&mut self.errors, c, t, "370 or X86", machine).unwrap_or(mach),
            }
        }
        let (Some(name), Some(pages), Some(load_page), Some(source)) =
            (name, pages, load_page, source)
        else {
            return usize::MAX;
        };
        let limit = match mach {
            Machine::S370 => 4096,   // 16M
            Machine::X86 => 262_144, // 1024M
        };
        if load_page + pages > limit {
            let kind = ErrorKind::InvalidOperand {
                operand: c.tokens[2].text.to_string(),
                expected: format!("pages ending within the machine's storage (page {limit})"),
            };
            self.errors.push(c.line, c.tokens[2].column, kind);
            return usize::MAX;
        }
        if self.once(c, c.tokens[1].column, format!("SAVESYS {name} FOR {mach}")) {
            self.config.saved_systems.push(SavedSystem {
                name,
                pages,
                load_page,
                source,
                ipl,
                machine: mach,
            });
        }
        usize::MAX
    }

    /// Keyword operands from token `from` on: each of `with_value` takes the next token, each
    /// of `flags` stands alone; each at most once; scanning stops at an unknown keyword. Returns `(keyword, value token)` pairs
    /// (the flag's own token for flags); errors for the rest.
    fn keywords<'c, 'a>(
        &mut self,
        c: &'c Card<'a>,
        from: usize,
        with_value: &[&'static str],
        flags: &[&'static str],
    ) -> Vec<(&'static str, Option<&'c Token<'a>>)> {
        let mut out = Vec::new();
        let mut seen: Vec<&str> = Vec::new();
        let mut i = from;
        while let Some(t) = c.tokens.get(i) {
            let kw = with_value.iter().chain(flags).find(|k| t.text.eq_ignore_ascii_case(k));
            let Some(&kw) = kw else {
                let expected =
                    with_value.iter().chain(flags).copied().collect::<Vec<_>>().join(", ");
                invalid(&mut self.errors, c, t, &format!("one of {expected}"));
                break; // what follows an unknown keyword cannot be told apart
            };
            if seen.contains(&kw) {
                let what = format!("OPERAND {kw}");
                self.errors.push(
                    c.line,
                    t.column,
                    ErrorKind::Duplicate { what, first_line: c.line },
                );
            }
            seen.push(kw);
            if flags.contains(&kw) {
                out.push((kw, Some(t)));
                i += 1;
            } else {
                let v = c.tokens.get(i + 1);
                if v.is_none() {
                    let expected = format!("a value after {kw}");
                    self.errors.push(c.line, c.end_column, ErrorKind::MissingOperand { expected });
                }
                out.push((kw, v));
                i += 2;
            }
        }
        out
    }
}

fn invalid(e: &mut Errors, c: &Card<'_>, t: &Token<'_>, expected: &str) {
    let kind = ErrorKind::InvalidOperand { operand: t.text.to_string(), expected: expected.into() };
    e.push(c.line, t.column, kind);
}

/// The value token of a keyword operand, converted (an error if invalid; `None` if absent,
/// the absence being reported by `keywords`).
fn value<T>(
    e: &mut Errors,
    c: &Card<'_>,
    t: Option<&Token<'_>>,
    expected: &str,
    f: impl Fn(&str) -> Option<T>,
) -> Option<T> {
    let t = t?;
    let v = f(t.text);
    if v.is_none() {
        invalid(e, c, t, expected);
    }
    v
}

/// A path: any token; `$NAME` placeholders must be `$` + letters/digits/`_`, then `/` or end.
fn path(s: &str) -> Option<ConfigPath> {
    let p = ConfigPath::new(s);
    match p.placeholder() {
        Some((name, _)) => (!name.is_empty()
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .then_some(p),
        None => Some(p),
    }
}

/// `+hh:mm` / `-hh:mm` (hh <= 14, mm < 60) in minutes east of UTC.
fn utc_offset(s: &str) -> Option<i32> {
    let two = || map_res(take_while_m_n(2, 2, |c: char| c.is_ascii_digit()), str::parse::<i32>);
    let r: IResult<&str, (char, i32, char, i32)> =
        all_consuming((one_of("+-"), two(), nom_char(':'), two())).parse(s);
    let (_, (sign, h, _, m)) = r.ok()?;
    if h > 14 || m > 59 {
        return None;
    }
    let minutes = h * 60 + m;
    Some(if sign == '-' { -minutes } else { minutes })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets() {
        assert_eq!(utc_offset("+00:00"), Some(0));
        assert_eq!(utc_offset("-05:00"), Some(-300));
        assert_eq!(utc_offset("+05:30"), Some(330));
        assert_eq!(utc_offset("+15:00"), None);
        assert_eq!(utc_offset("05:00"), None);
        assert_eq!(utc_offset("+5:00"), None);
        assert_eq!(utc_offset("+05:60"), None);
    }

    #[test]
    fn paths_and_placeholders() {
        assert!(path("volumes/x.ckd").is_some());
        assert!(path("$SHARED/data/x").is_some());
        assert!(path("$SHARED").is_some());
        assert!(path("$/x").is_none());
        assert!(path("$SH-ARED/x").is_none());
    }
}
