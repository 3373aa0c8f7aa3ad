//! A TN3270 client connection: negotiation, then 3270 records in and out. Our terminal
//! UI, the tests and the benchmark use it.

use std::collections::VecDeque;
use std::io::{self, Read as _, Write as _};
use std::net::{Shutdown, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use bytes::Bytes;

use crate::ds::Model;
use crate::telnet::framing::{record, tn3270e_record};
use crate::telnet::{
    ClientMode, ClientNegotiator, EOR, Parser, RecordAssembler, TelnetError, TelnetEvent,
    Tn3270eHeader, tn3270e,
};

/// Errors of a client connection.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The socket failed.
    #[error("connection: {0}")]
    Io(#[from] io::Error),
    /// The peer broke the telnet protocol.
    #[error("telnet: {0}")]
    Telnet(#[from] TelnetError),
    /// The server never agreed to TN3270 or TN3270E.
    #[error("the server did not negotiate TN3270")]
    Not3270,
    /// The server closed the connection.
    #[error("connection closed by the server")]
    Closed,
    /// No such 3270 model.
    #[error("there is no 3270 model {0} (use 2, 3, 4 or 5)")]
    BadModel(u8),
}

/// How the client presents itself.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// The model (2-5).
    pub model: Model,
    /// Accept TN3270E (else refuse it and use plain TN3270).
    pub tn3270e: bool,
    /// Call itself a 3279 (colour) in plain TN3270.
    pub color: bool,
    /// Time allowed for the connection and negotiation.
    pub timeout: Duration,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            model: Model::M2,
            tn3270e: true,
            color: true,
            timeout: Duration::from_secs(10),
        }
    }
}

impl ClientConfig {
    /// The terminal type sent: `IBM-3278-n-E` in TN3270E (RFC 2355 device types), else
    /// `IBM-3279-n-E` or `IBM-3278-n-E`.
    pub fn terminal_type(&self) -> String {
        let kind = if self.color && !self.tn3270e { 3279 } else { 3278 };
        format!("IBM-{kind}-{}-E", self.model.number())
    }
}

/// The client side of the wire, without a socket.
#[derive(Debug)]
pub struct ClientWire {
    parser: Parser,
    assembler: RecordAssembler,
    negotiator: ClientNegotiator,
    records: VecDeque<Bytes>,
    seq: u16,
}

impl ClientWire {
    /// A client announcing `terminal_type`.
    pub fn new(terminal_type: &str, tn3270e: bool) -> ClientWire {
        ClientWire {
            parser: Parser::default(),
            assembler: RecordAssembler::new(1 << 20),
            negotiator: ClientNegotiator::new(terminal_type, tn3270e),
            records: VecDeque::new(),
            seq: 0,
        }
    }

    /// The negotiated mode.
    pub fn mode(&self) -> &ClientMode {
        self.negotiator.mode()
    }

    /// Takes bytes from the server; negotiation replies are appended to `reply`.
    pub fn feed(&mut self, data: &[u8], reply: &mut Vec<u8>) -> Result<(), TelnetError> {
        let mut ev = Vec::new();
        self.parser.feed(data, &mut ev)?;
        for e in ev {
            match e {
                TelnetEvent::Data(d) => self.assembler.push(&d)?,
                TelnetEvent::Command(EOR) => {
                    let rec = self.assembler.take();
                    if matches!(self.mode(), ClientMode::Tn3270e { .. }) {
                        if let Some((h, data)) = Tn3270eHeader::split(&rec)
                            && h.data_type == tn3270e::DT_3270_DATA
                        {
                            self.records.push_back(Bytes::copy_from_slice(data));
                        }
                    } else {
                        self.records.push_back(rec);
                    }
                }
                other => self.negotiator.on_event(&other, reply),
            }
        }
        Ok(())
    }

    /// The next record from the host.
    pub fn next_record(&mut self) -> Option<Bytes> {
        self.records.pop_front()
    }

    /// Frames a record for the server.
    pub fn frame(&mut self, rec: &[u8]) -> Bytes {
        match self.mode() {
            ClientMode::Tn3270e { .. } => {
                self.seq = self.seq.wrapping_add(1);
                tn3270e_record(Tn3270eHeader { seq: self.seq, ..Default::default() }, rec)
            }
            _ => record(rec),
        }
    }
}

/// A connected, negotiated TN3270 client.
#[derive(Debug)]
pub struct Connection {
    stream: TcpStream,
    wire: ClientWire,
}

impl Connection {
    /// Connects to `addr` and negotiates.
    pub fn connect(
        addr: impl ToSocketAddrs,
        config: &ClientConfig,
    ) -> Result<Connection, ClientError> {
        let target = addr
            .to_socket_addrs()?
            .next()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no address"))?;
        let stream = TcpStream::connect_timeout(&target, config.timeout)?;
        stream.set_nodelay(true)?;
        let mut c =
            Connection { stream, wire: ClientWire::new(&config.terminal_type(), config.tn3270e) };
        let until = Instant::now() + config.timeout;
        while *c.wire.mode() == ClientMode::Negotiating {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(ClientError::Not3270);
            }
            c.pump(left)?;
        }
        Ok(c)
    }

    /// The negotiated mode.
    pub fn mode(&self) -> &ClientMode {
        self.wire.mode()
    }

    /// Reads once (up to `timeout`); false on timeout.
    fn pump(&mut self, timeout: Duration) -> Result<bool, ClientError> {
        self.stream.set_read_timeout(Some(timeout.max(Duration::from_millis(1))))?;
        let mut buf = [0u8; 16384];
        match self.stream.read(&mut buf) {
            Ok(0) => Err(ClientError::Closed),
            Ok(n) => {
                let mut reply = Vec::new();
                self.wire.feed(&buf[..n], &mut reply)?;
                if !reply.is_empty() {
                    self.stream.write_all(&reply)?;
                }
                Ok(true)
            }
            Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => {
                Ok(false)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The next record from the host, waiting up to `timeout`.
    pub fn recv(&mut self, timeout: Duration) -> Result<Option<Bytes>, ClientError> {
        let until = Instant::now() + timeout;
        loop {
            if let Some(r) = self.wire.next_record() {
                return Ok(Some(r));
            }
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() || !self.pump(left)? {
                return Ok(self.wire.next_record());
            }
        }
    }

    /// Sends a record to the host.
    pub fn send(&mut self, rec: &[u8]) -> Result<(), ClientError> {
        let wire = self.wire.frame(rec);
        self.stream.write_all(&wire)?;
        Ok(())
    }

    /// Sends raw bytes (tests of misbehaving clients).
    pub fn send_raw(&mut self, bytes: &[u8]) -> Result<(), ClientError> {
        self.stream.write_all(bytes)?;
        Ok(())
    }

    /// A second handle on the socket (for a writer thread or to shut it down).
    pub fn try_clone_stream(&self) -> io::Result<TcpStream> {
        self.stream.try_clone()
    }

    /// Closes the connection.
    pub fn close(&self) {
        let _ = self.stream.shutdown(Shutdown::Both);
    }

    /// A second handle that sends records, for a thread other than the reader.
    pub fn writer(&self) -> io::Result<ConnWriter> {
        Ok(ConnWriter {
            stream: self.stream.try_clone()?,
            tn3270e: matches!(self.mode(), ClientMode::Tn3270e { .. }),
            seq: 0,
        })
    }
}

/// Sends records on a [`Connection`] from another thread.
#[derive(Debug)]
pub struct ConnWriter {
    stream: TcpStream,
    tn3270e: bool,
    seq: u16,
}

impl ConnWriter {
    /// Sends a record to the host.
    pub fn send(&mut self, rec: &[u8]) -> Result<(), ClientError> {
        let wire = if self.tn3270e {
            self.seq = self.seq.wrapping_add(1);
            tn3270e_record(Tn3270eHeader { seq: self.seq, ..Default::default() }, rec)
        } else {
            record(rec)
        };
        self.stream.write_all(&wire)?;
        Ok(())
    }

    /// Closes the connection (the reader sees it end).
    pub fn close(&self) {
        let _ = self.stream.shutdown(Shutdown::Both);
    }
}
