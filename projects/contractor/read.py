"""One door for contractors' schedule files: P6 XER or MS Project XML (MSPDI), told apart by
name and content. ``.mpp`` bytes are refused here, saying to save as XML: the edge (``api.mpp``)
converts them to MSPDI with MPXJ first and reads that with ``read_mspdi`` (docs/contractor.md)."""

from __future__ import annotations

from projects.contractor.model import Schedule, ScheduleFileError
from projects.contractor.mspdi import read_mspdi
from projects.contractor.xer import read_xer


def decode_xer(data: bytes) -> str:
    """XER text: UTF-8 when it is, else the Windows code page P6 writes."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_schedule(data: bytes, name: str) -> Schedule:
    """The schedule in a file's bytes; ``name`` (the file's name) picks the reader by its
    suffix, and the content when the suffix says neither."""
    suffix = name.lower().rpartition(".")[2] if "." in name else ""
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:64]
    if suffix == "mpp" or head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ScheduleFileError(
            name, "不读取 MS Project 的 .mpp 二进制文件：请在 Project 中“另存为”XML 格式（.xml）后再导入",
            "MS Project .mpp binaries are not read: save the plan as XML (.xml) in Project "
            "(File > Save As > XML Format) and read that")
    if suffix == "xer" or (suffix != "xml" and head.startswith(b"ERMHDR")):
        return read_xer(decode_xer(data), name)
    if suffix == "xml" or head.startswith(b"<"):
        return read_mspdi(data, name)
    raise ScheduleFileError(f"{name}:1", "既不是 P6 XER 文件也不是 MS Project XML 文件（应为 .xer 或 .xml）",
                            "neither a P6 XER nor an MS Project XML file (.xer or .xml)")
