//! A device's ready switch (CP's `NOTREADY` and `READY`): while it is off, every command
//! but SENSE is refused with unit check and intervention required, as a real unit record
//! device or console that is not ready refuses it; SENSE reports intervention required.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use s370::channel::{Command, DataPath, Device, DeviceInfo, Response, unit};
use s370::devices::sense;

/// A device behind a ready switch.
pub struct Switched {
    inner: Box<dyn Device>,
    ready: Arc<AtomicBool>,
}

impl std::fmt::Debug for Switched {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Switched").field("ready", &self.ready.load(Ordering::Relaxed)).finish()
    }
}

impl Switched {
    /// Puts `inner` behind the switch `ready` (true = ready).
    pub fn new(inner: Box<dyn Device>, ready: Arc<AtomicBool>) -> Switched {
        Switched { inner, ready }
    }
}

impl Device for Switched {
    fn execute(&mut self, cmd: Command, data: &mut dyn DataPath) -> Response {
        if self.ready.load(Ordering::Acquire) {
            return self.inner.execute(cmd, data);
        }
        if cmd.code == 0x04 {
            data.put(&[sense::INTERVENTION_REQUIRED]);
            return Response::Status(unit::CE_DE);
        }
        Response::Status(unit::CE_DE | unit::UNIT_CHECK)
    }

    fn info(&self) -> DeviceInfo {
        self.inner.info()
    }

    fn reset(&mut self) {
        self.inner.reset();
    }
}
