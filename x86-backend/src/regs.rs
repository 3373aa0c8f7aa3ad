//! Register state as plain data, converted to and from KVM's `kvm_regs`/`kvm_sregs`.

use kvm_bindings::{kvm_dtable, kvm_regs, kvm_segment, kvm_sregs};

/// RFLAGS.IF: maskable interrupts enabled.
pub const RFLAGS_IF: u64 = 1 << 9;
/// RFLAGS.IOPL, both bits: I/O privilege level 3, so CPL3 code may use `IN`/`OUT`/`CLI`/`STI`.
pub const RFLAGS_IOPL3: u64 = 3 << 12;
/// RFLAGS bit 1, which always reads as 1.
pub const RFLAGS_FIXED: u64 = 1 << 1;

/// The general registers, `rip` and `rflags` of a vCPU.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[allow(missing_docs)] // the fields are the architectural registers of the same name
pub struct Regs {
    pub rax: u64,
    pub rbx: u64,
    pub rcx: u64,
    pub rdx: u64,
    pub rsi: u64,
    pub rdi: u64,
    pub rsp: u64,
    pub rbp: u64,
    pub r8: u64,
    pub r9: u64,
    pub r10: u64,
    pub r11: u64,
    pub r12: u64,
    pub r13: u64,
    pub r14: u64,
    pub r15: u64,
    pub rip: u64,
    pub rflags: u64,
}

impl From<kvm_regs> for Regs {
    fn from(r: kvm_regs) -> Regs {
        Regs {
            rax: r.rax,
            rbx: r.rbx,
            rcx: r.rcx,
            rdx: r.rdx,
            rsi: r.rsi,
            rdi: r.rdi,
            rsp: r.rsp,
            rbp: r.rbp,
            r8: r.r8,
            r9: r.r9,
            r10: r.r10,
            r11: r.r11,
            r12: r.r12,
            r13: r.r13,
            r14: r.r14,
            r15: r.r15,
            rip: r.rip,
            rflags: r.rflags,
        }
    }
}

impl From<Regs> for kvm_regs {
    fn from(r: Regs) -> kvm_regs {
        kvm_regs {
            rax: r.rax,
            rbx: r.rbx,
            rcx: r.rcx,
            rdx: r.rdx,
            rsi: r.rsi,
            rdi: r.rdi,
            rsp: r.rsp,
            rbp: r.rbp,
            r8: r.r8,
            r9: r.r9,
            r10: r.r10,
            r11: r.r11,
            r12: r.r12,
            r13: r.r13,
            r14: r.r14,
            r15: r.r15,
            rip: r.rip,
            rflags: r.rflags,
        }
    }
}

/// A segment register with its hidden descriptor part, as KVM exposes it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Segment {
    /// The visible selector (index << 3 | TI << 2 | RPL).
    pub selector: u16,
    /// Base address (used in long mode only by FS and GS).
    pub base: u64,
    /// Limit in bytes (already scaled by G).
    pub limit: u32,
    /// The 4-bit type field (e.g. 0xB = execute/read, accessed; 0x3 = read/write, accessed).
    pub type_: u8,
    /// Descriptor privilege level, 0..=3.
    pub dpl: u8,
    /// Present.
    pub present: bool,
    /// S: code/data (true) or system (false) descriptor.
    pub s: bool,
    /// L: 64-bit code segment.
    pub l: bool,
    /// D/B: default operation size 32 bits.
    pub db: bool,
    /// G: limit granularity 4 KiB.
    pub g: bool,
    /// AVL: available to software.
    pub avl: bool,
    /// KVM's "unusable" flag (a null selector loaded in a data register, an absent LDT).
    pub unusable: bool,
}

impl From<kvm_segment> for Segment {
    fn from(s: kvm_segment) -> Segment {
        Segment {
            selector: s.selector,
            base: s.base,
            limit: s.limit,
            type_: s.type_,
            dpl: s.dpl,
            present: s.present != 0,
            s: s.s != 0,
            l: s.l != 0,
            db: s.db != 0,
            g: s.g != 0,
            avl: s.avl != 0,
            unusable: s.unusable != 0,
        }
    }
}

impl From<Segment> for kvm_segment {
    fn from(s: Segment) -> kvm_segment {
        kvm_segment {
            base: s.base,
            limit: s.limit,
            selector: s.selector,
            type_: s.type_,
            present: s.present.into(),
            dpl: s.dpl,
            db: s.db.into(),
            s: s.s.into(),
            l: s.l.into(),
            g: s.g.into(),
            avl: s.avl.into(),
            unusable: s.unusable.into(),
            padding: 0,
        }
    }
}

/// A descriptor-table register (GDTR or IDTR).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DescriptorTable {
    /// Linear base address.
    pub base: u64,
    /// Limit: size in bytes minus one.
    pub limit: u16,
}

impl From<kvm_dtable> for DescriptorTable {
    fn from(d: kvm_dtable) -> DescriptorTable {
        DescriptorTable { base: d.base, limit: d.limit }
    }
}

impl From<DescriptorTable> for kvm_dtable {
    fn from(d: DescriptorTable) -> kvm_dtable {
        kvm_dtable { base: d.base, limit: d.limit, padding: [0; 3] }
    }
}

/// Segment, descriptor-table and control registers of a vCPU.
///
/// `cr8`, `apic_base` and the pending-interrupt bitmap are not here: [`Vcpu::set_sregs`]
/// keeps KVM's values for them.
///
/// [`Vcpu::set_sregs`]: crate::Vcpu::set_sregs
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[allow(missing_docs)] // the fields are the architectural registers of the same name
pub struct SpecialRegs {
    pub cs: Segment,
    pub ds: Segment,
    pub es: Segment,
    pub fs: Segment,
    pub gs: Segment,
    pub ss: Segment,
    pub tr: Segment,
    pub ldt: Segment,
    pub gdt: DescriptorTable,
    pub idt: DescriptorTable,
    pub cr0: u64,
    pub cr2: u64,
    pub cr3: u64,
    pub cr4: u64,
    pub efer: u64,
}

impl SpecialRegs {
    /// Reads ours out of KVM's structure.
    pub(crate) fn from_kvm(s: &kvm_sregs) -> SpecialRegs {
        SpecialRegs {
            cs: s.cs.into(),
            ds: s.ds.into(),
            es: s.es.into(),
            fs: s.fs.into(),
            gs: s.gs.into(),
            ss: s.ss.into(),
            tr: s.tr.into(),
            ldt: s.ldt.into(),
            gdt: s.gdt.into(),
            idt: s.idt.into(),
            cr0: s.cr0,
            cr2: s.cr2,
            cr3: s.cr3,
            cr4: s.cr4,
            efer: s.efer,
        }
    }

    /// Writes ours into KVM's structure, leaving the fields we do not model untouched.
    pub(crate) fn apply_to(&self, s: &mut kvm_sregs) {
        s.cs = self.cs.into();
        s.ds = self.ds.into();
        s.es = self.es.into();
        s.fs = self.fs.into();
        s.gs = self.gs.into();
        s.ss = self.ss.into();
        s.tr = self.tr.into();
        s.ldt = self.ldt.into();
        s.gdt = self.gdt.into();
        s.idt = self.idt.into();
        s.cr0 = self.cr0;
        s.cr2 = self.cr2;
        s.cr3 = self.cr3;
        s.cr4 = self.cr4;
        s.efer = self.efer;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_round_trip() {
        let seg = Segment {
            selector: 0x1b,
            base: 0x1234,
            limit: 0xffff_ffff,
            type_: 0xb,
            dpl: 3,
            present: true,
            s: true,
            l: true,
            db: false,
            g: true,
            avl: false,
            unusable: false,
        };
        let k: kvm_segment = seg.into();
        assert_eq!((k.selector, k.dpl, k.l, k.g, k.db), (0x1b, 3, 1, 1, 0));
        assert_eq!(Segment::from(k), seg);

        let regs = Regs { rax: 1, r15: 15, rip: 0x10000, rflags: 0x3002, ..Regs::default() };
        assert_eq!(Regs::from(kvm_regs::from(regs)), regs);

        let mut k = kvm_sregs { apic_base: 0xfee0_0900, cr8: 5, ..Default::default() };
        let s = SpecialRegs {
            cs: seg,
            gdt: DescriptorTable { base: 0x1000, limit: 0x37 },
            cr0: 0x8000_0033,
            efer: 0x500,
            ..SpecialRegs::default()
        };
        s.apply_to(&mut k);
        assert_eq!(k.apic_base, 0xfee0_0900, "untouched");
        assert_eq!(k.cr8, 5, "untouched");
        assert_eq!(SpecialRegs::from_kvm(&k), s);
    }
}
