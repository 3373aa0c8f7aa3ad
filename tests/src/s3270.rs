//! Driving the real s3270 client (x3270 suite) from tests: spawn it with piped stdio, send
//! one action per line, read until `ok` or `error` (the `data:` lines before it are the
//! action's output), as `../shared/reference/tn3270.md` §2 describes.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

/// Is s3270 installed?
pub fn available() -> bool {
    Command::new("s3270").arg("-v").stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok()
}

/// A running s3270.
#[derive(Debug)]
pub struct S3270 {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<String>,
}

/// The result of one action: its `data:` lines and whether it ended with `ok`.
#[derive(Debug, Clone)]
pub struct Reply {
    /// The `data:` lines, without the prefix.
    pub data: Vec<String>,
    /// `ok` (true) or `error` (false).
    pub ok: bool,
}

impl S3270 {
    /// Starts s3270 as a 3278 model 2 with code page 037 (plus `extra` arguments).
    pub fn spawn(extra: &[&str]) -> std::io::Result<S3270> {
        let mut child = Command::new("s3270")
            .args(["-model", "3278-2", "-codepage", "cp037"])
            .args(extra)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let stdin = child.stdin.take().ok_or_else(|| std::io::Error::other("no stdin"))?;
        let stdout: ChildStdout =
            child.stdout.take().ok_or_else(|| std::io::Error::other("no stdout"))?;
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Ok(S3270 { child, stdin, lines: rx })
    }

    /// Sends one action and waits (at most `timeout`) for its reply.
    pub fn action(&mut self, action: &str, timeout: Duration) -> Reply {
        let mut reply = Reply { data: Vec::new(), ok: false };
        if writeln!(self.stdin, "{action}").and_then(|()| self.stdin.flush()).is_err() {
            return reply;
        }
        let deadline = std::time::Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            let Ok(line) = self.lines.recv_timeout(left) else { return reply };
            if let Some(d) = line.strip_prefix("data: ") {
                reply.data.push(d.to_string());
            } else if line == "data:" {
                reply.data.push(String::new());
            } else if line == "ok" {
                reply.ok = true;
                return reply;
            } else if line == "error" {
                return reply;
            }
        }
    }

    /// Runs an action with a 10-second limit; true if it ended with `ok`.
    pub fn act(&mut self, action: &str) -> bool {
        self.action(action, Duration::from_secs(10)).ok
    }

    /// The whole screen as 24 text lines.
    pub fn screen(&mut self) -> Vec<String> {
        self.action("Ascii()", Duration::from_secs(10)).data
    }

    /// Types `text` and presses ENTER.
    pub fn enter(&mut self, text: &str) -> bool {
        let quoted = text.replace('\\', "\\\\").replace('"', "\\\"");
        (text.is_empty() || self.act(&format!("String(\"{quoted}\")"))) && self.act("Enter")
    }

    /// Waits until some screen line satisfies `f` (polling every 50 ms, at most `secs`);
    /// a full screen (`MORE...`) without the line is cleared to see the next page.
    pub fn wait_for(&mut self, secs: u64, f: impl Fn(&str) -> bool) -> bool {
        let deadline = std::time::Instant::now() + Duration::from_secs(secs);
        while std::time::Instant::now() < deadline {
            let screen = self.screen();
            if screen.iter().any(|l| f(l)) {
                return true;
            }
            if screen.last().is_some_and(|l| l.contains("MORE...")) {
                self.act("Clear");
                continue;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }

    /// The status area (bottom right) of the screen.
    pub fn status(&mut self) -> String {
        self.screen()
            .last()
            .map(|l| l.get(60..).unwrap_or("").trim().to_string())
            .unwrap_or_default()
    }
}

impl Drop for S3270 {
    fn drop(&mut self) {
        let _ = writeln!(self.stdin, "Quit");
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
