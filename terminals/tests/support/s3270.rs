//! Driving s3270 in lock step: one action in, lines out until `ok` or `error`.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

/// True if `prog` runs; else prints the skip line.
pub fn have(prog: &str) -> bool {
    let ok =
        Command::new(prog).arg("-v").stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok();
    if !ok {
        println!("skipped: {prog} not installed");
    }
    ok
}

/// The answer to one action.
#[derive(Debug)]
pub struct Reply {
    pub data: Vec<String>,
    pub status: String,
    pub ok: bool,
}

pub struct S3270 {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<String>,
}

impl S3270 {
    /// s3270 pinned to a 3278-2 and code page 037, killed after `limit` by `timeout`.
    pub fn spawn(limit: Duration) -> S3270 {
        S3270::spawn_model(limit, "3278-2")
    }

    /// s3270 as another model.
    pub fn spawn_model(limit: Duration, model: &str) -> S3270 {
        let mut child = Command::new("timeout")
            .arg(limit.as_secs().to_string())
            .args(["s3270", "-model", model, "-codepage", "cp037"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn s3270");
        let stdin = child.stdin.take().expect("stdin");
        let stdout: ChildStdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(l) = line else { return };
                if tx.send(l).is_err() {
                    return;
                }
            }
        });
        S3270 { child, stdin, lines: rx }
    }

    /// Runs one action.
    pub fn run(&mut self, action: &str) -> Reply {
        writeln!(self.stdin, "{action}").expect("s3270 stdin");
        self.stdin.flush().expect("flush");
        let mut data = Vec::new();
        let mut status = String::new();
        loop {
            let line = self
                .lines
                .recv_timeout(Duration::from_secs(20))
                .unwrap_or_else(|_| panic!("s3270 gave no answer to {action}"));
            match line.as_str() {
                "ok" => return Reply { data, status, ok: true },
                "error" => return Reply { data, status, ok: false },
                l if l.starts_with("data: ") => data.push(l[6..].to_string()),
                "data:" => data.push(String::new()),
                l => status = l.to_string(),
            }
        }
    }

    /// Runs an action that must succeed.
    pub fn ok(&mut self, action: &str) -> Reply {
        let r = self.run(action);
        assert!(r.ok, "{action} failed: {r:?}");
        r
    }

    /// The whole screen as text rows.
    pub fn screen(&mut self) -> Vec<String> {
        self.ok("Ascii()").data
    }
}

impl Drop for S3270 {
    fn drop(&mut self) {
        let _ = writeln!(self.stdin, "Quit");
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
