"""Uploaded files: checked (name, type, size) before anything is written, saved only inside
the data directory, then ingested by one background worker, one job at a time, with each
file's progress and results kept for the job page and the API."""
from __future__ import annotations

import logging
import re
import threading
import unicodedata
import uuid
from collections import Counter, OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from fastapi import UploadFile

from storydesk.desk import Desk
from storydesk.settings import Settings
from storydesk.ingest import Source
from storydesk.ingest.formats import GZIP_MAGIC, format_of, split_name
from storydesk.model import IngestProblem

MAX_FILE_BYTES = 20_000_000  # the ingest limit for one document; JSONL and WARC uploads too
MAX_FILES = 50
MAX_NAME = 200
MAX_OUTLET = 200  # characters of an outlet name given with an upload
KEPT_JOBS = 100
CHUNK = 1 << 16
# Path separators and drive letters: a name must not say where it goes.
_PATH_PARTS = re.compile(r"[/\\:]")
# Characters a name may not hold because they do not show or move what does: controls (Cc),
# format characters (Cf: bidi overrides and isolates, zero-width spaces and joiners, the BOM,
# soft hyphens), surrogates, line and paragraph separators. "invoice\u202etxt.exe" shows as
# "invoiceexe.txt".
_UNSEEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})

log = logging.getLogger("storydesk.web")
FileState = Literal["queued", "reading", "done"]
JobState = Literal["queued", "running", "done", "failed"]


class UploadRejected(ValueError):
    """An upload that breaks a rule (name, type); nothing of the request is kept."""

    status = 400


class UploadTooLarge(UploadRejected):
    status = 413


def checked_name(name: str | None) -> str:
    """A file name as given, when it is safe to create in a folder of ours: no path parts,
    no control characters, not hidden, of a type ingest reads."""
    if not name or len(name) > MAX_NAME:
        raise UploadRejected(f"{name!r}: missing or too long file name")
    if _PATH_PARTS.search(name) or has_unseen(name) or name.startswith(".") or name.strip() != name:
        raise UploadRejected(
            f"{name!r}: file names may not contain paths, control or invisible characters "
            "(bidi controls, zero-width characters) or start with a dot"
        )
    if format_of(name) is None:
        raise UploadRejected(f"{name}: unsupported file type (use .txt, .html, .json, .jsonl, .warc(.gz), feeds or URL lists)")
    return name


def checked_outlet(name: str | None) -> str | None:
    """The outlet name given with an upload (the form or API field ``outlet``), for the articles
    that name none; None when left blank. Control characters or an overlong name are refused."""
    name = (name or "").strip()
    if len(name) > MAX_OUTLET or has_unseen(name):
        raise UploadRejected(f"outlet name: at most {MAX_OUTLET} characters, no control or invisible characters")
    return name or None


def has_unseen(text: str) -> bool:
    """Whether ``text`` holds a character that does not show, or reorders what does."""
    return any(unicodedata.category(char) in _UNSEEN_CATEGORIES for char in text)


def check_content(name: str, head: bytes) -> None:
    """Reject content that cannot be what its name says: binary data in a text format, or a
    .gz file that is not gzip."""
    _, gzipped = split_name(name)
    if gzipped:
        if not head.startswith(GZIP_MAGIC):
            raise UploadRejected(f"{name}: not gzip-compressed")
    elif b"\x00" in head:
        raise UploadRejected(f"{name}: binary content in a text format")


def inside(folder: Path, name: str) -> Path:
    """The path of ``name`` in ``folder``, refusing anything that would resolve elsewhere."""
    target = (folder / name).resolve()
    if target.parent != folder.resolve():
        raise UploadRejected(f"{name!r}: outside the upload folder")
    return target


@dataclass
class FileResult:
    """One uploaded file in a job: its progress and what ingesting it gave."""

    name: str
    size: int
    state: FileState = "queued"
    outcomes: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # articles stored with something to know (a cut analysis)


@dataclass
class Job:
    """An ingest of uploaded files."""

    id: str
    files: list[FileResult]
    state: JobState = "queued"
    error: str | None = None
    outlet: str | None = None  # the outlet of the articles that name none

    @property
    def done_files(self) -> int:
        return sum(1 for f in self.files if f.state == "done")

    def to_dict(self) -> dict:
        return {
            "id": self.id, "state": self.state, "error": self.error, "outlet": self.outlet,
            "files_done": self.done_files, "files_total": len(self.files),
            "files": [
                {
                    "name": f.name, "size": f.size, "state": f.state, "outcomes": dict(f.outcomes),
                    "problems": f.problems, "notes": f.notes,
                }
                for f in self.files
            ],
        }


@dataclass
class Upload:
    """A checked upload held in memory until the whole request is known to be acceptable."""

    name: str
    content: bytes


async def read_uploads(files: list[UploadFile]) -> list[Upload]:
    """Check every uploaded file (name, type, size, content) and read it; the first broken
    rule rejects the whole request before anything is written."""
    if len(files) > MAX_FILES:
        raise UploadRejected(f"too many files: {len(files)} > {MAX_FILES}")
    uploads: list[Upload] = []
    for file in files:
        name = checked_name(file.filename)
        if any(u.name == name for u in uploads):
            raise UploadRejected(f"{name}: uploaded twice")
        content = bytearray()
        while chunk := await file.read(CHUNK):
            content += chunk
            if len(content) > MAX_FILE_BYTES:
                raise UploadTooLarge(f"{name}: file too large (limit {MAX_FILE_BYTES // 1_000_000} MB)")
        if not content:
            raise UploadRejected(f"{name}: empty file")
        check_content(name, bytes(content[:8192]))
        uploads.append(Upload(name, bytes(content)))
    return uploads


class IngestJobs:
    """Saves checked uploads under ``data_dir/uploads/JOB/`` and ingests them with one worker."""

    def __init__(self, db_path: Path, data_dir: Path, settings: Settings | None = None) -> None:
        self.db_path = db_path
        self.settings = settings
        self.folder = data_dir / "uploads"
        self.jobs: OrderedDict[str, Job] = OrderedDict()
        self.lock = threading.Lock()
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="storydesk-ingest")

    def submit(self, uploads: list[Upload], outlet: str | None = None) -> Job:
        """Save the files of an accepted request and queue their ingest (``outlet``: the outlet
        of the articles that name none)."""
        if not uploads:
            raise UploadRejected("no files uploaded")
        job = Job(uuid.uuid4().hex[:12], [FileResult(u.name, len(u.content)) for u in uploads], outlet=outlet)
        folder = self.folder / job.id
        folder.mkdir(parents=True, exist_ok=False)
        paths = []
        for upload in uploads:
            path = inside(folder, upload.name)
            path.write_bytes(upload.content)
            paths.append(path)
        with self.lock:
            self.jobs[job.id] = job
            while len(self.jobs) > KEPT_JOBS:
                self.jobs.popitem(last=False)
        self.worker.submit(self._run, job, paths)
        return job

    def get(self, job_id: str) -> Job | None:
        with self.lock:
            return self.jobs.get(job_id)

    def _run(self, job: Job, paths: list[Path]) -> None:
        """Ingest one job's files (in the worker thread, with its own store connection)."""
        job.state = "running"
        by_label = {str(path): result for path, result in zip(paths, job.files)}
        current: list[FileResult] = []

        def on_source(source: Source | IngestProblem) -> None:
            label = source.label if isinstance(source, Source) else source.origin.location
            for finished in current:
                finished.state = "done"
            current[:] = [by_label[label]] if label in by_label else []
            for reading in current:
                reading.state = "reading"

        def on_item(status: str, problem: IngestProblem | None) -> None:
            if current:
                current[-1].outcomes[status] += 1
                if problem is not None:
                    current[-1].problems.append(_record_words(problem))

        def on_note(note: IngestProblem) -> None:
            if current:
                current[-1].notes.append(_record_words(note))

        try:
            with Desk(self.db_path, settings=self.settings) as desk:
                desk.ingest_sources(
                    desk.discover([str(p) for p in paths]), outlet=job.outlet, on_source=on_source, on_item=on_item,
                    on_note=on_note,
                )
            job.state = "done"
        except Exception as error:  # the job page says what went wrong; the server goes on
            log.exception("ingest job %s failed", job.id)
            job.state, job.error = "failed", f"the ingest stopped on an internal error ({type(error).__name__}); files done so far are stored"
        for result in job.files:
            result.state = "done"

    def close(self) -> None:
        self.worker.shutdown(wait=True, cancel_futures=True)


def _record_words(problem: IngestProblem) -> str:
    """A problem or note for its file's row: the record it is about (when the file holds
    several) and the reason."""
    record = problem.origin.record
    return problem.reason if record is None else f"record {record}: {problem.reason}"
