//! The only module allowed `unsafe`: the few libc calls the standard library has no safe
//! form of, each behind a safe function with the reason it is sound. The workspace denies
//! `unsafe_code` everywhere else, and `tests/no_unsafe_elsewhere.rs` fails if the keyword
//! appears in any other source file, so a new call has to come here and explain itself.
#![allow(
    unsafe_code,
    reason = "the one home of unsafe calls, each with its SAFETY comment"
)]

/// Give the heap pages glibc keeps free back to the kernel (`malloc_trim(3)`). Elsewhere a
/// no-op: other allocators return memory on their own or have no such call.
pub fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim(3) only returns free heap pages to the kernel; it touches no live
    // allocation and is safe to call from any thread at any time.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Stop the calling thread's process with SIGSTOP sent to this thread (`raise(3)`), so the
/// stop happens before this returns (see `runtime::launch` for why not the process).
#[cfg(unix)]
pub fn stop_this_process() {
    // SAFETY: raise(3) with a valid signal number has no memory effects; SIGSTOP cannot be
    // caught, so no handler of ours runs inside it.
    unsafe {
        libc::raise(libc::SIGSTOP);
    }
}

/// SIGKILL every process of the process group `group` (`kill(2)` with a negative pid), for
/// a child started with `process_group(0)` and whatever it started in turn. Errors (the
/// group is already gone) are ignored: the caller kills and reaps the child itself next.
#[cfg(unix)]
pub fn kill_process_group(group: u32) {
    let Ok(pgid) = i32::try_from(group) else {
        return;
    };
    // pid 0 or 1 would signal our own group or every process we may signal: never that.
    if pgid <= 1 {
        return;
    }
    // SAFETY: kill(2) takes plain integers and has no memory effects; the negative pid
    // names the child's own process group, checked above not to be ours or "all".
    unsafe {
        libc::kill(-pgid, libc::SIGKILL);
    }
}
