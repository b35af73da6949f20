"""Helpers shared by the archive tests: running the real validator CLIs, writing test pages."""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

BIN = Path(sys.executable).parent


@dataclass
class Ran:
    cmd: str
    code: int
    out: str

    def __str__(self) -> str:
        return f"$ {self.cmd}\nexit {self.code}\n{self.out[-3000:]}"


def run(*args: str | Path, cwd: Path | None = None, timeout: int = 120) -> Ran:
    exe = str(args[0])
    if (BIN / exe).exists():
        exe = str(BIN / exe)
    elif shutil.which(exe) is None:
        raise RuntimeError(f"{exe} is not installed")
    argv = [exe, *map(str, args[1:])]
    p = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    return Ran(" ".join(map(str, args)), p.returncode, p.stdout + p.stderr)


def validate_warc(path: Path) -> dict[str, Ran]:
    """The three integrity validators the notes recommend, run as their real CLIs."""
    res = {"warcio check": run("warcio", "check", "-v", path), "fastwarc check": run("fastwarc", "check", path)}
    if path.name.endswith(".gz"):
        res["gzip -t"] = run("gzip", "-t", path)
    return res


def records(path: Path) -> list[tuple[str, dict[str, str], int]]:
    """(type, first value of each header, block length) of every record, read with warcio."""
    out = []
    with open(path, "rb") as fh:
        for rec in ArchiveIterator(fh, no_record_parse=True):
            h: dict[str, str] = {}
            for k, v in rec.rec_headers.headers:
                h.setdefault(k, v)
            out.append((rec.rec_type, h, len(rec.raw_stream.read())))
    return out


def expected_captures(path: Path) -> int:
    """Records cdxj-indexer's default filter indexes (response, revisit, and resource/metadata
    unless their block is application/warc-fields)."""
    n = 0
    for rtype, h, _ in records(path):
        if rtype in ("response", "revisit") or (rtype in ("resource", "metadata") and h.get("Content-Type") != "application/warc-fields"):
            n += 1
    return n


# Six charsets; each page carries a sentence we look for after ingest -> extract.
SENTENCES = {
    "utf8-bom": "Ünïcödé façade: naïve café owners serve crème brûlée to Zoë and Øystein every morning.",
    "cp1251": "Съешь же ещё этих мягких французских булок, да выпей же чаю.",
    "shiftjis": "いろはにほへと ちりぬるを わかよたれそ つねならむ うゐのおくやま けふこえて。",
    "gb18030": "朱镕基总理在北京会见了来自世界各地的科学家，讨论了气候变化问题。",
    "latin1": "Ça a été déjà très agréable à l'école où le garçon français étudiait là-bas.",
    "cp1252": "Le cœur a ses raisons “que la raison ne connaît point” — cela coûte 5 € ou plus.",
}

FILLER = {
    "utf8-bom": "Les élèves étudient à l'école. Über den Flüssen schwebt der Nebel über grünen Wiesen.",
    "cp1251": "Москва является столицей России и крупнейшим городом страны. Здесь много музеев и театров.",
    "shiftjis": "東京は日本の首都であり、世界最大級の都市です。多くの人々が毎日電車で通勤しています。",
    "gb18030": "中华人民共和国是世界上人口最多的国家之一。长江是中国最长的河流，流经许多省份。",
    "latin1": "Il était une fois une très belle forêt où vivaient des élèves curieux et leurs frères aînés.",
    "cp1252": "Voilà pourquoi l’œuvre de Molière reste célèbre : on y trouve des dialogues très vifs.",
}


def charset_pages(folder: Path) -> dict[str, tuple[Path, str, str]]:
    """Write the six pages; returns name -> (path, expected charset_used, sentence)."""
    folder.mkdir(parents=True, exist_ok=True)
    specs = {
        # name: (declared meta label or None, python codec to write with, expected charset_used, BOM)
        "utf8-bom": (None, "utf-8", "utf-8", True),
        "cp1251": ("windows-1251", "cp1251", "windows-1251", False),
        "shiftjis": ("shift_jis", "shift_jis", "shift_jis", False),
        "gb18030": ("gb2312", "gb18030", "gb18030", False),
        "latin1": (None, "latin-1", None, False),  # undeclared: windows-1252 or latin-1 both decode it
        "cp1252": ("windows-1252", "cp1252", "windows-1252", False),
    }
    out = {}
    for name, (label, codec, expected, bom) in specs.items():
        meta = f'<meta charset="{label}">' if label else ""
        body = "".join(f"<p>{s}</p>\n" for s in [SENTENCES[name], FILLER[name], SENTENCES[name] + " " + FILLER[name]])
        html = (f"<!DOCTYPE html>\n<html><head>{meta}<title>Page {name}</title></head>\n"
                f"<body><article><h1>Page {name}</h1>\n{body}</article></body></html>\n")
        raw = html.encode(codec)
        if bom:
            raw = b"\xef\xbb\xbf" + raw
        p = folder / f"{name}.html"
        p.write_bytes(raw)
        out[name] = (p, expected or "", SENTENCES[name])
    return out


def write_sidecar(folder: Path, pages: dict[str, tuple[Path, str, str]]) -> Path:
    """A sidecar giving each page a real http URL and a fixed capture date (for replay tests)."""
    lines = ["path,url,captured_at,license"]
    for i, (name, (p, _, _)) in enumerate(sorted(pages.items())):
        lines.append(f"{p.name},http://example.org/{name}.html,2024-05-0{i + 1}T10:00:00Z,CC-BY-4.0")
    side = folder / "pages.csv"
    side.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return side
