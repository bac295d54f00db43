"""Make untrusted text safe for a terminal: step output, step and pipeline names, messages.

A step's output may hold escape sequences that move the cursor, set the window title, write
to the clipboard (OSC 52) or, with CR and BS, overwrite Conveyor's own prefix: any of these
could forge lines. What is kept: printable text, tabs and, when colour is on, SGR colour
sequences (`ESC [ ... m`). Pure; linear-time regular expressions only.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""Any character that is not safe as is: controls (tab allowed) and the bidirectional
overrides that can make a line read in another order than it is written."""
_UNSAFE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: cursor moves, erases, SGR colours...
    r"|\x1b[\]PX^_][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC, DCS, SOS, PM, APC up to BEL or ST
    r"|\x1b[ -/]*[0-~]?"  # other escapes (and a lone ESC)
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
    r"|[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]"  # other controls
)
_SGR = re.compile(r"\x1b\[[0-9;:]*m")
RESET = "\x1b[0m"
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def clean_line(line: str, *, keep_colour: bool) -> str:
    """One line of step output as the terminal may show it.

    After a carriage return only what follows it is kept (what a terminal shows for a
    progress bar); backspaces, other controls and escape sequences are dropped, except SGR
    colours when `keep_colour` (then a reset ends the line, so that colour cannot bleed into
    the next line or into Conveyor's own).
    """
    if line.isprintable() or _CONTROL.search(line) is None:  # the first test is the fastest
        return line
    if "\r" in line:
        line = next((part for part in reversed(line.split("\r")) if part), "")
    kept = 0

    def keep(match: re.Match[str]) -> str:
        nonlocal kept
        text = match.group()
        if keep_colour and _SGR.fullmatch(text):
            kept += 1
            return text
        return ""

    cleaned = _UNSAFE.sub(keep, line)
    return cleaned + RESET if kept else cleaned


def clean_message(text: str) -> str:
    """A Conveyor message that quotes engine or step text: each line cleaned, no colour."""
    return "\n".join(clean_line(line, keep_colour=False) for line in text.split("\n"))


def escape_name(name: str) -> str:
    """A step or pipeline name with every control character shown as an escape (`\\n`,
    `\\x1b`), so that a name can neither break a line nor hide itself."""
    if _CONTROL.search(name) is None and "\t" not in name:
        return name
    return "".join(
        _NAMED.get(ch) or (_escaped(ch) if _CONTROL.fullmatch(ch) else ch) for ch in name
    )


def _escaped(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
