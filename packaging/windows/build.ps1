# Builds the Windows installer: dist\xero-qbtime-bridge-<version>-windows-x64-setup.exe
#
#   powershell -ExecutionPolicy Bypass -File packaging\windows\build.ps1
#
# Needs: Python 3.11 x64 (python.org or "py" launcher), Inno Setup 6 (ISCC.exe; winget install
# JRSoftware.InnoSetup). Optional: $env:XQB_SIGN_CMD, a signtool command line that signs the
# file given as its last argument, e.g.
#   $env:XQB_SIGN_CMD = 'signtool sign /fd sha256 /tr http://timestamp.digicert.com /td sha256 /a'
# Steps: venv + .[packaging], French .qm, icons (.ico), PyInstaller (packaging\xqb.spec),
# the frozen --self-test, optional signing, Inno Setup (packaging\windows\installer.iss).
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..\..")

if (-not (Test-Path .venv\Scripts\python.exe)) { py -3.11 -m venv .venv }
$py = ".venv\Scripts\python.exe"
& $py -m pip install --quiet --upgrade pip
& $py -m pip install --quiet -e ".[packaging]"
$version = & $py -c "from core.version import __version__; print(__version__)"

# Translations (tools/translations.sh --release-only, without bash)
& .venv\Scripts\pyside6-lrelease.exe -silent resources\i18n\wizard_fr.ts -qm resources\i18n\wizard_fr.qm
if ($LASTEXITCODE -ne 0) { throw "lrelease failed" }

$env:QT_QPA_PLATFORM = "offscreen"
& $py packaging\render_icons.py build\icons
if ($LASTEXITCODE -ne 0) { throw "icon rendering failed" }
& .venv\Scripts\pyinstaller.exe --noconfirm --clean --log-level WARN --distpath dist --workpath build\pyinstaller packaging\xqb.spec
if ($LASTEXITCODE -ne 0) { throw "PyInstaller failed" }

# The app is windowed (no console): the self-test writes its report to a file; wait for it.
$sw = [Diagnostics.Stopwatch]::StartNew()
$p = Start-Process -FilePath dist\xero-qbtime-bridge\xero-qbtime-bridge.exe -ArgumentList "--self-test" -Wait -PassThru
$sw.Stop()
Get-Content (Join-Path $env:TEMP "xero-qbtime-bridge-selftest.txt")
if ($p.ExitCode -ne 0) { throw "the frozen self-test failed (exit $($p.ExitCode))" }
$size = (Get-ChildItem dist\xero-qbtime-bridge -Recurse | Measure-Object Length -Sum).Sum / 1MB
"bundle: {0:N0} MB; --self-test in {1:N2} s" -f $size, $sw.Elapsed.TotalSeconds

$iscc = "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe"
if (-not (Test-Path $iscc)) { $iscc = "$env:LOCALAPPDATA\Programs\Inno Setup 6\ISCC.exe" }
if ($env:XQB_SIGN_CMD) {
  $signArgs = $env:XQB_SIGN_CMD -split ' '
  & $signArgs[0] $signArgs[1..($signArgs.Length - 1)] dist\xero-qbtime-bridge\xero-qbtime-bridge.exe
  if ($LASTEXITCODE -ne 0) { throw "signing the app failed" }
  & $iscc "/Ssigntool=$($env:XQB_SIGN_CMD) `$f" /DSign=1 "/DAppVersion=$version" packaging\windows\installer.iss
} else {
  & $iscc "/DAppVersion=$version" packaging\windows\installer.iss
}
if ($LASTEXITCODE -ne 0) { throw "Inno Setup failed" }
Get-ChildItem dist\*-setup.exe
