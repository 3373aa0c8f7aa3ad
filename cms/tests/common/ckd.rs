//! Test-only: CMS blocks inside a Hercules `CKD_P370` image (real-cms.md §2), until the
//! project-wide CKD model in `s370::devices` replaces it.
//!
//! Image: 512-byte header (`CKD_P370`, heads u32 LE at 8, track size u32 LE at 12, device type
//! byte at 16), then track t at 512 + t × trksize: home address (5 bytes), R0 count (8) + data,
//! records count (CCHH R KL DLDL) + key + data, ended by FF×8. CMS block n is the n-th 800-byte
//! record counting tracks in order; offsets are found by walking the count fields.

use cms::fs::{BLOCK_SIZE, Block, BlockDevice, DeviceError, Geometry, UNIT_3350};

const HEADER: usize = 512;
const EOT: [u8; 8] = [0xFF; 8];

/// A CKD image in memory with the offset of every 800-byte record's data.
pub struct CkdImage {
    pub bytes: Vec<u8>,
    offsets: Vec<usize>,
    geometry: Geometry,
}

impl CkdImage {
    /// Parse an image; every record must be keyless with 800 data bytes.
    pub fn parse(bytes: Vec<u8>) -> Result<CkdImage, String> {
        if bytes.len() < HEADER || &bytes[..8] != b"CKD_P370" {
            return Err("not a CKD_P370 image".into());
        }
        let le = |o: usize| u32::from_le_bytes(bytes[o..o + 4].try_into().unwrap()) as usize;
        let (heads, trksize) = (le(8), le(12));
        if heads == 0 || trksize == 0 {
            return Err("bad header".into());
        }
        let tracks = (bytes.len() - HEADER) / trksize;
        let mut offsets = Vec::new();
        let mut per_track = None;
        for t in 0..tracks {
            let trk = &bytes[HEADER + t * trksize..HEADER + (t + 1) * trksize];
            let r0_dl = u16::from_be_bytes([trk[5 + 6], trk[5 + 7]]) as usize;
            let mut p = 5 + 8 + r0_dl;
            let mut n = 0;
            while p + 8 <= trk.len() && trk[p..p + 8] != EOT {
                let kl = trk[p + 5] as usize;
                let dl = u16::from_be_bytes([trk[p + 6], trk[p + 7]]) as usize;
                if kl != 0 || dl != BLOCK_SIZE || p + 8 + dl > trk.len() {
                    return Err(format!("track {t}: record {} is not a CMS block", n + 1));
                }
                offsets.push(HEADER + t * trksize + p + 8);
                p += 8 + dl;
                n += 1;
            }
            if *per_track.get_or_insert(n) != n {
                return Err(format!("track {t} has {n} records"));
            }
        }
        let unit_type = match bytes[16] {
            0x50 => UNIT_3350,
            other => return Err(format!("device type {other:02X} not handled by this helper")),
        };
        let geometry = Geometry {
            unit_type,
            cylinders: (tracks / heads) as u32,
            tracks_per_cylinder: heads as u32,
            blocks_per_track: per_track.unwrap_or(0) as u32,
        };
        Ok(CkdImage { bytes, offsets, geometry })
    }

    /// A new 3350 image of `cylinders` cylinders, every track formatted with 19 zeroed
    /// 800-byte records, as `dasdinit` + CMS FORMAT leave it.
    pub fn new_3350(cylinders: u16) -> CkdImage {
        const HEADS: usize = 30;
        const TRKSIZE: usize = 19456;
        let tracks = cylinders as usize * HEADS;
        let mut b = vec![0u8; HEADER + tracks * TRKSIZE];
        b[..8].copy_from_slice(b"CKD_P370");
        b[8..12].copy_from_slice(&(HEADS as u32).to_le_bytes());
        b[12..16].copy_from_slice(&(TRKSIZE as u32).to_le_bytes());
        b[16] = 0x50;
        for t in 0..tracks {
            let (cc, hh) = ((t / HEADS) as u16, (t % HEADS) as u16);
            let trk = &mut b[HEADER + t * TRKSIZE..HEADER + (t + 1) * TRKSIZE];
            trk[1..3].copy_from_slice(&cc.to_be_bytes());
            trk[3..5].copy_from_slice(&hh.to_be_bytes());
            let count = |r: u8, dl: u16| {
                let mut c = [0u8; 8];
                c[0..2].copy_from_slice(&cc.to_be_bytes());
                c[2..4].copy_from_slice(&hh.to_be_bytes());
                c[4] = r;
                c[6..8].copy_from_slice(&dl.to_be_bytes());
                c
            };
            trk[5..13].copy_from_slice(&count(0, 8));
            let mut p = 5 + 8 + 8;
            for r in 1..=19u8 {
                trk[p..p + 8].copy_from_slice(&count(r, BLOCK_SIZE as u16));
                p += 8 + BLOCK_SIZE;
            }
            trk[p..p + 8].copy_from_slice(&EOT);
        }
        CkdImage::parse(b).expect("a freshly built image parses")
    }
}

impl CkdImage {
    /// The same blocks in a [`cms::fs::MemDevice`].
    pub fn to_mem_device(&self) -> cms::fs::MemDevice {
        let bytes: Vec<u8> = self
            .offsets
            .iter()
            .flat_map(|&o| self.bytes[o..o + BLOCK_SIZE].iter().copied())
            .collect();
        cms::fs::MemDevice::from_bytes(self.geometry, bytes)
    }
}

impl BlockDevice for CkdImage {
    fn geometry(&self) -> Geometry {
        self.geometry
    }
    fn block_count(&self) -> u32 {
        self.offsets.len() as u32
    }
    fn read_block(&mut self, block: u32, buf: &mut Block) -> Result<(), DeviceError> {
        let o = *self
            .offsets
            .get((block as usize).wrapping_sub(1))
            .ok_or(DeviceError::OutOfRange { block })?;
        buf.copy_from_slice(&self.bytes[o..o + BLOCK_SIZE]);
        Ok(())
    }
    fn write_block(&mut self, block: u32, buf: &Block) -> Result<(), DeviceError> {
        let o = *self
            .offsets
            .get((block as usize).wrapping_sub(1))
            .ok_or(DeviceError::OutOfRange { block })?;
        self.bytes[o..o + BLOCK_SIZE].copy_from_slice(buf);
        Ok(())
    }
}
