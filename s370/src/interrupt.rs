//! Interruption codes and the fixed storage locations of the interruption mechanism.
//!
//! Principles of Operation, "Interruptions" and "Assigned Storage Locations".

/// Program-interruption codes.
pub mod pic {
    /// Operation exception.
    pub const OPERATION: u16 = 0x01;
    /// Privileged-operation exception.
    pub const PRIVILEGED: u16 = 0x02;
    /// Execute exception.
    pub const EXECUTE: u16 = 0x03;
    /// Protection exception.
    pub const PROTECTION: u16 = 0x04;
    /// Addressing exception.
    pub const ADDRESSING: u16 = 0x05;
    /// Specification exception.
    pub const SPECIFICATION: u16 = 0x06;
    /// Data exception.
    pub const DATA: u16 = 0x07;
    /// Fixed-point-overflow exception.
    pub const FIXED_OVERFLOW: u16 = 0x08;
    /// Fixed-point-divide exception.
    pub const FIXED_DIVIDE: u16 = 0x09;
    /// Decimal-overflow exception.
    pub const DECIMAL_OVERFLOW: u16 = 0x0A;
    /// Decimal-divide exception.
    pub const DECIMAL_DIVIDE: u16 = 0x0B;
    /// Exponent-overflow exception.
    pub const EXPONENT_OVERFLOW: u16 = 0x0C;
    /// Exponent-underflow exception.
    pub const EXPONENT_UNDERFLOW: u16 = 0x0D;
    /// Significance exception.
    pub const SIGNIFICANCE: u16 = 0x0E;
    /// Floating-point-divide exception.
    pub const FLOAT_DIVIDE: u16 = 0x0F;
    /// Segment-translation exception.
    pub const SEGMENT_TRANSLATION: u16 = 0x10;
    /// Page-translation exception.
    pub const PAGE_TRANSLATION: u16 = 0x11;
    /// Translation-specification exception.
    pub const TRANSLATION_SPECIFICATION: u16 = 0x12;
    /// Special-operation exception.
    pub const SPECIAL_OPERATION: u16 = 0x13;
    /// Monitor event (bit added to the code).
    pub const MONITOR_EVENT: u16 = 0x40;
    /// PER event (bit added to the code).
    pub const PER_EVENT: u16 = 0x80;
}

/// Assigned storage locations (real addresses, before prefixing).
pub mod lowcore {
    /// Restart new PSW (IPL PSW at IPL).
    pub const IPL_PSW: u32 = 0x00;
    /// Restart old PSW (IPL CCW 1).
    pub const RESTART_OLD: u32 = 0x08;
    /// External old PSW.
    pub const EXTERNAL_OLD: u32 = 0x18;
    /// Supervisor-call old PSW.
    pub const SVC_OLD: u32 = 0x20;
    /// Program old PSW.
    pub const PROGRAM_OLD: u32 = 0x28;
    /// Machine-check old PSW.
    pub const MCHECK_OLD: u32 = 0x30;
    /// Input/output old PSW.
    pub const IO_OLD: u32 = 0x38;
    /// Channel status word.
    pub const CSW: u32 = 0x40;
    /// Channel address word.
    pub const CAW: u32 = 0x48;
    /// Interval timer.
    pub const TIMER: u32 = 0x50;
    /// External new PSW.
    pub const EXTERNAL_NEW: u32 = 0x58;
    /// Supervisor-call new PSW.
    pub const SVC_NEW: u32 = 0x60;
    /// Program new PSW.
    pub const PROGRAM_NEW: u32 = 0x68;
    /// Machine-check new PSW.
    pub const MCHECK_NEW: u32 = 0x70;
    /// Input/output new PSW.
    pub const IO_NEW: u32 = 0x78;
    /// EC mode: external interruption code (halfword).
    pub const EXT_CODE: u32 = 0x86;
    /// EC mode: SVC interruption ILC (byte 0x89) and code (0x8A).
    pub const SVC_ILC: u32 = 0x88;
    /// EC mode: program interruption ILC (0x8D) and code (0x8E).
    pub const PGM_ILC: u32 = 0x8C;
    /// Translation-exception address.
    pub const TRANS_ADDR: u32 = 0x90;
    /// Monitor class number.
    pub const MONITOR_CLASS: u32 = 0x94;
    /// PER code.
    pub const PER_CODE: u32 = 0x96;
    /// PER address.
    pub const PER_ADDR: u32 = 0x98;
    /// Monitor code.
    pub const MONITOR_CODE: u32 = 0x9C;
    /// Channel ID (STIDC).
    pub const CHANNEL_ID: u32 = 0xA8;
    /// I/O extended logout address.
    pub const IOEL_ADDR: u32 = 0xAC;
    /// Limited channel logout.
    pub const LCL: u32 = 0xB0;
    /// EC mode: I/O interruption device address (halfword at 0xBA).
    pub const IO_ADDR: u32 = 0xB8;
}
