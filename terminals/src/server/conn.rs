//! One connection: negotiate, maybe query, then read until it ends; a writer thread
//! drains the console's output queue.

use std::io::{self, Read as _, Write as _};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::sync::mpsc::SyncSender;
use std::time::{Duration, Instant};

use super::outbox::{Closed, Outbox};
use super::{ServerShared, Terminal};
use crate::console::{Console, TerminalInfo, TerminalKind, WireIn};
use crate::ds::query::{parse_reply, read_partition_query};
use crate::ds::{Aid, Model, TerminalType};
use crate::telnet::framing::{record, tn3270e_record};
use crate::telnet::{
    EOR, Negotiated, Parser, RecordAssembler, ServerNegotiator, Step, TelnetEvent, Tn3270eHeader,
};

/// Decrements the live count however the connection ends.
struct Live(Arc<ServerShared>);

impl Drop for Live {
    fn drop(&mut self) {
        self.0.live.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Releases the device name when the connection ends.
struct Named<'a>(&'a ServerShared, Option<String>);

impl Drop for Named<'_> {
    fn drop(&mut self) {
        if let Some(n) = self.1.take() {
            self.0.names.release(&n);
        }
    }
}

/// Reads once, waiting at most until `deadline`; `Ok(None)` on timeout.
fn read_until(
    stream: &mut TcpStream,
    buf: &mut [u8],
    deadline: Instant,
) -> io::Result<Option<usize>> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Ok(None);
    }
    stream.set_read_timeout(Some(left.max(Duration::from_millis(1))))?;
    match stream.read(buf) {
        Ok(0) => Err(io::ErrorKind::UnexpectedEof.into()),
        Ok(n) => Ok(Some(n)),
        Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => {
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// Serves one connection from accept to close.
pub(super) fn serve(mut stream: TcpStream, shared: Arc<ServerShared>, tx: SyncSender<Terminal>) {
    let _live = Live(shared.clone());
    let cfg = &shared.config;
    let peer = stream.peer_addr().ok();
    let _ = stream.set_nodelay(true);
    let _ = stream.set_write_timeout(Some(cfg.write_timeout));
    let mut buf = vec![0u8; 16 * 1024];
    let mut parser = Parser::default();
    let mut named = Named(&shared, None);

    // 1. Negotiation.
    let (mut neg, first) = ServerNegotiator::start(cfg.negotiation.clone(), Instant::now());
    if stream.write_all(&first).is_err() {
        return;
    }
    let (outcome, mut leftover) = 'neg: loop {
        let got = match read_until(&mut stream, &mut buf, neg.deadline()) {
            Ok(g) => g,
            Err(_) => return,
        };
        let mut events = Vec::new();
        if let Some(n) = got
            && parser.feed(&buf[..n], &mut events).is_err()
        {
            return;
        }
        let mut out = Vec::new();
        let mut names = |wanted: Option<&str>| {
            let n = shared.names.assign(wanted)?;
            if let Some(old) = named.1.replace(n.clone()) {
                shared.names.release(&old);
            }
            Ok(n)
        };
        let mut step = Step::Continue;
        let mut rest = Vec::new();
        for (i, e) in events.iter().enumerate() {
            step = neg.on_event(e, &mut names, &mut out);
            if step != Step::Continue {
                rest = events[i + 1..].to_vec();
                break;
            }
        }
        if step == Step::Continue {
            step = neg.on_time(Instant::now());
        }
        if !out.is_empty() && stream.write_all(&out).is_err() {
            return;
        }
        match step {
            Step::Continue => {}
            Step::Done(n) => break 'neg (n, rest),
            Step::Failed(_) => {
                let _ = stream.shutdown(Shutdown::Both);
                return;
            }
        }
    };

    // 2. What kind of terminal.
    let device_name = match named.1.clone() {
        Some(n) => n,
        None => match shared.names.assign(None) {
            Ok(n) => {
                named.1 = Some(n.clone());
                n
            }
            Err(_) => return,
        },
    };
    let (mut info, typed) = match outcome {
        Negotiated::Tn3270e { terminal, .. } => {
            (graf_info(TerminalKind::Tn3270e, &terminal, &device_name, peer), None)
        }
        Negotiated::Tn3270 { terminal } => {
            (graf_info(TerminalKind::Tn3270, &terminal, &device_name, peer), None)
        }
        Negotiated::Nvt { terminal_type, typed } => (
            TerminalInfo { terminal_type, peer, ..TerminalInfo::typewriter(&device_name) },
            Some(typed),
        ),
    };

    // 3. Ask an extended 3270 what it really is.
    if info.kind != TerminalKind::Typewriter && info.extended && cfg.query {
        match query(&mut stream, &mut parser, &mut buf, &info, cfg.query_timeout, leftover) {
            Ok((reply, rest)) => {
                leftover = rest;
                if let Some(q) = reply {
                    if let Some(size) = q.alternate().filter(|s| s.rows >= 24 && s.cols >= 80)
                        && size.cells() <= 16384
                    {
                        info.size = Some(size);
                        info.model = Model::from_size(size).or(info.model);
                    }
                    info.color |= q.color;
                    info.query = Some(q);
                }
            }
            Err(_) => return,
        }
    }

    // 4. The console, its writer, and the hand-over to CP.
    let outbox = Arc::new(Outbox::new(cfg.max_output));
    let (Ok(writer_stream), Ok(shut_stream)) = (stream.try_clone(), stream.try_clone()) else {
        return;
    };
    outbox.attach_socket(shut_stream);
    let kind = info.kind;
    let console = Console::new(info, cfg.console.clone(), outbox.clone());
    let ob = outbox.clone();
    let writer = std::thread::Builder::new()
        .name("terminal-out".into())
        .stack_size(128 * 1024)
        .spawn(move || write_loop(writer_stream, &ob));
    if writer.is_err() {
        return;
    }
    if cfg.logo_on_connect {
        console.show_logo();
    }
    let mut wire = WireIn::with_parser(parser, kind, cfg.max_record);
    if let Some(t) = typed.filter(|t| !t.is_empty())
        && wire.dispatch(&console, vec![TelnetEvent::Data(t)]).is_err()
    {
        outbox.close(Closed::Broken);
        return;
    }
    if wire.dispatch(&console, leftover).is_err() {
        outbox.close(Closed::Broken);
        console.hang_up();
        return;
    }
    if tx.try_send(Terminal { console: console.clone() }).is_err() {
        console.close();
        return;
    }

    // 5. Input until the end.
    let _ = stream.set_read_timeout(None);
    loop {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if wire.feed(&console, &buf[..n]).is_err() {
                    break;
                }
            }
        }
    }
    outbox.close(Closed::Broken);
    console.hang_up();
    let _ = stream.shutdown(Shutdown::Both);
}

fn graf_info(
    kind: TerminalKind,
    terminal: &TerminalType,
    device_name: &str,
    peer: Option<SocketAddr>,
) -> TerminalInfo {
    let model = terminal.model.unwrap_or(Model::M2);
    TerminalInfo {
        kind,
        terminal_type: Some(terminal.name.clone()),
        device_name: device_name.to_string(),
        model: Some(model),
        size: Some(model.alternate()),
        extended: terminal.extended || kind == TerminalKind::Tn3270e,
        color: terminal.color,
        peer,
        query: None,
    }
}

/// Drains the output queue to the socket until the queue closes or a write fails.
fn write_loop(mut stream: TcpStream, outbox: &Outbox) {
    loop {
        match outbox.take(Duration::from_secs(3600)) {
            Ok(chunks) => {
                for c in chunks {
                    if stream.write_all(&c).is_err() {
                        outbox.close(Closed::Broken);
                        let _ = stream.shutdown(Shutdown::Both);
                        return;
                    }
                }
            }
            Err(_) => {
                let _ = stream.shutdown(Shutdown::Both);
                return;
            }
        }
    }
}

type QueryOutcome = (Option<crate::ds::query::QueryReply>, Vec<TelnetEvent>);

/// Sends a Query and waits for its reply (AID X'88'); other input meanwhile is dropped
/// (the terminal shows nothing yet). Events after the reply are returned.
fn query(
    stream: &mut TcpStream,
    parser: &mut Parser,
    buf: &mut [u8],
    info: &TerminalInfo,
    timeout: Duration,
    mut pending: Vec<TelnetEvent>,
) -> io::Result<QueryOutcome> {
    let q = read_partition_query();
    let wire = if info.kind == TerminalKind::Tn3270e {
        tn3270e_record(Tn3270eHeader::default(), &q)
    } else {
        record(&q)
    };
    stream.write_all(&wire)?;
    let deadline = Instant::now() + timeout;
    let mut asm = RecordAssembler::new(64 * 1024);
    loop {
        let events = std::mem::take(&mut pending);
        for (i, e) in events.iter().enumerate() {
            match e {
                TelnetEvent::Data(d) => {
                    asm.push(d).map_err(|_| io::Error::from(io::ErrorKind::InvalidData))?
                }
                TelnetEvent::Command(EOR) => {
                    let rec = asm.take();
                    let body = if info.kind == TerminalKind::Tn3270e {
                        Tn3270eHeader::split(&rec).map(|(_, b)| b.to_vec()).unwrap_or_default()
                    } else {
                        rec.to_vec()
                    };
                    if body.first().map(|&b| Aid::from_byte(b)) == Some(Aid::StructuredField) {
                        return Ok((Some(parse_reply(&body[1..])), events[i + 1..].to_vec()));
                    }
                }
                _ => {}
            }
        }
        match read_until(stream, buf, deadline)? {
            Some(n) => parser
                .feed(&buf[..n], &mut pending)
                .map_err(|_| io::Error::from(io::ErrorKind::InvalidData))?,
            None => return Ok((None, Vec::new())),
        }
    }
}
