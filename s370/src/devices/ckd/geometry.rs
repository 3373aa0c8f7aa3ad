//! Device geometry of the CKD DASD types we model: 3330 and 3350.
//!
//! Figures as in IBM's reference summaries (and Hercules' device table, read for facts): primary
//! cylinders, heads (tracks per cylinder), track capacity, the largest R1, and the per-record
//! overheads of the capacity formula. The Hercules image track size is
//! `roundup(5 + 8 + 8 + 8 + R1max + 8, 512)` (home address, R0 count and data, R1 count,
//! R1 data, end-of-track marker).

/// One CKD device type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DasdType {
    /// The name, e.g. `"3350"`.
    pub name: &'static str,
    /// The type number, e.g. `0x3350`.
    pub device_type: u16,
    /// Primary cylinders of a full volume.
    pub cylinders: u32,
    /// Tracks per cylinder.
    pub heads: u32,
    /// Track capacity for R1 onwards, in bytes of the capacity formula.
    pub track_capacity: u32,
    /// The largest R1 (no key) that fits a track.
    pub r1_max: u32,
    /// Overhead of a key in the capacity formula.
    pub key_overhead: u32,
    /// Overhead of every record in the capacity formula.
    pub record_overhead: u32,
    /// The device-type byte of a Hercules image header.
    pub hercules_byte: u8,
}

/// The IBM 3330 model 1 (3330 on a 3830 storage control).
pub const D3330: DasdType = DasdType {
    name: "3330",
    device_type: 0x3330,
    cylinders: 404,
    heads: 19,
    track_capacity: 13165,
    r1_max: 13030,
    key_overhead: 56,
    record_overhead: 135,
    hercules_byte: 0x30,
};

/// The IBM 3350.
pub const D3350: DasdType = DasdType {
    name: "3350",
    device_type: 0x3350,
    cylinders: 555,
    heads: 30,
    track_capacity: 19254,
    r1_max: 19069,
    key_overhead: 82,
    record_overhead: 185,
    hercules_byte: 0x50,
};

impl DasdType {
    /// The type for a Hercules header device-type byte.
    pub fn from_hercules_byte(b: u8) -> Option<DasdType> {
        [D3330, D3350].into_iter().find(|t| t.hercules_byte == b)
    }

    /// The type by name (`"3330"`, `"3350"`).
    pub fn by_name(name: &str) -> Option<DasdType> {
        [D3330, D3350].into_iter().find(|t| t.name == name)
    }

    /// Bytes one track occupies in a Hercules `CKD_P370` image.
    pub fn image_track_size(&self) -> u32 {
        (5 + 8 + 8 + 8 + self.r1_max + 8).next_multiple_of(512)
    }

    /// Track capacity one record (R1 or later) uses.
    pub fn record_space(&self, key_len: u8, data_len: u16) -> u32 {
        let key = if key_len > 0 { self.key_overhead + u32::from(key_len) } else { 0 };
        self.record_overhead + key + u32::from(data_len)
    }

    /// How many records of this size fit one track.
    pub fn records_per_track(&self, key_len: u8, data_len: u16) -> u32 {
        self.track_capacity / self.record_space(key_len, data_len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_track_sizes_match_hercules() {
        assert_eq!(D3350.image_track_size(), 19456);
        assert_eq!(D3330.image_track_size(), 13312);
    }

    #[test]
    fn cms_fits_19_blocks_of_800_on_a_3350_track() {
        assert_eq!(D3350.records_per_track(0, 800), 19);
        assert_eq!(D3350.record_space(0, 19069), D3350.track_capacity);
        assert_eq!(D3330.record_space(0, 13030), D3330.track_capacity);
        assert_eq!(DasdType::from_hercules_byte(0x50), Some(D3350));
        assert_eq!(DasdType::by_name("3330"), Some(D3330));
    }
}
