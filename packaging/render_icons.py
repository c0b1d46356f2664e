"""Render resources/icons/app.svg into the PNG, .ico and .icns files the installers need.

    python packaging/render_icons.py [OUT_DIR]        (default: build/icons)

Writes app-256.png, app-128.png, app-64.png and app-48.png (shipped in the bundle and used by
the Linux .desktop entry), app.ico (Windows: 16-256 px) and app.icns (macOS: 32-1024 px).
Uses Qt's QSvgRenderer (PySide6.QtSvg, part of PySide6-Essentials); falls back to QIcon when
QtSvg is not importable. The .ico and .icns containers are written here (PNG entries), so no
Pillow or platform tool is needed. Runs offscreen: no display required.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SVG = ROOT / "resources" / "icons" / "app.svg"
BUNDLED_SIZES = (256, 128, 64, 48)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
#: icns PNG entry types: (type, pixel size)
ICNS_TYPES = (("icp5", 32), ("ic11", 32), ("icp6", 64), ("ic12", 64), ("ic07", 128),
              ("ic08", 256), ("ic13", 256), ("ic09", 512), ("ic14", 512), ("ic10", 1024))


def render_png(svg: Path, size: int) -> bytes:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QImage, QPainter

    try:
        from PySide6.QtSvg import QSvgRenderer
    except ImportError:  # a Qt without the SVG module: the icon engine plugin may still do it
        QSvgRenderer = None

    if QSvgRenderer is not None:
        renderer = QSvgRenderer(str(svg))
        if not renderer.isValid():
            raise SystemExit(f"{svg} is not a valid SVG")
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        renderer.render(painter)
        painter.end()
    else:
        from PySide6.QtGui import QIcon

        image = QIcon(str(svg)).pixmap(size, size).toImage()
        if image.isNull():
            raise SystemExit(f"{svg} could not be rendered (no SVG support in this Qt)")
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


def ico(pngs: dict[int, bytes]) -> bytes:
    """A Windows .ico holding PNG images (supported since Windows Vista)."""
    sizes = sorted(pngs)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = 6 + 16 * len(sizes)
    entries, blobs = b"", b""
    for size in sizes:
        blob = pngs[size]
        dim = 0 if size >= 256 else size  # 0 means 256
        entries += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(blob), offset)
        offset += len(blob)
        blobs += blob
    return header + entries + blobs


def icns(pngs: dict[int, bytes]) -> bytes:
    """A macOS .icns holding PNG images."""
    body = b""
    for kind, size in ICNS_TYPES:
        blob = pngs[size]
        body += kind.encode("ascii") + struct.pack(">I", 8 + len(blob)) + blob
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else ROOT / "build" / "icons"
    out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    _app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])
    sizes = sorted({*BUNDLED_SIZES, *ICO_SIZES, *(size for _, size in ICNS_TYPES)})
    pngs = {size: render_png(SVG, size) for size in sizes}
    for size in BUNDLED_SIZES:
        (out / f"app-{size}.png").write_bytes(pngs[size])
    (out / "app.ico").write_bytes(ico({size: pngs[size] for size in ICO_SIZES}))
    (out / "app.icns").write_bytes(icns(pngs))
    print(f"icons: {', '.join(f'app-{s}.png' for s in BUNDLED_SIZES)}, app.ico, app.icns -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
