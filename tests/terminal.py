"""Drive `refarch` on a real pseudo-terminal, answering each question by its name."""

from __future__ import annotations

import os
import pty
import re
import select
import sys
from dataclasses import dataclass, field
from pathlib import Path

REFARCH = Path(sys.executable).with_name("refarch")
PROMPT = re.compile(r"(?:^|\n)([^\n]*?)\]: $")


@dataclass
class Conversation:
    status: int
    transcript: str
    asked: list[str] = field(default_factory=list)


def _question(line: str) -> str:
    """An option's name, or `customise` / `write` for the two yes/no questions."""
    if line.startswith("customise the components"):
        return "customise"
    if line.startswith("Write "):
        return "write"
    return line.split(":", 1)[0].strip()


def converse(args: list[str], replies: dict[str, list[str]], *, timeout: float = 120) -> Conversation:
    """Run refarch with a terminal; each question gets its next reply by name, or Enter (the default)."""
    pending = {name: list(values) for name, values in replies.items()}
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["COLUMNS"] = "4000"
        os.execv(str(REFARCH), [str(REFARCH), *args])
    transcript, answered_at, asked = "", 0, []
    while True:
        ready, _, _ = select.select([fd], [], [], timeout)
        if not ready:
            os.kill(pid, 9)
            raise AssertionError(f"refarch waited {timeout} s without a question:\n{transcript[-3000:]}")
        try:
            chunk = os.read(fd, 65536).decode(errors="replace")
        except OSError:
            break
        if not chunk:
            break
        transcript += chunk.replace("\r\n", "\n")
        match = PROMPT.search(transcript[answered_at:])
        if match:
            name = _question(match.group(1))
            asked.append(name)
            reply = pending.get(name, []).pop(0) if pending.get(name) else ""
            os.write(fd, reply.encode() + b"\n")
            answered_at = len(transcript)
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return Conversation(os.waitstatus_to_exitcode(status), transcript, asked)
