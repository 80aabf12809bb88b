"""Making documents in a process of their own, so that the window never waits for them.

Laying out a residence-status packet takes about a second of Python (reportlab, Pillow,
pypdf).  On a worker thread of the desktop application it shared Python's global lock with
the window: the lock's hand-over is starved whenever the worker lets go of it for a moment
and takes it back (zlib, hashing and image decoding do, thousands of times a packet), and the
collections of the garbage pypdf leaves behind hold it for 40-50 ms each, so the window
stopped for up to 100 ms.  ``DocumentBuilder`` runs ``documents.jobs.build`` in a child
process instead: the child has its own interpreter and lock, and the window's process only
sends the job and receives the finished bytes.

What crosses, and how:

- Only the job (the plain packet model the service gathered under the permission and consent
  checks, and the passphrase) goes to the child, and only the PDF and its page count come
  back, through the child's standard input and output (anonymous pipes; pickled by this
  module at both ends, never from anywhere else).  The child never opens the vault and writes
  no file; nothing of a survivor touches the disk.
- The child refuses core dumps as the application does while a vault is open, ignores
  Ctrl+C (the application decides when it ends) and drops each job once answered.
- One child per session, started when the session first needs a document (its start, about
  half a second, overlaps the choosing), one job at a time; ``close`` ends it at lock.  A
  child that died is started again, and the job it had is sent once more; a second failure
  is a message for the user.

The command line and the tests build in their own process (``jobs.build``), which gives the
same bytes.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import struct
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from shelter_app.errors import ShelterError
from shelter_app.i18n import _, current_language

if TYPE_CHECKING:
    from shelter_app.documents.jobs import Built, Job

_LENGTH = struct.Struct("!Q")
_ROOT = Path(__file__).resolve().parents[2]  # the folder that holds the shelter_app package


class BuilderStopped(ShelterError):
    """The document builder process ended before it answered."""


def _send(stream: IO[bytes], value: object) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_LENGTH.pack(len(data)))
    stream.write(data)
    stream.flush()


def _receive(stream: IO[bytes]) -> Any:
    """The next value on *stream*; EOFError when the other end closed it.  Only this module
    writes to these pipes (anonymous, between a process and the child it started), so what
    is read is what the other end pickled."""
    head = _read_exactly(stream, _LENGTH.size)
    return pickle.loads(_read_exactly(stream, _LENGTH.unpack(head)[0]))  # noqa: S301


def _read_exactly(stream: IO[bytes], size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = stream.read(left)
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


class DocumentBuilder:
    """The client end: ``build(job)`` from any thread, ``close()`` at the end of a session."""

    def __init__(self, command: list[str] | None = None) -> None:
        self._command = command or [sys.executable, "-m", __name__]
        self._jobs = threading.Lock()  # one job at a time on the pipe
        self._state = threading.Lock()  # guards _child (close does not wait for a job)
        self._child: subprocess.Popen[bytes] | None = None
        self._closed = False

    @property
    def pid(self) -> int | None:
        child = self._child
        return child.pid if child is not None and child.poll() is None else None

    def start(self) -> None:
        """Start the child now (it loads the layout while the user chooses); no-op if it
        runs already."""
        self._running()

    def _running(self) -> subprocess.Popen[bytes]:
        with self._state:
            if self._closed:
                raise BuilderStopped(_("The session has ended: no document can be made."))
            child = self._child
            if child is None or child.poll() is not None:
                env = dict(os.environ)
                env["PYTHONPATH"] = os.pathsep.join(
                    p for p in (str(_ROOT), env.get("PYTHONPATH", "")) if p)
                child = subprocess.Popen(self._command, stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, env=env, close_fds=True)
                self._child = child
            return child

    def build(self, job: Job) -> Built:
        """Make *job*'s document in the child; an error raised there is raised here.  A
        child that stopped is started again, once, for the same job."""
        with self._jobs:
            for attempt in (1, 2):
                child = self._running()
                assert child.stdin is not None and child.stdout is not None
                try:
                    _send(child.stdin, (current_language(), job))
                    outcome, value = _receive(child.stdout)
                    break
                except (OSError, EOFError, pickle.UnpicklingError, ValueError) as exc:
                    self._end(child)
                    if attempt == 2 or self._closed:
                        raise BuilderStopped(_(
                            "The document could not be made: the program that lays it out "
                            "stopped. Try again; if it happens again, tell whoever looks after "
                            "this computer.")) from exc
        if outcome == "built":
            return value  # type: ignore[no-any-return]
        raise value

    def close(self) -> None:
        """End the child (it holds nothing between jobs, but a session's end ends it)."""
        with self._state:
            self._closed = True
            child, self._child = self._child, None
        if child is not None:
            self._end(child, polite=self._jobs.acquire(blocking=False))

    def _end(self, child: subprocess.Popen[bytes], *, polite: bool = False) -> None:
        """Stop *child*: by closing its input when no job is on the way (it then exits),
        else, or when it does not exit, by killing it."""
        try:
            if polite:
                try:
                    if child.stdin is not None:
                        child.stdin.close()
                    child.wait(timeout=2)
                except (OSError, subprocess.TimeoutExpired):
                    pass
                finally:
                    self._jobs.release()
            if child.poll() is None:
                child.kill()
                child.wait()
        finally:
            for stream in (child.stdin, child.stdout):
                if stream is not None:
                    with contextlib.suppress(OSError):
                        stream.close()


# -- the child -------------------------------------------------------------------------------
def _portable(exc: BaseException) -> BaseException:
    """*exc* if it survives the pipe, else a plain error naming its kind (its message may not
    be meant for the user)."""
    try:
        pickle.loads(pickle.dumps(exc))  # noqa: S301  (made here, read back here)
    except Exception:
        return RuntimeError(f"{type(exc).__module__}.{type(exc).__qualname__}")
    exc.__traceback__ = None
    return exc


def serve(requests: IO[bytes], answers: IO[bytes]) -> None:
    """Answer jobs until *requests* is closed: ("built", Built) or ("failed", error)."""
    import gc

    from shelter_app.documents import jobs
    from shelter_app.i18n import set_language

    jobs.warm_up()
    while True:
        try:
            language, job = _receive(requests)
        except EOFError:
            return
        if language != current_language():
            set_language(language)  # the interface language, for messages made here
        try:
            answer: tuple[str, object] = ("built", jobs.build(job))
        except Exception as exc:
            answer = ("failed", _portable(exc))
        del job
        _send(answers, answer)
        del answer
        gc.collect()  # the job's garbage goes now, while nobody waits


def main() -> None:
    import signal

    from shelter_app.vault.process import core_dumps

    core_dumps.acquire()  # survivor data passes through this process's memory
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # a stray print cannot break the pipe
    sys.stdout = sys.stderr
    serve(sys.stdin.buffer, answers)


if __name__ == "__main__":
    main()
