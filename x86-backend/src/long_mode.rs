//! The 64-bit long-mode machine our x86 guests start in: GDT, TSS, an empty IDT and
//! identity-mapped page tables in a fixed system area, and the registers that select them.
//!
//! Guest memory map (guest-physical = linear, identity-mapped with 2 MiB pages up to 4 GiB):
//!
//! ```text
//!   0x0000_0000  unused page
//!   0x0000_1000  GDT   (7 entries: null, code64/data DPL0, code64/data DPL3, 64-bit TSS)
//!   0x0000_2000  IDT   (limit 0: every exception is a triple fault -> Exit::Shutdown)
//!   0x0000_3000  PML4
//!   0x0000_4000  PDPT  (4 entries)
//!   0x0000_5000  4 page directories (512 x 2 MiB each), up to 0x8fff
//!   0x0000_9000  TSS   (RSP0 = 0x10000) + I/O permission bitmap allowing every port,
//!                      up to 0xb068
//!   0x0001_0000  SYSTEM_AREA_END: guest code, data and stack go here or above
//!   RAM size ... 0xffff_ffff   mapped but unbacked: accesses are MMIO exits
//! ```
//!
//! The guest normally runs at **CPL3 with IOPL 3** ([`Ring::User`]): on PVM hosts only CPL3
//! code runs natively, and `OUT`/`IN`, which exit to the host, are its call to CP (`VMCALL`
//! does not reach user space). IOPL 3 is what permits them on VT-x/AMD-V; PVM ignores the
//! guest's IOPL (it reads back as 0) and checks the TSS I/O permission bitmap instead, so the
//! TSS carries a bitmap that allows every port. All pages are user-accessible and writable, so
//! the guest can reach its whole memory (and could overwrite its own tables: its loss only).

use crate::error::{Error, Result};
use crate::regs::{DescriptorTable, RFLAGS_FIXED, RFLAGS_IOPL3, Regs, Segment, SpecialRegs};
use crate::vcpu::Vcpu;

/// Guest-physical address of the GDT.
pub const GDT_ADDR: u64 = 0x1000;
/// Guest-physical address of the (empty) IDT.
pub const IDT_ADDR: u64 = 0x2000;
/// Guest-physical address of the PML4 (the value of CR3).
pub const PML4_ADDR: u64 = 0x3000;
/// Guest-physical address of the PDPT.
pub const PDPT_ADDR: u64 = 0x4000;
/// Guest-physical address of the first of four page directories.
pub const PD_ADDR: u64 = 0x5000;
/// Guest-physical address of the 64-bit TSS.
pub const TSS_ADDR: u64 = 0x9000;
/// Offset in the TSS of the I/O permission bitmap (right after the 0x68-byte TSS proper).
pub const TSS_IO_BITMAP: u64 = 0x68;
/// TSS limit: the TSS proper, 8 KiB of bitmap (one bit per port, all zero = allowed) and the
/// all-ones byte the architecture wants after it.
pub const TSS_LIMIT: u32 = (TSS_IO_BITMAP + 0x2000) as u32;
/// The first byte after the system area; guest code and data live at or above it.
pub const SYSTEM_AREA_END: u64 = 0x1_0000;
/// How much of the address space the page tables identity-map.
pub const IDENTITY_MAPPED: u64 = 4 << 30;

/// Supervisor code selector (GDT entry 1, RPL 0).
pub const KERNEL_CS: u16 = 0x08;
/// Supervisor data selector (GDT entry 2, RPL 0).
pub const KERNEL_DS: u16 = 0x10;
/// User code selector (GDT entry 3, RPL 3).
pub const USER_CS: u16 = 0x1b;
/// User data selector (GDT entry 4, RPL 3).
pub const USER_DS: u16 = 0x23;
/// Task register selector (GDT entries 5 and 6).
pub const TSS_SELECTOR: u16 = 0x28;

/// The GDT, entry by entry.
pub const GDT: [u64; 7] = [
    0,
    0x00AF_9B00_0000_FFFF, // code64, DPL0: P, S, type 0xB, L=1, D=0, G=1
    0x00CF_9300_0000_FFFF, // data, DPL0: P, S, type 0x3, D/B=1, G=1
    0x00AF_FB00_0000_FFFF, // code64, DPL3
    0x00CF_F300_0000_FFFF, // data, DPL3
    0x0000_8B00_9000_2068, // 64-bit busy TSS at TSS_ADDR, limit TSS_LIMIT (low half)
    0,                     // TSS high half: base bits 63..32 = 0
];
/// GDTR.limit for [`GDT`].
pub const GDT_LIMIT: u16 = (GDT.len() * 8 - 1) as u16;

/// CR0 = PE | MP | ET | NE | WP | AM | PG.
pub const CR0: u64 = 0x8005_0033;
/// CR4 = PAE | OSFXSR | OSXMMEXCPT.
pub const CR4: u64 = 0x620;
/// EFER = LME | LMA.
pub const EFER: u64 = 0x500;

/// The privilege level the guest starts at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Ring {
    /// CPL3 with IOPL 3: native speed on every flavour; `OUT`/`IN` exit to the host.
    #[default]
    User,
    /// CPL0: native on VT-x/AMD-V, emulated (about 1000x slower) on PVM.
    Supervisor,
}

/// Where and how a guest starts in long mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LongModeSetup {
    /// Initial `rip`.
    pub entry: u64,
    /// Initial `rsp`.
    pub stack: u64,
    /// Initial privilege level.
    pub ring: Ring,
}

impl LongModeSetup {
    /// The registers this setup starts with: `rip`, `rsp`, `rflags` (IOPL 3 at CPL3, IF clear),
    /// everything else zero.
    pub fn regs(&self) -> Regs {
        let rflags = match self.ring {
            Ring::User => RFLAGS_FIXED | RFLAGS_IOPL3,
            Ring::Supervisor => RFLAGS_FIXED,
        };
        Regs { rip: self.entry, rsp: self.stack, rflags, ..Regs::default() }
    }

    /// The segment and control registers this setup starts with.
    pub fn sregs(&self) -> SpecialRegs {
        let (cs_sel, ds_sel, dpl) = match self.ring {
            Ring::User => (USER_CS, USER_DS, 3),
            Ring::Supervisor => (KERNEL_CS, KERNEL_DS, 0),
        };
        let code = Segment {
            selector: cs_sel,
            base: 0,
            limit: 0xffff_ffff,
            type_: 0xb,
            dpl,
            present: true,
            s: true,
            l: true,
            db: false,
            g: true,
            avl: false,
            unusable: false,
        };
        let data = Segment { selector: ds_sel, type_: 0x3, l: false, db: true, ..code };
        let tr = Segment {
            selector: TSS_SELECTOR,
            base: TSS_ADDR,
            limit: TSS_LIMIT,
            type_: 0xb,
            dpl: 0,
            present: true,
            s: false,
            l: false,
            db: false,
            g: false,
            avl: false,
            unusable: false,
        };
        let ldt = Segment { type_: 0x2, present: false, unusable: true, ..Segment::default() };
        SpecialRegs {
            cs: code,
            ds: data,
            es: data,
            fs: data,
            gs: data,
            ss: data,
            tr,
            ldt,
            gdt: DescriptorTable { base: GDT_ADDR, limit: GDT_LIMIT },
            idt: DescriptorTable { base: IDT_ADDR, limit: 0 },
            cr0: CR0,
            cr2: 0,
            cr3: PML4_ADDR,
            cr4: CR4,
            efer: EFER,
        }
    }
}

impl Vcpu {
    /// Puts the system area (GDT, TSS, IDT, page tables) into guest memory and loads the
    /// registers of `setup`: the guest then starts at `setup.entry` in 64-bit mode.
    ///
    /// Guest memory must be larger than [`SYSTEM_AREA_END`]; the system area is overwritten.
    pub fn setup_long_mode(&mut self, setup: &LongModeSetup) -> Result<()> {
        write_system_area(self.memory())?;
        self.set_sregs(&setup.sregs())?;
        self.set_regs(&setup.regs())
    }
}

/// Writes the GDT, TSS, IDT and page tables of the module map into `mem`.
pub fn write_system_area(mem: &crate::GuestMemory) -> Result<()> {
    if mem.size() <= SYSTEM_AREA_END {
        return Err(Error::InvalidArgument(format!(
            "long mode needs more than {SYSTEM_AREA_END:#x} bytes of guest memory, got {:#x}",
            mem.size()
        )));
    }
    mem.fill(0, SYSTEM_AREA_END, 0)?;
    for (i, entry) in GDT.iter().enumerate() {
        mem.write_u64(GDT_ADDR + 8 * i as u64, *entry)?;
    }
    // TSS: RSP0 at offset 4; I/O map base at offset 0x66; the bitmap (already zero: every
    // port allowed) ends with an all-ones byte.
    mem.write_u64(TSS_ADDR + 4, SYSTEM_AREA_END)?;
    mem.write_u16(TSS_ADDR + 0x66, TSS_IO_BITMAP as u16)?;
    mem.write(TSS_ADDR + u64::from(TSS_LIMIT), &[0xff])?;
    const PRESENT_RW_USER: u64 = 0x7;
    const LARGE_PAGE: u64 = 0x80;
    mem.write_u64(PML4_ADDR, PDPT_ADDR | PRESENT_RW_USER)?;
    let directories = IDENTITY_MAPPED >> 30;
    for d in 0..directories {
        let pd = PD_ADDR + d * 0x1000;
        mem.write_u64(PDPT_ADDR + 8 * d, pd | PRESENT_RW_USER)?;
        for e in 0..512u64 {
            let frame = ((d << 9) | e) << 21;
            mem.write_u64(pd + 8 * e, frame | LARGE_PAGE | PRESENT_RW_USER)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::GuestMemory;

    #[test]
    fn system_area_contents() {
        let mem = GuestMemory::new(1 << 20).expect("1 MiB");
        write_system_area(&mem).expect("fits");
        assert_eq!(mem.read_u64(GDT_ADDR + 3 * 8).expect("gdt[3]"), GDT[3]);
        assert_eq!(mem.read_u64(PML4_ADDR).expect("pml4[0]"), 0x4007);
        assert_eq!(mem.read_u64(PDPT_ADDR + 3 * 8).expect("pdpt[3]"), 0x8007);
        // The TSS descriptor matches TSS_ADDR/TSS_LIMIT, and the bitmap allows every port.
        let tss = GDT[5];
        assert_eq!((tss >> 16) & 0xff_ffff | ((tss >> 56) << 24), TSS_ADDR);
        assert_eq!((tss & 0xffff) | ((tss >> 32) & 0xf_0000), u64::from(TSS_LIMIT));
        assert_eq!(mem.read_u16(TSS_ADDR + 0x66).expect("iomap base"), 0x68);
        let mut bitmap = vec![0xffu8; 0x2000];
        mem.read(TSS_ADDR + 0x68, &mut bitmap).expect("bitmap");
        assert!(bitmap.iter().all(|&b| b == 0));
        assert_eq!(mem.read_array::<1>(TSS_ADDR + 0x2068).expect("end"), [0xff]);
        assert!(TSS_ADDR + u64::from(TSS_LIMIT) < SYSTEM_AREA_END);
        assert_eq!(mem.read_u64(PD_ADDR).expect("pd0[0]"), 0x87);
        assert_eq!(mem.read_u64(PD_ADDR + 8).expect("pd0[1]"), 0x20_0087);
        // The last 2 MiB page below 4 GiB.
        let last = mem.read_u64(PD_ADDR + 3 * 0x1000 + 511 * 8).expect("pd3[511]");
        assert_eq!(last, 0xffe0_0087);
        assert_eq!(GDT_LIMIT, 0x37);
        let tiny = GuestMemory::new(SYSTEM_AREA_END).expect("64 KiB");
        assert!(matches!(write_system_area(&tiny), Err(Error::InvalidArgument(_))));
    }

    #[test]
    fn user_and_supervisor_registers() {
        let user = LongModeSetup { entry: 0x10000, stack: 0x20000, ring: Ring::User };
        let s = user.sregs();
        assert_eq!((s.cs.selector, s.cs.dpl, s.cs.l), (USER_CS, 3, true));
        assert_eq!((s.ss.selector, s.ss.dpl), (USER_DS, 3));
        assert_eq!(user.regs().rflags, 0x3002);
        let sup = LongModeSetup { ring: Ring::Supervisor, ..user };
        assert_eq!(sup.sregs().cs.selector, KERNEL_CS);
        assert_eq!(sup.regs().rflags, 0x2);
        assert_eq!(sup.regs().rip, 0x10000);
    }
}
