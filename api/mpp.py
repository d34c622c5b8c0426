"""MS Project ``.mpp`` files: converted to MS Project XML (MSPDI) by MPXJ in a Java subprocess,
then read by the pure MSPDI reader (:func:`projects.contractor.read_mspdi`) like any ``.xml``.

This is an edge: it writes temporary files and runs ``java``. MPXJ (LGPL-2.1, the ``mpxj``
package on PyPI ships its jars) is the only maintained open reader of the binary format; see
docs/contractor.md for the choice. Its own command-line converters
(``org.mpxj.sample.MpxjConvert``, ``MpxjBatchConvert``) do the work, so no Python-Java bridge
is loaded into the server: a file runs in a JVM of its own, bounded in heap (``-Xmx``) and in
time (a timeout that kills it), one conversion at a time per process.

Before Java starts, the bytes are checked: an OLE2 compound file (the container every
``.mpp`` since Project 98 is) with a sane header whose sectors lie within the file; anything
else is refused with what and where. MPXJ's failures map to the same :class:`MppFileError`
("not an MS Project file", "password protected", "truncated or damaged"), and a machine
without Java or MPXJ says what to install. Nothing is imported on a refusal.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import shutil
import struct
import subprocess
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

from projects.contractor import ScheduleFileError, read_mspdi, read_schedule
from projects.contractor.model import Schedule

#: The OLE2 / Compound File Binary signature every ``.mpp`` starts with.
CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: Heap bound of the converter's JVM; real plans of thousands of tasks read in far less.
XMX = os.environ.get("DUBAN_MPP_XMX", "512m")
#: Seconds a conversion may take before its JVM is killed.
TIMEOUT = float(os.environ.get("DUBAN_MPP_TIMEOUT", "120"))
#: Start-up flags: the client compiler only and the serial collector (a short run: 0.59 of the
#: defaults' CPU, whole-process figures, median of 6 pairs), one processor's worth of threads,
#: no display. With the class archive (``_archive``) 0.61 of that again.
JVM_FLAGS = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:ActiveProcessorCount=1",
             "-Djava.awt.headless=true")

#: One JVM at a time per process: a burst of uploads cannot start many heaps at once.
_one_at_a_time = threading.Lock()
#: Conversions kept by the sha256 of the ``.mpp`` bytes (the same bytes always convert to the
#: same XML): re-reading a file, a preview then its import, or next month's compare against
#: this month's runs no JVM. Bounded in total size; the oldest go first.
CACHE_BYTES = 64 << 20
_cache: OrderedDict[str, bytes] = OrderedDict()
_cache_lock = threading.Lock()


def _cached(key: str) -> bytes | None:
    with _cache_lock:
        got = _cache.get(key)
        if got is not None:
            _cache.move_to_end(key)
        return got


def _keep(key: str, xml: bytes) -> None:
    with _cache_lock:
        _cache[key] = xml
        while sum(map(len, _cache.values())) > CACHE_BYTES and len(_cache) > 1:
            _cache.popitem(last=False)


class MppFileError(ScheduleFileError):
    """An ``.mpp`` file refused (or not readable here): what, where and what would be right."""

    def __init__(self, where: str, zh: str, en: str, *, suggestions: Sequence[str] = ()) -> None:
        super().__init__(where, zh, en)
        self.suggestions = tuple(suggestions)


class MppReaderMissing(MppFileError):
    """Java or MPXJ is not installed on this machine: the file was not read."""


def is_mpp(data: bytes, name: str) -> bool:
    """Whether the file is to be read as ``.mpp``: by its suffix or its OLE2 signature."""
    return name.lower().endswith(".mpp") or data.startswith(CFB_MAGIC)


def check_container(data: bytes, name: str) -> None:
    """Refuse, before Java starts, what cannot be an ``.mpp``: not an OLE2 compound file, a
    header that does not hold together, or a sector that the header or the allocation table
    (FAT) uses lying past the file's end (truncated, or a huge declared size)."""
    if not data:
        raise MppFileError(name, "文件为空，不是 MS Project 文件", "the file is empty: not an MS Project file",
                           suggestions=("上传 Project 保存的 .mpp 文件 / upload an .mpp saved by Project",))
    if not data.startswith(CFB_MAGIC):
        raise MppFileError(f"{name}: 字节 0–7 / bytes 0-7",
                           "不是 MS Project 文件：没有 .mpp 的 OLE2 文件头（D0 CF 11 E0 A1 B1 1A E1）",
                           "not an MS Project file: no OLE2 signature (D0 CF 11 E0 A1 B1 1A E1) "
                           "that every .mpp starts with",
                           suggestions=("上传 Project 保存的 .mpp，或另存为 XML（.xml）/ upload an .mpp saved "
                                        "by Project, or its XML (.xml) export",))
    if len(data) < 512:
        raise MppFileError(f"{name}: {len(data)} 字节 / bytes", "文件被截断：不足 512 字节的文件头",
                           "truncated: shorter than the 512-byte header",
                           suggestions=("重新导出或重新上传完整的文件 / export or upload the whole file again",))
    shift, = struct.unpack_from("<H", data, 30)
    if shift not in (9, 12):
        raise MppFileError(f"{name}: 字节 30 / byte 30", f"文件头损坏：扇区大小 2^{shift} 不是 512 或 4096",
                           f"damaged header: sector size 2^{shift} is neither 512 nor 4096")
    size = 1 << shift
    sectors = -(-len(data) // size) - 1  # sector n lies at (n + 1) * size; a partial last one counts
    fat_count, dir_start = struct.unpack_from("<II", data, 44)
    difat_start, difat_count = struct.unpack_from("<II", data, 68)
    if fat_count > sectors or difat_count > sectors:  # a huge declared size
        _truncated(name, data, (max(fat_count, difat_count) + 1) * size)
    fats = list(struct.unpack_from("<109I", data, 76)[: min(fat_count, 109)])
    nxt = difat_start
    for _ in range(difat_count):  # the rest of the FAT's sector list, chained
        if len(fats) >= fat_count or nxt >= sectors:
            break
        chunk = struct.unpack_from(f"<{size // 4}I", data, (nxt + 1) * size)
        fats.extend(chunk[:-1][: fat_count - len(fats)])
        nxt = chunk[-1]
    if len(fats) < fat_count or dir_start >= sectors or any(f >= sectors for f in fats):
        _truncated(name, data, (max([dir_start, *fats, len(fats)]) + 2) * size)
    used, points = -1, -1  # the last sector the FAT uses, the highest sector it points to
    for n, f in enumerate(fats):
        entries = struct.unpack_from(f"<{size // 4}I", data, (f + 1) * size)
        for i, v in enumerate(entries):
            if v != 0xFFFFFFFF:
                used = n * (size // 4) + i
                if v < 0xFFFFFFFA:
                    points = max(points, v)
    if max(used, points) >= sectors:
        _truncated(name, data, (max(used, points) + 2) * size)


def _truncated(name: str, data: bytes, need: int) -> None:
    raise MppFileError(f"{name}: {len(data)} 字节 / bytes",
                       f"文件被截断或已损坏：文件头与分配表所指的扇区需要至少 {need} 字节",
                       f"truncated or damaged: the sectors its header and allocation table use need "
                       f"at least {need} bytes",
                       suggestions=("重新导出或重新上传完整的文件 / export or upload the whole file again",))


def _java() -> str:
    home = os.environ.get("JAVA_HOME")
    found = str(Path(home) / "bin" / "java") if home and (Path(home) / "bin" / "java").is_file() else None
    found = found or shutil.which("java")
    if not found:
        raise MppReaderMissing(
            "java", "读取 .mpp 需要 Java 运行环境，本机没有：请运行 scripts/bootstrap（或 apt-get install default-jre-headless）",
            "Java runtime missing: run scripts/bootstrap (or apt-get install default-jre-headless) to read .mpp",
            suggestions=("scripts/bootstrap", "apt-get install default-jre-headless"))
    return found


def jars() -> Path:
    """The folder of MPXJ's jars, as the ``mpxj`` package installs them (never imported: its
    ``__init__`` would load a Java bridge this edge does not use)."""
    spec = importlib.util.find_spec("mpxj")
    folder = Path(spec.origin).parent / "lib" if spec and spec.origin else None
    if folder is None or not (folder / "mpxj.jar").is_file():
        raise MppReaderMissing(
            "mpxj", "读取 .mpp 需要 MPXJ，本机没有：请运行 scripts/bootstrap（或 pip install 'duban[mpp]'）",
            "MPXJ missing: run scripts/bootstrap (or pip install 'duban[mpp]') to read .mpp",
            suggestions=("scripts/bootstrap", "pip install 'duban[mpp]'"))
    return folder


def _failure(name: str, out: str) -> MppFileError:
    """MPXJ's error (its converter prints ``Conversion Error:`` and the stack) as ours."""
    said = out.partition("Conversion Error:")[2].strip()
    first = said.splitlines()[0] if said else out.strip()[-300:]
    low = said.lower()
    if "password" in low:
        return MppFileError(name, "文件受密码保护，无法读取：请在 Project 中取消密码后重新保存",
                            "the file is password protected: remove the password in Project and save again",
                            suggestions=("在 Project 中：文件 > 另存为 > 工具 > 常规选项，清除密码 / in Project: "
                                         "File > Save As > Tools > General Options, clear the passwords",))
    if "unsupported file type" in low:
        return MppFileError(name, "不是 MS Project 文件：MPXJ 认不出其中的项目计划（可能是其他 Office 文件）",
                            "not an MS Project file: MPXJ finds no project plan in it (another Office file?)",
                            suggestions=("上传 Project 保存的 .mpp，或另存为 XML（.xml）/ upload an .mpp saved "
                                         "by Project, or its XML (.xml) export",))
    return MppFileError(name, f"文件被截断或已损坏，MPXJ 无法读取：{first}",
                        f"truncated or damaged: MPXJ cannot read it: {first}",
                        suggestions=("重新导出或重新上传完整的文件，或在 Project 中另存为 XML（.xml）/ export or "
                                     "upload the whole file again, or save it as XML (.xml) in Project",))


def _run(args: list[str], names: Sequence[str]) -> subprocess.CompletedProcess[str]:
    with _one_at_a_time:
        try:
            return subprocess.run(args, capture_output=True, text=True, timeout=TIMEOUT,
                                  stdin=subprocess.DEVNULL, check=False, errors="replace")
        except subprocess.TimeoutExpired:  # run() has killed the JVM
            raise MppFileError(", ".join(names), f"读取超过 {TIMEOUT:g} 秒，已停止：文件过大或已损坏",
                               f"reading took over {TIMEOUT:g} s and was stopped: too large or damaged",
                               suggestions=("在 Project 中另存为 XML（.xml）后导入 / save it as XML (.xml) "
                                            "in Project and import that",)) from None


def to_mspdi(files: Sequence[tuple[bytes, str]]) -> list[bytes]:
    """Each ``(data, name)`` ``.mpp`` as MSPDI XML bytes, all in one JVM. Raises
    :class:`MppFileError` naming the file refused (checked before Java starts where it can)."""
    for data, name in files:
        check_container(data, name)
    keys = [hashlib.sha256(data).hexdigest() for data, _ in files]
    known = [_cached(k) for k in keys]
    todo = [i for i, x in enumerate(known) if x is None]
    if todo:
        for i, xml in zip(todo, _convert([files[i] for i in todo]), strict=True):
            known[i] = xml
            _keep(keys[i], xml)
    return [x for x in known if x is not None]


def _archive(java: str, lib: Path) -> Path | None:
    """Where MPXJ's classes are kept parsed between runs (an application class-data sharing
    archive: about 0.6 of a run's CPU without it), named for this java and these jars; None
    when the cache folder cannot be made. A stale or foreign archive is ignored by the JVM."""
    folder = Path(os.environ.get("DUBAN_MPP_CACHE") or Path.home() / ".cache" / "duban")
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        jar = (lib / "mpxj.jar").stat()
        real = Path(java).resolve()
        key = hashlib.sha256(f"{real}:{real.stat().st_mtime_ns}:{lib}:{jar.st_size}:{jar.st_mtime_ns}"
                             .encode()).hexdigest()[:16]
    except OSError:
        return None
    return folder / f"mpxj-{key}.jsa"


def _convert(files: Sequence[tuple[bytes, str]]) -> list[bytes]:
    java, lib = _java(), jars()
    archive = _archive(java, lib)
    fresh = archive is not None and not archive.is_file()
    share = [] if archive is None else [
        f"-XX:ArchiveClassesAtExit={archive}.{os.getpid()}" if fresh else f"-XX:SharedArchiveFile={archive}",
        "-Xlog:cds=off", "-Xlog:cds+dynamic=off"]
    base = [java, f"-Xmx{XMX}", *JVM_FLAGS, *share, "-cp", str(lib / "*")]
    names = [name for _, name in files]
    with tempfile.TemporaryDirectory(prefix="duban-mpp-") as tmp:
        src, dst = Path(tmp, "in"), Path(tmp, "out")
        src.mkdir()
        dst.mkdir()
        for i, (data, _) in enumerate(files):  # our names, never the upload's
            (src / f"{i}.mpp").write_bytes(data)
        ok = False
        try:
            if len(files) == 1:
                done = _run([*base, "org.mpxj.sample.MpxjConvert", str(src / "0.mpp"), str(dst / "0.xml")], names)
            else:
                done = _run([*base, "org.mpxj.sample.MpxjBatchConvert", str(src), ".mpp", str(dst), ".xml"], names)
            ok = done.returncode == 0
        finally:
            if fresh and archive is not None:  # the first run wrote it: kept from a good run only
                _settle(Path(f"{archive}.{os.getpid()}"), archive, keep=ok)
        outs = [dst / f"{i}.xml" for i in range(len(files))]
        if done.returncode == 0 and all(o.is_file() for o in outs):
            return [o.read_bytes() for o in outs]
    if len(files) == 1:
        raise _failure(names[0], done.stdout + done.stderr)
    for one in files:  # the batch stops at its first failure: find which file it was
        _convert([one])
    raise _failure(", ".join(names), done.stdout + done.stderr)


def _settle(written: Path, archive: Path, *, keep: bool) -> None:
    try:
        if keep and written.is_file():
            written.replace(archive)  # atomic: another process never reads half an archive
        else:
            written.unlink(missing_ok=True)
    except OSError:
        pass


_LINE = re.compile(r"^[^:]*:(\d+)")


def read_converted(xml: bytes, name: str) -> Schedule:
    """The schedule in MPXJ's MSPDI of ``name``; a refusal says where in that XML."""
    try:
        return read_mspdi(xml, name)
    except ScheduleFileError as exc:
        m = _LINE.match(exc.where or "")
        at = f"{name}（转换后的 XML 第 {m.group(1)} 行 / line {m.group(1)} of the XML MPXJ made of it）" if m else name
        raise ScheduleFileError(at, exc.zh, exc.en) from None


def read_files(files: Sequence[tuple[bytes, str]]) -> list[Schedule]:
    """Each ``(data, name)`` read as a schedule: ``.xer`` and ``.xml`` by the pure readers,
    the ``.mpp`` among them converted together in one JVM first."""
    mpps = [i for i, (data, name) in enumerate(files) if is_mpp(data, name)]
    xml = dict(zip(mpps, to_mspdi([files[i] for i in mpps]), strict=True)) if mpps else {}
    return [read_converted(xml[i], name) if i in xml else read_schedule(data, name)
            for i, (data, name) in enumerate(files)]


def read_file(data: bytes, name: str) -> Schedule:
    """One schedule file's bytes as a schedule (see :func:`read_files`)."""
    return read_files([(data, name)])[0]
