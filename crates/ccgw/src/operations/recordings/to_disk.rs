//! The disk's side of a download: pieces handed over in batches to a thread of its own,
//! written as they come and synced along the way, so that reading the next piece and
//! writing the last one overlap.

use std::io::Write;

/// How many batches may wait between the network and the disk.
pub(super) const IN_FLIGHT: usize = 4;

/// About how many bytes go to the disk at once.
const BATCH: usize = 256 * 1024;

/// How many bytes are written between two syncs to the disk.
const SYNC_EVERY: usize = 8 * 1024 * 1024;

/// Pieces on their way to the writer, handed over in batches of about [`BATCH`] bytes:
/// one hand-over per batch rather than per piece, and no copy.
#[derive(Default)]
pub(super) struct Batch {
    pieces: Vec<bytes::Bytes>,
    bytes: usize,
}

impl Batch {
    /// Adds `piece`; gives the batch once it is full.
    pub(super) fn add(&mut self, piece: bytes::Bytes) -> Option<Vec<bytes::Bytes>> {
        self.bytes += piece.len();
        self.pieces.push(piece);
        (self.bytes >= BATCH).then(|| self.take())
    }

    /// The pieces not handed over yet.
    pub(super) fn take(&mut self) -> Vec<bytes::Bytes> {
        self.bytes = 0;
        std::mem::take(&mut self.pieces)
    }
}

/// Writes the batches that arrive to `file`: to the disk as they come, a sync every
/// [`SYNC_EVERY`] bytes while the next pieces arrive, rather than all at the end before
/// the rename; and a last sync once the batches end.
pub(super) fn write_to_disk(
    file: std::fs::File,
    mut batches: tokio::sync::mpsc::Receiver<Vec<bytes::Bytes>>,
) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::with_capacity(BATCH, file);
    let mut unsynced = 0;
    while let Some(batch) = batches.blocking_recv() {
        for piece in batch {
            out.write_all(&piece)?;
            unsynced += piece.len();
        }
        if unsynced >= SYNC_EVERY {
            unsynced = 0;
            out.flush()?;
            out.get_ref().sync_data()?;
        }
    }
    out.into_inner().map_err(|e| e.into_error())?.sync_all()
}
