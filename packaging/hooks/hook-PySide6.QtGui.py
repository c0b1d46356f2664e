# Replaces PyInstaller's own hook for PySide6.QtGui (hooks in packaging/hooks take priority):
# the same collection, minus the Qt plugins this app never uses. Dropping them here, before
# PyInstaller follows their library dependencies, also keeps what they link out of the bundle
# (the GTK 3 platform theme alone brings GTK, GDK, cairo, pango and atk: about 20 MB).
from PyInstaller.utils.hooks.qt import add_qt6_dependencies

#: "<plugin folder>/" for a whole folder, "<plugin folder>/<file stem>" for one plugin.
UNUSED_PLUGINS = (
    "platformthemes/libqgtk3",  # GTK 3 theme; the XDG desktop portal theme stays
    "egldeviceintegrations/",  # embedded devices (EGLFS)
    "generic/",  # evdev/tuio input for embedded devices
    "platforms/libqeglfs", "platforms/libqlinuxfb", "platforms/libqvnc",
    "platforms/libqminimalegl", "platforms/libqvkkhrdisplay",
    # image formats: the app shows only its SVG icon (svg and ico stay)
    "imageformats/libqgif", "imageformats/libqjpeg", "imageformats/libqtiff",
    "imageformats/libqwebp", "imageformats/libqtga", "imageformats/libqwbmp",
    "imageformats/libqicns", "imageformats/libqpdf",
)


def _unused(path):
    path = path.replace("\\", "/")
    return any(f"/plugins/{entry}" in path for entry in UNUSED_PLUGINS)


hiddenimports, binaries, datas = add_qt6_dependencies(__file__)
binaries = [(src, dest) for src, dest in binaries if not _unused(src)]
