//! Why a `run` ended, as plain data, and per-kind counts of exits.

/// Why [`Vcpu::run`](crate::Vcpu::run) returned. Every value is plain data copied out of the
/// `kvm_run` page, so it stays valid while the vCPU runs again.
///
/// Guest mistakes are exits, not errors: a triple fault is [`Exit::Shutdown`], a store outside
/// guest memory is [`Exit::MmioWrite`], and so on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exit {
    /// `OUT` of `size` (1, 2 or 4) bytes to `port`; `data` holds them, little-endian, zero-extended.
    IoOut {
        /// The I/O port.
        port: u16,
        /// Access width in bytes: 1, 2 or 4.
        size: u8,
        /// The value written.
        data: u32,
    },
    /// `IN` of `size` bytes from `port`. Answer it with
    /// [`Vcpu::complete_io_in`](crate::Vcpu::complete_io_in) before the next run; if you do
    /// not, the guest reads all ones (an unconnected port).
    IoIn {
        /// The I/O port.
        port: u16,
        /// Access width in bytes: 1, 2 or 4.
        size: u8,
    },
    /// A string I/O instruction (`REP INS`/`OUTS`) moving several items at once. Not used by
    /// our guests; an `IN` string is left reading all ones.
    StringIo {
        /// The I/O port.
        port: u16,
        /// Item width in bytes.
        size: u8,
        /// Number of items.
        count: u32,
        /// `true` for OUTS, `false` for INS.
        out: bool,
    },
    /// A load from a guest-physical address that no memory slot covers. Answer with
    /// [`Vcpu::complete_mmio_read`](crate::Vcpu::complete_mmio_read); if you do not, the guest
    /// reads all ones.
    MmioRead {
        /// Guest-physical address.
        addr: u64,
        /// Width in bytes, 1..=8.
        len: u8,
    },
    /// A store to a guest-physical address that no memory slot covers.
    MmioWrite {
        /// Guest-physical address.
        addr: u64,
        /// Width in bytes, 1..=8.
        len: u8,
        /// The value stored, little-endian, zero-extended.
        data: u64,
    },
    /// `HLT` at CPL0. (At CPL3 `HLT` raises #GP, which without an IDT is a `Shutdown`.)
    Hlt,
    /// The guest triple-faulted (or asked for a reset); the vCPU cannot continue sensibly.
    Shutdown,
    /// KVM could not handle something in the kernel, e.g. an instruction its emulator lacks
    /// (`suberror` 1 = emulation failure; `data` holds the details KVM gave).
    InternalError {
        /// `KVM_INTERNAL_ERROR_*` code.
        suberror: u32,
        /// Up to 16 words of detail.
        data: Vec<u64>,
    },
    /// The run was ended early by a [`Kicker`](crate::Kicker) (or another signal).
    Interrupted,
    /// The hardware refused to enter the guest (bad register state).
    FailEntry {
        /// Hardware-specific reason code.
        reason: u64,
        /// The host CPU it happened on.
        cpu: u32,
    },
    /// Any other `KVM_EXIT_*` code, with the number.
    Other {
        /// The `exit_reason` from the `kvm_run` page.
        reason: u32,
    },
}

/// The kinds of [`Exit`], for counters and reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)] // one per `Exit` variant, same names
pub enum ExitKind {
    IoOut,
    IoIn,
    StringIo,
    MmioRead,
    MmioWrite,
    Hlt,
    Shutdown,
    InternalError,
    Interrupted,
    FailEntry,
    Other,
}

impl ExitKind {
    /// Every kind, in declaration order.
    pub const ALL: [ExitKind; 11] = [
        ExitKind::IoOut,
        ExitKind::IoIn,
        ExitKind::StringIo,
        ExitKind::MmioRead,
        ExitKind::MmioWrite,
        ExitKind::Hlt,
        ExitKind::Shutdown,
        ExitKind::InternalError,
        ExitKind::Interrupted,
        ExitKind::FailEntry,
        ExitKind::Other,
    ];

    /// A short lower-case name for reports (e.g. `io-out`).
    pub fn name(self) -> &'static str {
        match self {
            ExitKind::IoOut => "io-out",
            ExitKind::IoIn => "io-in",
            ExitKind::StringIo => "string-io",
            ExitKind::MmioRead => "mmio-read",
            ExitKind::MmioWrite => "mmio-write",
            ExitKind::Hlt => "hlt",
            ExitKind::Shutdown => "shutdown",
            ExitKind::InternalError => "internal-error",
            ExitKind::Interrupted => "interrupted",
            ExitKind::FailEntry => "fail-entry",
            ExitKind::Other => "other",
        }
    }
}

impl Exit {
    /// The kind of this exit.
    pub fn kind(&self) -> ExitKind {
        match self {
            Exit::IoOut { .. } => ExitKind::IoOut,
            Exit::IoIn { .. } => ExitKind::IoIn,
            Exit::StringIo { .. } => ExitKind::StringIo,
            Exit::MmioRead { .. } => ExitKind::MmioRead,
            Exit::MmioWrite { .. } => ExitKind::MmioWrite,
            Exit::Hlt => ExitKind::Hlt,
            Exit::Shutdown => ExitKind::Shutdown,
            Exit::InternalError { .. } => ExitKind::InternalError,
            Exit::Interrupted => ExitKind::Interrupted,
            Exit::FailEntry { .. } => ExitKind::FailEntry,
            Exit::Other { .. } => ExitKind::Other,
        }
    }
}

/// How many exits of each kind a vCPU has had, for `INDICATE`-style reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExitCounts {
    counts: [u64; ExitKind::ALL.len()],
}

impl ExitCounts {
    /// Counts one exit.
    pub(crate) fn record(&mut self, kind: ExitKind) {
        self.counts[kind as usize] += 1;
    }

    /// The number of exits of `kind`.
    pub fn get(&self, kind: ExitKind) -> u64 {
        self.counts[kind as usize]
    }

    /// All exits (which is also the number of completed `run` calls).
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// `(kind, count)` for every kind with a non-zero count.
    pub fn nonzero(&self) -> impl Iterator<Item = (ExitKind, u64)> + '_ {
        ExitKind::ALL.iter().map(|&k| (k, self.get(k))).filter(|&(_, n)| n != 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_counts() {
        for (i, k) in ExitKind::ALL.iter().enumerate() {
            assert_eq!(*k as usize, i, "ALL is in declaration order");
        }
        let mut c = ExitCounts::default();
        c.record(Exit::Hlt.kind());
        c.record(Exit::IoOut { port: 1, size: 1, data: 0 }.kind());
        c.record(Exit::IoOut { port: 1, size: 1, data: 0 }.kind());
        assert_eq!(c.get(ExitKind::IoOut), 2);
        assert_eq!(c.get(ExitKind::Hlt), 1);
        assert_eq!(c.total(), 3);
        let v: Vec<_> = c.nonzero().collect();
        assert_eq!(v, vec![(ExitKind::IoOut, 2), (ExitKind::Hlt, 1)]);
        assert_eq!(ExitKind::MmioWrite.name(), "mmio-write");
    }
}
