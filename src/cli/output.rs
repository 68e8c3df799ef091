//! Files the CLI writes (`-o FILE`, `fmt` rewriting a guideline): never half a
//! report under the requested name, and never a replaced symlink, FIFO or device.
//!
//! A regular file (or a name that does not exist yet) is written through a
//! temporary file beside it, renamed over it once complete; through a symlink,
//! the file it points to is the one replaced. Anything else (a FIFO, a device
//! such as `/dev/null` or `/dev/stdout`, a file with other hard links) is
//! opened and written as it is, as a shell's `>` would: renaming over it would
//! put a regular file in its place (run as root, `-o /dev/null` did exactly
//! that). Temporary files are removed on an error, and on SIGINT, SIGTERM and
//! SIGHUP too (see [`cleanup`]): an interrupted batch once left 1.35 GB behind.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::common::Exit;

/// A file being written: through a temporary file, or as it is.
pub struct OutputFile {
    way: Way,
}

enum Way {
    /// A temporary file renamed over `target` by [`OutputFile::finish`].
    Replace { temp: cleanup::Temporary, target: PathBuf },
    /// The path itself, opened for writing (a FIFO, a device, ...).
    Through(io::BufWriter<File>),
}

impl OutputFile {
    /// Starts writing `path`. Nothing under that name changes before
    /// [`OutputFile::finish`], unless it is written through (see the module).
    pub fn create(path: &Path) -> io::Result<OutputFile> {
        let way = match replaced(path)? {
            Some(target) => Way::Replace {
                temp: cleanup::Temporary::beside(&target)?,
                target,
            },
            None => Way::Through(io::BufWriter::with_capacity(1 << 16, File::create(path)?)),
        };
        Ok(OutputFile { way })
    }

    /// Ends the writing; a temporary file is renamed over its target.
    pub fn finish(self) -> io::Result<()> {
        match self.way {
            Way::Through(mut file) => file.flush(),
            Way::Replace { temp, target } => temp.persist(&target),
        }
    }
}

impl Write for OutputFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.way {
            Way::Replace { temp, .. } => temp.write(buf),
            Way::Through(file) => file.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.way {
            Way::Replace { temp, .. } => temp.flush(),
            Way::Through(file) => file.flush(),
        }
    }
}

/// The regular file that writing `path` should replace by a rename, or `None`
/// when `path` must be written through.
fn replaced(path: &Path) -> io::Result<Option<PathBuf>> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Some(path.to_path_buf())),
        Err(e) => return Err(e),
    };
    if meta.file_type().is_symlink() {
        // The link stays; the file it names is replaced when it is a plain
        // file. A dangling link is written through, which creates its target.
        return match std::fs::metadata(path) {
            Ok(m) if plain(&m) => std::fs::canonicalize(path).map(Some),
            _ => Ok(None),
        };
    }
    Ok(plain(&meta).then(|| path.to_path_buf()))
}

/// A regular file with no other name: renaming over it changes nothing but
/// its content. (A rename would detach a hard-linked file from its other names.)
fn plain(meta: &std::fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        meta.is_file() && meta.nlink() <= 1
    }
    #[cfg(not(unix))]
    {
        meta.is_file()
    }
}

#[cfg(unix)]
fn ordinary_permissions(_: &File) -> io::Result<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Ok(std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn ordinary_permissions(f: &File) -> io::Result<std::fs::Permissions> {
    Ok(f.metadata()?.permissions())
}

/// Writes `bytes` to `path` whole (see [`OutputFile`]); a failure is printed
/// and becomes the I/O exit code.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), Exit> {
    OutputFile::create(path)
        .and_then(|mut out| {
            out.write_all(bytes)?;
            out.finish()
        })
        .map_err(|e| {
            tell!("error: cannot write {}: {e}", path.display());
            Exit::Io
        })
}

/// Temporary files that a signal must not leave behind.
///
/// `tempfile` deletes a temporary file when it is dropped, but a signal's
/// default action ends the process without running any destructor. So the
/// CLI keeps the paths of its temporary files in one list and, once the first
/// one is created, watches SIGINT, SIGTERM and SIGHUP on a thread of its own
/// (`signal-hook`'s iterator: the signal handler itself only wakes that
/// thread, so the clean-up runs as ordinary code, not in a signal handler).
/// That thread deletes every listed file and then ends the process the way
/// the signal would have, so that a shell or a CI runner still sees
/// "killed by SIGTERM". The list's lock is held from the deletion to the end,
/// and by a rename from start to finish, so a file is either renamed into
/// place or deleted, never renamed after its deletion was decided.
mod cleanup {
    use std::io;
    use std::path::{Path, PathBuf};
    use std::sync::{Mutex, MutexGuard, Once, PoisonError};

    static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
    static WATCH: Once = Once::new();

    fn pending() -> MutexGuard<'static, Vec<PathBuf>> {
        // A panic elsewhere while the lock was held leaves a list still worth using.
        PENDING.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A temporary file beside its target, listed for deletion on a signal.
    pub struct Temporary {
        // `None` only once persisted or dropped.
        file: Option<io::BufWriter<tempfile::NamedTempFile>>,
        path: PathBuf,
    }

    impl Temporary {
        /// Creates `.guidelang-XXXX.part` in `target`'s directory (a rename
        /// works only within one file system).
        pub fn beside(target: &Path) -> io::Result<Temporary> {
            WATCH.call_once(watch);
            let dir = match target.parent() {
                Some(d) if !d.as_os_str().is_empty() => d,
                _ => Path::new("."),
            };
            let mut list = pending();
            let temp = tempfile::Builder::new()
                .prefix(".guidelang-")
                .suffix(".part")
                .tempfile_in(dir)?;
            let path = temp.path().to_path_buf();
            list.push(path.clone());
            Ok(Temporary {
                file: Some(io::BufWriter::with_capacity(1 << 16, temp)),
                path,
            })
        }

        fn writer(&mut self) -> io::Result<&mut io::BufWriter<tempfile::NamedTempFile>> {
            self.file
                .as_mut()
                .ok_or_else(|| io::Error::other("the temporary file is gone"))
        }

        /// Gives the file the permissions of the one it replaces (or ordinary
        /// ones: a temporary file is private to its owner), syncs it, and
        /// renames it over `target`, the rename under the list's lock.
        pub fn persist(mut self, target: &Path) -> io::Result<()> {
            let temp = match self.file.take() {
                Some(writer) => writer.into_inner().map_err(|e| e.into_error())?,
                None => return Err(io::Error::other("the temporary file is gone")),
            };
            let permissions = match std::fs::metadata(target) {
                Ok(m) => m.permissions(),
                Err(_) => super::ordinary_permissions(temp.as_file())?,
            };
            temp.as_file().set_permissions(permissions)?;
            temp.as_file().sync_all()?;
            let mut list = pending();
            list.retain(|p| *p != self.path);
            temp.persist(target).map(drop).map_err(|e| e.error)
        }
    }

    impl io::Write for Temporary {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.writer()?.write(buf)
        }

        fn flush(&mut self) -> io::Result<()> {
            self.writer()?.flush()
        }
    }

    impl Drop for Temporary {
        fn drop(&mut self) {
            // Deleted (by tempfile's own drop) and unlisted under one lock.
            let mut list = pending();
            drop(self.file.take());
            list.retain(|p| *p != self.path);
        }
    }

    #[cfg(unix)]
    fn watch() {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
            // Without a watcher a signal may leave a `.part` file, as before.
            return;
        };
        let spawned = std::thread::Builder::new()
            .name("guidelang-signals".into())
            .spawn(move || {
                let Some(signal) = signals.forever().next() else { return };
                let list = pending();
                for path in list.iter() {
                    let _ = std::fs::remove_file(path);
                }
                // The lock stays held: no rename can follow the deletion.
                let _ = signal_hook::low_level::emulate_default_handler(signal);
                // Only if the emulation failed: the shells' code for a signal.
                std::process::exit(128 + signal);
            });
        drop(spawned);
    }

    #[cfg(not(unix))]
    fn watch() {}
}
