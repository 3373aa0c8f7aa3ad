//! Macro definitions: the prototype (name-field, positional and keyword parameters), the
//! body, and binding a macro instruction's operands to the parameters.

use std::collections::HashMap;

use super::vars::{DEFAULT_ACTR, Scope};
use crate::asm::lex::{is_symbol, split_top};
use crate::asm::source::{CommentKind, Fields, SrcStmt};

/// One statement of a macro body.
#[derive(Debug, Clone)]
pub(crate) struct MStmt {
    /// As read.
    pub src: SrcStmt,
    /// Its fields (not substituted).
    pub f: Fields,
    /// The operation, upper case.
    pub opu: String,
    /// A comment line.
    pub comment: Option<CommentKind>,
}

/// A macro definition.
#[derive(Debug, Clone)]
pub(crate) struct MacroDef {
    /// The macro's name (the prototype's operation).
    pub name: String,
    /// The name-field parameter, if the prototype has one.
    pub name_param: Option<String>,
    /// Positional parameters, in order.
    pub positional: Vec<String>,
    /// Keyword parameters and their defaults.
    pub keywords: Vec<(String, String)>,
    /// The body (MEND excluded).
    pub body: Vec<MStmt>,
    /// Sequence symbols: name (with the period, upper case) to body index.
    pub seq: HashMap<String, usize>,
}

/// A problem with a prototype or a macro instruction: operand offset and message.
pub(crate) type Problem = (usize, String);

fn param_name(s: &str) -> Option<String> {
    let n = s.strip_prefix('&')?;
    is_symbol(n).then(|| n.to_ascii_uppercase())
}

impl MacroDef {
    /// Builds a definition from its prototype's fields and body.
    pub fn new(proto: &Fields, body: Vec<MStmt>) -> (Option<MacroDef>, Vec<Problem>) {
        let mut problems = Vec::new();
        let name = proto.op.to_ascii_uppercase();
        if !is_symbol(&name) {
            problems.push((0, format!("INVALID MACRO NAME '{}'", proto.op)));
            return (None, problems);
        }
        let name_param = if proto.name.is_empty() {
            None
        } else {
            match param_name(&proto.name) {
                Some(n) => Some(n),
                None => {
                    problems.push((0, format!("INVALID NAME-FIELD PARAMETER '{}'", proto.name)));
                    None
                }
            }
        };
        let mut def = MacroDef {
            name,
            name_param,
            positional: Vec::new(),
            keywords: Vec::new(),
            body,
            seq: HashMap::new(),
        };
        let mut seen: Vec<String> = def.name_param.iter().cloned().collect();
        if !proto.operand.is_empty() {
            for (a, b) in split_top(&proto.operand) {
                let item = &proto.operand[a..b];
                if item.is_empty() {
                    continue;
                }
                let (pname, default) = match item.split_once('=') {
                    Some((p, d)) => (p, Some(d)),
                    None => (item, None),
                };
                let Some(pn) = param_name(pname) else {
                    problems.push((a, format!("INVALID PARAMETER '{item}'")));
                    continue;
                };
                if seen.contains(&pn) {
                    problems.push((a, format!("DUPLICATE PARAMETER &{pn}")));
                    continue;
                }
                seen.push(pn.clone());
                match default {
                    Some(d) => def.keywords.push((pn, d.to_string())),
                    None => def.positional.push(pn),
                }
            }
        }
        for (i, st) in def.body.iter().enumerate() {
            if st.f.name.starts_with('.') && st.comment.is_none() {
                let s = st.f.name.to_ascii_uppercase();
                if def.seq.insert(s.clone(), i).is_some() {
                    problems.push((0, format!("DUPLICATE SEQUENCE SYMBOL {s}")));
                }
            }
        }
        (Some(def), problems)
    }

    /// Binds a macro instruction's name field and operands: the scope the expansion runs in.
    pub fn bind(&self, name_field: &str, operand: &str) -> (Scope, Vec<Problem>) {
        let mut problems = Vec::new();
        let mut scope =
            Scope { actr: DEFAULT_ACTR, macro_name: self.name.clone(), ..Scope::default() };
        scope.syslist.push(name_field.to_string());
        let mut keyed: HashMap<String, String> = HashMap::new();
        if !operand.is_empty() {
            for (a, b) in split_top(operand) {
                let item = &operand[a..b];
                if let Some((k, v)) = item.split_once('=') {
                    let ku = k.to_ascii_uppercase();
                    if is_symbol(k) {
                        if self.keywords.iter().any(|(n, _)| *n == ku) {
                            if keyed.insert(ku.clone(), v.to_string()).is_some() {
                                problems.push((a, format!("KEYWORD {ku} GIVEN TWICE")));
                            }
                            continue;
                        }
                        problems.push((
                            a,
                            format!("UNDEFINED KEYWORD {ku}; TAKEN AS A POSITIONAL OPERAND"),
                        ));
                    }
                }
                scope.syslist.push(item.to_string());
            }
        }
        // A macro instruction without operands has no positional operands at all.
        if operand.is_empty() {
            scope.syslist.truncate(1);
        }
        for (i, p) in self.positional.iter().enumerate() {
            scope.params.insert(p.clone(), scope.syslist.get(i + 1).cloned().unwrap_or_default());
        }
        for (k, d) in &self.keywords {
            scope.params.insert(k.clone(), keyed.get(k).cloned().unwrap_or_else(|| d.clone()));
        }
        if let Some(n) = &self.name_param {
            scope.params.insert(n.clone(), name_field.to_string());
        }
        (scope, problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::asm::source::{read_source, split_fields};

    fn fields(s: &str) -> Fields {
        split_fields(&read_source(s, 0)[0])
    }

    #[test]
    fn prototype_and_binding() {
        let (def, probs) =
            MacroDef::new(&fields("&LBL     MOVE  &TO,&FROM,&LEN=8,&OPT="), Vec::new());
        assert!(probs.is_empty(), "{probs:?}");
        let def = def.unwrap();
        assert_eq!(def.name, "MOVE");
        assert_eq!(def.positional, ["TO", "FROM"]);
        assert_eq!(
            def.keywords,
            [("LEN".to_string(), "8".to_string()), ("OPT".to_string(), String::new())]
        );
        let (scope, probs) = def.bind("HERE", "A,(B,C),OPT=YES,X");
        assert!(probs.is_empty());
        assert_eq!(scope.params["TO"], "A");
        assert_eq!(scope.params["FROM"], "(B,C)");
        assert_eq!(scope.params["LEN"], "8");
        assert_eq!(scope.params["OPT"], "YES");
        assert_eq!(scope.params["LBL"], "HERE");
        assert_eq!(scope.syslist, ["HERE", "A", "(B,C)", "X"]);
        let (scope, probs) = def.bind("", "");
        assert!(probs.is_empty());
        assert_eq!(scope.syslist.len(), 1);
        assert_eq!(scope.params["TO"], "");
        let (_, probs) = def.bind("", "LEN=1,LEN=2,BAD=3");
        assert_eq!(probs.len(), 2);
    }

    #[test]
    fn bad_prototypes() {
        assert!(MacroDef::new(&fields("         1BAD  &A"), Vec::new()).0.is_none());
        let (_, p) = MacroDef::new(&fields("         M     &A,&A,B"), Vec::new());
        assert_eq!(p.len(), 2);
    }
}
