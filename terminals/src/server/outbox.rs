//! The bounded queue between a console and its connection's writer thread.
//!
//! Whoever produces output (CP's threads, the reader, the timer) pushes and never blocks.
//! When a client stops reading, the queue fills; past its cap the connection is dropped
//! rather than letting memory grow or CP wait.

use std::collections::VecDeque;
use std::net::{Shutdown, TcpStream};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

use bytes::Bytes;

/// Why an outbox closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closed {
    /// Closed on purpose: what is queued is still sent.
    Normal,
    /// The client did not read: dropped at once.
    Overflow,
    /// The connection failed.
    Broken,
}

#[derive(Debug)]
struct Inner {
    queue: VecDeque<Bytes>,
    bytes: usize,
    closed: Option<Closed>,
}

/// A bounded output queue.
#[derive(Debug)]
pub struct Outbox {
    inner: Mutex<Inner>,
    cond: Condvar,
    cap: usize,
    socket: Mutex<Option<TcpStream>>,
}

impl Outbox {
    /// A queue holding at most `cap` bytes.
    pub fn new(cap: usize) -> Outbox {
        Outbox {
            inner: Mutex::new(Inner { queue: VecDeque::new(), bytes: 0, closed: None }),
            cond: Condvar::new(),
            cap,
            socket: Mutex::new(None),
        }
    }

    /// The socket to shut down when the queue overflows or breaks, so that a writer
    /// stuck on a client that does not read, and the reader, both stop at once.
    pub fn attach_socket(&self, s: TcpStream) {
        *self.socket.lock().unwrap_or_else(|e| e.into_inner()) = Some(s);
    }

    fn shut_socket(&self) {
        if let Some(s) = self.socket.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
            let _ = s.shutdown(Shutdown::Both);
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queues bytes; false if the queue is closed or just overflowed (and closed).
    pub fn push(&self, b: Bytes) -> bool {
        let mut g = self.lock();
        if g.closed.is_some() {
            return false;
        }
        if g.bytes + b.len() > self.cap {
            g.closed = Some(Closed::Overflow);
            g.queue.clear();
            g.bytes = 0;
            drop(g);
            self.cond.notify_all();
            self.shut_socket();
            return false;
        }
        g.bytes += b.len();
        g.queue.push_back(b);
        drop(g);
        self.cond.notify_all();
        true
    }

    /// Waits up to `timeout` for output; returns everything queued, or why it closed
    /// once nothing is left to send.
    pub fn take(&self, timeout: Duration) -> Result<Vec<Bytes>, Closed> {
        let mut g = self.lock();
        if g.queue.is_empty() && g.closed.is_none() {
            g = self.cond.wait_timeout(g, timeout).unwrap_or_else(|e| e.into_inner()).0;
        }
        if !g.queue.is_empty() {
            g.bytes = 0;
            return Ok(g.queue.drain(..).collect());
        }
        match g.closed {
            Some(c) => Err(c),
            None => Ok(Vec::new()),
        }
    }

    /// Closes the queue.
    pub fn close(&self, why: Closed) {
        let mut g = self.lock();
        if g.closed.is_none() {
            g.closed = Some(why);
            if why != Closed::Normal {
                g.queue.clear();
                g.bytes = 0;
            }
        }
        let abrupt = g.closed != Some(Closed::Normal);
        drop(g);
        self.cond.notify_all();
        if abrupt {
            self.shut_socket();
        }
    }

    /// Why it closed, if it did.
    pub fn closed(&self) -> Option<Closed> {
        self.lock().closed
    }

    /// Bytes waiting.
    pub fn queued(&self) -> usize {
        self.lock().bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overflow_closes() {
        let o = Outbox::new(10);
        assert!(o.push(Bytes::from_static(b"12345")));
        assert!(o.push(Bytes::from_static(b"12345")));
        assert!(!o.push(Bytes::from_static(b"1")));
        assert_eq!(o.closed(), Some(Closed::Overflow));
        assert_eq!(o.take(Duration::ZERO), Err(Closed::Overflow));
    }

    #[test]
    fn normal_close_still_delivers() {
        let o = Outbox::new(10);
        o.push(Bytes::from_static(b"ab"));
        o.close(Closed::Normal);
        assert_eq!(o.take(Duration::ZERO).expect("data"), vec![Bytes::from_static(b"ab")]);
        assert_eq!(o.take(Duration::ZERO), Err(Closed::Normal));
    }
}
