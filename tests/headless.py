"""Open a local HTML file in headless Chromium over the DevTools protocol: evaluate JS after load,
collect console errors and uncaught exceptions, and take a screenshot. Test-only."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-extensions", "--disable-default-apps", "--mute-audio",
]


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        exe = shutil.which(name)
        if exe:
            return exe
    return None


@dataclass
class PageResult:
    value: Any
    errors: list[str] = field(default_factory=list)  # console errors, failed loads, uncaught exceptions
    screenshot: Path | None = None
    dom: dict[str, Any] | None = None  # DOM.getDocument(pierce) tree: frames' documents included, even sandboxed ones


class _Cdp:
    def __init__(self, ws_url: str, timeout: float) -> None:
        import websocket

        self.ws = websocket.create_connection(ws_url, timeout=timeout, suppress_origin=True)
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, params: dict[str, Any] | None = None, deadline: float | None = None) -> dict[str, Any]:
        self.next_id += 1
        my_id = self.next_id
        self.ws.send(json.dumps({"id": my_id, "method": method, "params": params or {}}))
        while True:
            if deadline and time.monotonic() > deadline:
                raise TimeoutError(f"DevTools: no answer to {method}")
            msg = json.loads(self.ws.recv())
            if msg.get("id") == my_id:
                if "error" in msg:
                    raise RuntimeError(f"DevTools {method}: {msg['error']}")
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)

    def wait_event(self, method: str, deadline: float) -> dict[str, Any]:
        for e in self.events:
            if e["method"] == method:
                return e
        while time.monotonic() < deadline:
            msg = json.loads(self.ws.recv())
            if "method" in msg:
                self.events.append(msg)
                if msg["method"] == method:
                    return msg
        raise TimeoutError(f"DevTools: no {method} event")

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.ws.close()


def _errors(events: list[dict[str, Any]]) -> list[str]:
    out = []
    for e in events:
        m, p = e["method"], e.get("params", {})
        if m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            out.append("console." + p["type"] + ": " + " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", [])))
        elif m == "Runtime.exceptionThrown":
            d = p.get("exceptionDetails", {})
            out.append("exception: " + str(d.get("exception", {}).get("description") or d.get("text")))
        elif m == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
            ent = p["entry"]
            out.append(f"log/{ent.get('source')}: {ent.get('text')} {ent.get('url') or ''}".strip())
    return out


def open_page(html: Path, expression: str, screenshot: Path | None = None, *, timeout: float = 60,
              width: int = 1280, height: int = 2000, dom: bool = False) -> PageResult:
    """Load ``html`` in a fresh headless Chromium, evaluate ``expression`` (its JSON-able value is
    returned) and optionally save a PNG screenshot of a ``width`` x ``height`` viewport."""
    exe = find_chromium()
    if exe is None:
        raise FileNotFoundError("chromium not found")
    deadline = time.monotonic() + timeout
    # Chromium's helper processes may still touch the profile while they exit: ignore cleanup races.
    with tempfile.TemporaryDirectory(prefix="archivist-chromium-", ignore_cleanup_errors=True) as profile:
        log = Path(profile) / "stderr.log"
        with log.open("wb") as err:
            proc = subprocess.Popen(
                # Sandboxed frames run out of process by default, where the page's DOM.getDocument cannot
                # see them; in process, the pierced tree holds the frame's document.
                [exe, *FLAGS, *(["--disable-features=IsolateSandboxedIframes"] if dom else []), f"--user-data-dir={profile}/profile", "--remote-debugging-port=0",
                 f"--window-size={width},{height}", "about:blank"],
                stdout=subprocess.DEVNULL, stderr=err,
                start_new_session=True,  # its own process group, so its helpers end with it
            )
        cdp: _Cdp | None = None
        try:
            port_file = Path(profile) / "profile" / "DevToolsActivePort"
            while not (port_file.exists() and port_file.read_text().strip()):
                if proc.poll() is not None:
                    raise RuntimeError(f"chromium exited with {proc.returncode}: {log.read_text(errors='replace')[-2000:]}")
                if time.monotonic() > deadline:
                    raise TimeoutError("chromium did not open its DevTools port")
                time.sleep(0.05)
            port = int(port_file.read_text().split()[0])
            opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
            with opener.open(f"http://127.0.0.1:{port}/json/list", timeout=10) as r:
                targets = json.loads(r.read())
            page = next(t for t in targets if t.get("type") == "page")
            cdp = _Cdp(page["webSocketDebuggerUrl"], timeout=max(1.0, deadline - time.monotonic()))
            for m in ("Page.enable", "Runtime.enable", "Log.enable"):
                cdp.send(m, deadline=deadline)
            cdp.send("Emulation.setDeviceMetricsOverride",
                     {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}, deadline=deadline)
            cdp.events.clear()
            nav = cdp.send("Page.navigate", {"url": html.resolve().as_uri()}, deadline=deadline)
            if nav.get("errorText"):
                raise RuntimeError(f"navigation failed: {nav['errorText']}")
            cdp.wait_event("Page.loadEventFired", deadline)
            res = cdp.send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                "awaitPromise": True}, deadline=deadline)
            if "exceptionDetails" in res:
                raise RuntimeError(f"evaluate failed: {res['exceptionDetails']}")
            value = res.get("result", {}).get("value")
            shot = None
            if screenshot is not None:
                data = cdp.send("Page.captureScreenshot", {"format": "png"}, deadline=deadline)["data"]
                screenshot.parent.mkdir(parents=True, exist_ok=True)
                screenshot.write_bytes(base64.b64decode(data))
                shot = screenshot
            tree = cdp.send("DOM.getDocument", {"depth": -1, "pierce": True}, deadline=deadline)["root"] if dom else None
            # Events that arrived while we waited for answers are in cdp.events already.
            return PageResult(value=value, errors=_errors(cdp.events), screenshot=shot, dom=tree)
        finally:
            if cdp is not None:
                cdp.close()
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)  # the group of the browser started above, nothing else


def iter_nodes(node: dict[str, Any]) -> Any:
    """Every node of a DOM.getDocument tree, frames' content documents included."""
    yield node
    for key in ("children", "shadowRoots", "pseudoElements"):
        for child in node.get(key, []):
            yield from iter_nodes(child)
    if "contentDocument" in node:
        yield from iter_nodes(node["contentDocument"])
