//! CMS minidisks seen from the host: a cylinder extent of a CKD volume as a [`BlockDevice`]
//! of 800-byte blocks, and formatting an extent with the records CMS expects.
//!
//! CMS formats every track of a minidisk with fixed 800-byte records without keys (19 per
//! track on a 3350, 13 on a 3330); block *n* (1-based) is record `((n-1) mod per_track) + 1`
//! of track `(n-1) div per_track` of the extent (`../shared/reference/real-cms.md` §4). CP
//! uses this to build the default system's disks and for the `vm370 cmsfs` tool; guests reach
//! the same records through their channel programs.

use std::sync::Arc;

use cms::fs::{Block, BlockDevice, DeviceError, Geometry};
use s370::devices::ckd::{Volume, track::Count};

/// CMS's unit-type byte for a device type (MFD offset 599).
pub fn cms_unit_type(device_type: u16) -> u8 {
    match device_type {
        0x3330 => 0x09,
        0x2314 | 0x2319 => 0x08,
        _ => cms::fs::UNIT_3350,
    }
}

/// A cylinder extent of a volume, addressed in CMS blocks.
#[derive(Debug, Clone)]
pub struct MinidiskBlocks {
    vol: Arc<Volume>,
    start: u32,
    cylinders: u32,
    per_track: u32,
}

impl MinidiskBlocks {
    /// The extent `start .. start+cylinders` of `vol`.
    pub fn new(vol: Arc<Volume>, start: u32, cylinders: u32) -> MinidiskBlocks {
        let per_track = vol.dasd_type().records_per_track(0, 800);
        MinidiskBlocks { vol, start, cylinders, per_track }
    }

    fn locate(&self, block: u32) -> Result<(u32, u32, u8), DeviceError> {
        if block == 0 || block > self.block_count() {
            return Err(DeviceError::OutOfRange { block });
        }
        let heads = self.vol.heads();
        let t = (block - 1) / self.per_track;
        let rec = ((block - 1) % self.per_track + 1) as u8;
        Ok((self.start + t / heads, t % heads, rec))
    }

    /// Writes 800-byte records R1..Rn (zeros) on every track of the extent, as CMS FORMAT
    /// does, after erasing what the tracks held.
    pub fn format_tracks(&self) -> Result<(), String> {
        let heads = self.vol.heads();
        let dt = self.vol.dasd_type();
        let zeros = [0u8; 800];
        for cyl in self.start..self.start + self.cylinders {
            for head in 0..heads {
                self.vol
                    .edit_track(cyl, head, |t| {
                        let mut range = t.truncate_after(Some(0));
                        for r in 1..=self.per_track {
                            if !t.fits(&dt, 0, 800) {
                                break;
                            }
                            let c = Count {
                                cyl: cyl as u16,
                                head: head as u16,
                                rec: r as u8,
                                key_len: 0,
                                data_len: 800,
                            };
                            let w =
                                t.append(c, &[], &zeros).map_err(|_| "track full".to_string())?;
                            range = range.start.min(w.start)..range.end.max(w.end);
                        }
                        Ok::<_, String>(range)
                    })
                    .map_err(|e| e.to_string())??;
            }
        }
        Ok(())
    }
}

impl BlockDevice for MinidiskBlocks {
    fn geometry(&self) -> Geometry {
        Geometry {
            unit_type: cms_unit_type(self.vol.dasd_type().device_type),
            cylinders: self.cylinders,
            tracks_per_cylinder: self.vol.heads(),
            blocks_per_track: self.per_track,
        }
    }

    fn block_count(&self) -> u32 {
        self.cylinders * self.vol.heads() * self.per_track
    }

    fn read_block(&mut self, block: u32, buf: &mut Block) -> Result<(), DeviceError> {
        let (cyl, head, rec) = self.locate(block)?;
        let io = |message: String| DeviceError::Io { block, message };
        let t = self.vol.track(cyl, head).map_err(|e| io(e.to_string()))?;
        let i = (1..t.len())
            .find(|&i| t.count(i).rec == rec && t.count(i).data_len == 800)
            .ok_or_else(|| io(format!("no 800-byte record {rec} on cylinder {cyl} head {head}")))?;
        buf.copy_from_slice(t.data(i));
        Ok(())
    }

    fn write_block(&mut self, block: u32, buf: &Block) -> Result<(), DeviceError> {
        let (cyl, head, rec) = self.locate(block)?;
        let io = |message: String| DeviceError::Io { block, message };
        if self.vol.is_read_only() {
            return Err(DeviceError::ReadOnly);
        }
        self.vol
            .edit_track(cyl, head, |t| {
                let i = (1..t.len())
                    .find(|&i| t.count(i).rec == rec && t.count(i).data_len == 800)
                    .ok_or_else(|| {
                        format!("no 800-byte record {rec} on cylinder {cyl} head {head}")
                    })?;
                Ok::<_, String>(t.set_data(i, buf))
            })
            .map_err(|e| io(e.to_string()))?
            .map_err(io)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cms::fs::{CmsDisk, FileId, FileMode, RecFm, Timestamp, WriteMode};
    use s370::devices::ckd::D3350;

    #[test]
    fn format_write_read_back_through_the_image() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("v.3350");
        let vol = Arc::new(Volume::create(&path, D3350, 4, "TEST01").expect("create"));
        let md = MinidiskBlocks::new(Arc::clone(&vol), 1, 2);
        assert_eq!(md.block_count(), 2 * 30 * 19);
        md.format_tracks().expect("format tracks");
        let mut disk = CmsDisk::format(md, "USR191").expect("CMS format");
        let id = FileId::new("PROFILE", "EXEC").expect("fileid");
        let recs: Vec<Vec<u8>> = vec![s370::ebcdic::from_str("&CONTROL OFF"); 3];
        let mode = FileMode::parse("A1").expect("mode");
        disk.write_file(
            id,
            mode,
            RecFm::V,
            0,
            WriteMode::New,
            recs.clone(),
            Timestamp::new(1979, 1, 1, 9, 0),
        )
        .expect("write");
        drop(disk);
        let vol = Arc::new(Volume::open(&path, false).expect("reopen"));
        let mut disk = CmsDisk::mount(MinidiskBlocks::new(vol, 1, 2)).expect("mount");
        assert_eq!(disk.read_records(&id).expect("read"), recs);
        assert_eq!(disk.label(), "USR191");
    }
}
