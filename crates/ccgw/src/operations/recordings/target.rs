//! Where a download lands: the target checked before anything is sent (a symlink, a
//! device, a folder or, unless asked, an existing file is refused), a private temporary
//! file beside it that only this download holds (locked, so that the next download into
//! the folder can tell a crashed one's leftover from a running one's), and the move into
//! place once whole, without replacing what appeared meanwhile, then synced.

use std::fs::{File, OpenOptions};
use std::io::ErrorKind as IoKind;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::error::{Error, ErrorKind};

/// What marks a temporary file of a download, between the target's name and the owner.
const PART: &str = ".part-";

/// How old a leftover must be before another download removes it: a part is locked just
/// after it is created, and this leaves that moment alone.
const LEFTOVER_AGE: Duration = Duration::from_secs(2);

pub(super) fn local_file(what: &str, path: &Path, e: std::io::Error) -> Error {
    Error::new(
        ErrorKind::LocalFile,
        format!("{what} {}: {e}", path.display()),
    )
    .with_source(e)
}

/// Refuses a target that is not a regular file (a symlink, a FIFO, a device, a folder),
/// or an existing file unless `overwrite`: before anything is sent.
pub(super) fn check_target(to: &Path, overwrite: bool) -> Result<(), Error> {
    match std::fs::symlink_metadata(to) {
        Err(e) if e.kind() == IoKind::NotFound => Ok(()),
        Err(e) => Err(local_file("cannot look at", to, e)),
        Ok(meta) if !meta.file_type().is_file() => Err(Error::invalid_input(format!(
            "{} exists and is not a regular file (a link, a folder, a device or a pipe): \
             a recording is only written to a regular file",
            to.display()
        ))),
        Ok(_) if !overwrite => Err(Error::invalid_input(format!(
            "{} exists; choose another name, or allow replacing it \
             (DownloadOptions::overwrite, `--force`)",
            to.display()
        ))),
        Ok(_) => Ok(()),
    }
}

/// A temporary file beside the target, locked while this download holds it and removed
/// when dropped unless moved into place.
pub(super) struct Partial {
    pub(super) path: PathBuf,
    kept: bool,
}

impl Drop for Partial {
    fn drop(&mut self) {
        if !self.kept {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

fn folder_of(target: &Path) -> PathBuf {
    match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Creates a private (0600 from the first byte), locked temporary file in `target`'s
/// folder, after removing the leftovers of downloads that crashed there.
pub(super) fn partial_beside(target: &Path) -> Result<(Partial, File), Error> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let name = target
        .file_name()
        .ok_or_else(|| Error::invalid_input(format!("{} names no file", target.display())))?;
    let folder = folder_of(target);
    remove_leftovers(&folder);
    let part = folder.join(format!(
        ".{}{PART}{}-{}",
        name.to_string_lossy(),
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let mut open = OpenOptions::new();
    open.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o600);
    let file = open
        .open(&part)
        .map_err(|e| local_file("cannot create", &part, e))?;
    let partial = Partial {
        path: part,
        kept: false,
    };
    // Held until the file is closed, by this process alone: a crash lets it go.
    file.try_lock()
        .map_err(|e| local_file("cannot lock", &partial.path, std::io::Error::other(e)))?;
    Ok((partial, file))
}

/// Removes the temporary files of downloads into `folder` that nobody holds any more
/// (their process ended without cleaning up); a running download's file stays.
fn remove_leftovers(folder: &Path) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if !name.starts_with('.') || !name.contains(PART) {
            continue;
        }
        let Ok(meta) = entry.metadata() else { continue };
        let old = meta
            .modified()
            .ok()
            .and_then(|m| m.elapsed().ok())
            .is_some_and(|age| age >= LEFTOVER_AGE);
        if !meta.file_type().is_file() || !old {
            continue;
        }
        let path = entry.path();
        if let Ok(file) = OpenOptions::new().write(true).open(&path)
            && file.try_lock().is_ok()
        {
            tracing::debug!(file = %path.display(), "removing a crashed download's leftover");
            let _ = std::fs::remove_file(&path);
        }
    }
}

impl Partial {
    /// Moves the whole file to `to`, replacing a regular file there only if `overwrite`,
    /// then syncs the folder so that the new name survives a crash.
    pub(super) fn put_in_place(mut self, to: &Path, overwrite: bool) -> Result<(), Error> {
        // Checked again: something may have appeared at `to` during the download.
        check_target(to, overwrite)?;
        if overwrite {
            std::fs::rename(&self.path, to).map_err(|e| local_file("cannot rename into", to, e))?;
        } else {
            // A link fails if anything exists at `to` by now, where a rename would replace it.
            match std::fs::hard_link(&self.path, to) {
                Ok(()) => {}
                Err(e) if e.kind() == IoKind::AlreadyExists => {
                    return Err(check_target(to, false)
                        .err()
                        .unwrap_or_else(|| local_file("cannot create", to, e)));
                }
                // A file system without links: the check above is all there is.
                Err(_) => std::fs::rename(&self.path, to)
                    .map_err(|e| local_file("cannot rename into", to, e))?,
            }
            let _ = std::fs::remove_file(&self.path);
        }
        self.kept = true;
        #[cfg(unix)]
        if let Ok(folder) = File::open(folder_of(to)) {
            folder
                .sync_all()
                .map_err(|e| local_file("cannot sync the folder of", to, e))?;
        }
        Ok(())
    }
}
