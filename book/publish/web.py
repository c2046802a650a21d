"""The web edition: static HTML pages in ``dist/web/``, readable offline.

The folder is built beside the old one and swapped in with two renames, so a
failed build leaves the previous web edition whole.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from ..model import Manuscript
from ..render import TEMPLATES, environment, fonts, render_web
from . import Output


def write_web(ms: Manuscript, target: Path) -> int:
    """Write the web edition into the folder ``target``; return the number of pages."""
    docs = render_web(ms)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        for doc in docs:
            (staging / doc.name).write_text(doc.content, encoding="utf-8")
        env = environment(TEMPLATES)
        (staging / "assets").mkdir()
        (staging / "assets" / "book.css").write_text(
            env.get_template("web/book.css").render(fonts=fonts()), encoding="utf-8")
        (staging / "assets" / "fonts").mkdir()
        for font in fonts():
            shutil.copyfile(font.path, staging / "assets" / "fonts" / font.name)
        for asset in ms.assets:
            dest = staging / asset.href
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(asset.path, dest)
        for path in staging.rglob("*"):
            path.chmod(0o755 if path.is_dir() else 0o644)
        staging.chmod(0o755)
        old = None
        if target.exists():
            old = target.parent / f".{target.name}.old"
            if old.exists():
                shutil.rmtree(old)
            target.rename(old)
        staging.rename(target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return len(docs)


class WebPublisher:
    name = "web"
    description = "web edition: static HTML pages to put on any web server"

    def publish(self, ms: Manuscript, out: Path) -> list[Output]:
        target = out / "web"
        pages = write_web(ms, target)
        return [Output(target / "index.html", self.name, pages, "pages")]
