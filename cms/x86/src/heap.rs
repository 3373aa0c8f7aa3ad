//! The monitor's allocator: the storage from the end of the image (`__heap_start`) to the end of
//! the virtual machine's storage.
//!
//! Small blocks (up to 512 bytes, in 16-byte classes) are kept on one free list per class and
//! reused as they are; larger blocks are allocated first-fit from an address-ordered free list
//! whose neighbours are merged on free, and both come from a bump pointer when no free block
//! fits. The monitor is single-threaded (one vCPU, no interruptions), so the state needs no
//! lock; a freed block holds the free-list link in its first bytes.

use core::alloc::{GlobalAlloc, Layout};
use core::cell::UnsafeCell;
use core::ptr;

/// Granule of every allocation.
const GRAIN: usize = 16;
/// The largest size served from the per-class lists.
const SMALL_MAX: usize = 512;
/// Number of small classes.
const CLASSES: usize = SMALL_MAX / GRAIN;

unsafe extern "C" {
    /// The first byte after the image and its bss (from `link.ld`).
    static __heap_start: u8;
}

/// A free large block: its size and the next free block (higher address), at its start.
struct FreeBlock {
    size: usize,
    next: *mut FreeBlock,
}

struct State {
    /// Bump pointer: everything from here to `end` is untouched.
    top: usize,
    end: usize,
    small: [*mut u8; CLASSES],
    large: *mut FreeBlock,
}

/// The global allocator (see the module documentation).
pub struct Heap(UnsafeCell<State>);

// SAFETY: the monitor runs on one vCPU with no interruptions or threads, so the state is
// never accessed concurrently.
unsafe impl Sync for Heap {}

#[global_allocator]
static HEAP: Heap = Heap(UnsafeCell::new(State {
    top: 0,
    end: 0,
    small: [ptr::null_mut(); CLASSES],
    large: ptr::null_mut(),
}));

/// Gives the allocator the storage from `__heap_start` to `storage` (the machine's size).
pub fn init(storage: u64) {
    let start = &raw const __heap_start as usize;
    // SAFETY: called once before the first allocation, single-threaded.
    let st = unsafe { &mut *HEAP.0.get() };
    st.top = start.next_multiple_of(GRAIN);
    st.end = (storage as usize).max(st.top);
    st.small = [ptr::null_mut(); CLASSES];
    st.large = ptr::null_mut();
}

fn rounded(layout: &Layout) -> usize {
    layout.size().max(1).next_multiple_of(GRAIN)
}

impl State {
    fn bump(&mut self, size: usize, align: usize) -> *mut u8 {
        let at = self.top.next_multiple_of(align.max(GRAIN));
        match at.checked_add(size) {
            Some(end) if end <= self.end => {
                if at > self.top {
                    // The alignment gap becomes a free block, so nothing is lost.
                    self.free_large(self.top, at - self.top);
                }
                self.top = end;
                at as *mut u8
            }
            _ => ptr::null_mut(),
        }
    }

    /// First fit in the large list, for `size` bytes at `align`.
    fn take_large(&mut self, size: usize, align: usize) -> *mut u8 {
        let mut link: *mut *mut FreeBlock = &mut self.large;
        // SAFETY: every block on the list lies in the heap and was written by `free_large`;
        // we only follow `next` links and split blocks we own.
        unsafe {
            while !(*link).is_null() {
                let b = *link;
                let start = b as usize;
                let bsize = (*b).size;
                let at = start.next_multiple_of(align.max(GRAIN));
                let lead = at - start;
                if lead + size <= bsize {
                    *link = (*b).next;
                    let tail = bsize - lead - size;
                    if lead > 0 {
                        self.free_large(start, lead);
                    }
                    if tail > 0 {
                        self.free_large(at + size, tail);
                    }
                    return at as *mut u8;
                }
                link = &mut (*b).next;
            }
        }
        ptr::null_mut()
    }

    /// Puts `[addr, addr+size)` on the large list (address order), merging neighbours and
    /// giving a block that ends at the bump pointer back to it.
    fn free_large(&mut self, addr: usize, size: usize) {
        if size < GRAIN {
            return;
        }
        if addr + size == self.top {
            self.top = addr;
            // The block below may now end at the top too.
            self.reclaim_top();
            return;
        }
        let mut link: *mut *mut FreeBlock = &mut self.large;
        // SAFETY: list blocks are ours (see `take_large`); the new block `[addr, addr+size)`
        // was allocated by us and is no longer used by anyone.
        unsafe {
            while !(*link).is_null() && ((*link) as usize) < addr {
                let b = *link;
                if b as usize + (*b).size == addr {
                    // Merge into the block below, and with the one above if it touches.
                    (*b).size += size;
                    let n = (*b).next;
                    if !n.is_null() && b as usize + (*b).size == n as usize {
                        (*b).size += (*n).size;
                        (*b).next = (*n).next;
                    }
                    return;
                }
                link = &mut (*b).next;
            }
            let next = *link;
            let nb = addr as *mut FreeBlock;
            if !next.is_null() && addr + size == next as usize {
                nb.write(FreeBlock { size: size + (*next).size, next: (*next).next });
            } else {
                nb.write(FreeBlock { size, next });
            }
            *link = nb;
        }
    }

    /// If the last free block ends at the bump pointer, lower the pointer instead.
    fn reclaim_top(&mut self) {
        let mut link: *mut *mut FreeBlock = &mut self.large;
        // SAFETY: list walk over our own blocks, as above.
        unsafe {
            while !(*link).is_null() {
                let b = *link;
                if (*b).next.is_null() {
                    if b as usize + (*b).size == self.top {
                        self.top = b as usize;
                        *link = ptr::null_mut();
                    }
                    return;
                }
                link = &mut (*b).next;
            }
        }
    }
}

// SAFETY: blocks are disjoint ranges of the heap; each is handed out once until freed, with
// the size and alignment asked for.
unsafe impl GlobalAlloc for Heap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: single-threaded (see `Sync`).
        let st = unsafe { &mut *self.0.get() };
        let size = rounded(&layout);
        if size <= SMALL_MAX && layout.align() <= GRAIN {
            let class = size / GRAIN - 1;
            let head = st.small[class];
            if !head.is_null() {
                // SAFETY: a freed small block of this class holds the next link.
                st.small[class] = unsafe { head.cast::<*mut u8>().read() };
                return head;
            }
            return st.bump(size, GRAIN);
        }
        let p = st.take_large(size, layout.align());
        if p.is_null() { st.bump(size, layout.align()) } else { p }
    }

    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        // SAFETY: single-threaded (see `Sync`).
        let st = unsafe { &mut *self.0.get() };
        let size = rounded(&layout);
        if size <= SMALL_MAX && layout.align() <= GRAIN {
            let class = size / GRAIN - 1;
            // SAFETY: the block is ours again and at least 16 bytes long.
            unsafe { p.cast::<*mut u8>().write(st.small[class]) };
            st.small[class] = p;
        } else {
            st.free_large(p as usize, size);
        }
    }
}
