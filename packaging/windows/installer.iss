; Inno Setup 6 script: the Windows installer of Xero to QuickBooks Time.
;
; Per-user install (no administrator rights, no UAC prompt) into
; %LOCALAPPDATA%\Programs\Xero to QuickBooks Time, a Start-menu shortcut, an optional desktop
; shortcut, an uninstaller (Settings > Apps, or "Uninstall" in the app's Start-menu entry),
; installer screens in English and French (chosen from the Windows language, or asked).
;
; Build (see packaging/README.md; packaging\windows\build.ps1 does every step):
;   1. dist\xero-qbtime-bridge\ built by PyInstaller from packaging\xqb.spec on Windows
;   2. build\icons\app.ico rendered by packaging\render_icons.py
;   3. "%ProgramFiles(x86)%\Inno Setup 6\ISCC.exe" /DAppVersion=0.1.0 packaging\windows\installer.iss
; Output: dist\xero-qbtime-bridge-<version>-windows-x64-setup.exe
;
; Code signing (recommended: unsigned installers trigger SmartScreen warnings): define a sign
; tool in the Inno Setup IDE (Tools > Configure Sign Tools) or on the command line, e.g.
;   ISCC.exe "/Ssigntool=signtool.exe sign /fd sha256 /tr http://timestamp.digicert.com /td sha256 /a $f" ^
;            /DSign=1 /DAppVersion=0.1.0 packaging\windows\installer.iss
; With /DSign=1 the installer and the uninstaller are signed. Sign the app's own .exe before
; this step (build.ps1 does when XQB_SIGN_CMD is set), since Inno Setup signs only its own files.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "Xero to QuickBooks Time"
#define AppExe "xero-qbtime-bridge.exe"
#define AppPublisher "Xero to QuickBooks Time bridge"
#define Root AddBackslash(SourcePath) + "..\.."
#define Bundle Root + "\dist\xero-qbtime-bridge"

#if !FileExists(Bundle + "\" + AppExe)
  #error "dist\xero-qbtime-bridge\xero-qbtime-bridge.exe not found: build the bundle with PyInstaller first (packaging\windows\build.ps1)"
#endif

[Setup]
; AppId identifies the app for upgrades and the uninstaller: never change it.
AppId={{FD2317EF-D2D1-4789-B6D8-10D42B1566B0}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppPublisher}
VersionInfoVersion={#AppVersion}
; Per user: no elevation; {autopf} is then %LOCALAPPDATA%\Programs.
PrivilegesRequired=lowest
DefaultDirName={autopf}\{#AppName}
DisableProgramGroupPage=yes
DisableDirPage=auto
UsePreviousAppDir=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir={#Root}\dist
OutputBaseFilename=xero-qbtime-bridge-{#AppVersion}-windows-x64-setup
SetupIconFile={#Root}\build\icons\app.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
WizardStyle=modern
Compression=lzma2/max
SolidCompression=yes
; An upgrade closes the running app first (Restart Manager), then starts it again if it was open.
CloseApplications=yes
RestartApplications=yes
ShowLanguageDialog=auto
#ifdef Sign
SignTool=signtool
SignedUninstaller=yes
#endif

[Languages]
Name: "en"; MessagesFile: "compiler:Default.isl"
Name: "fr"; MessagesFile: "compiler:Languages\French.isl"

[CustomMessages]
en.KeptData=Your sign-ins (in Windows Credential Manager) and your import history (the XeroQBTimeBridge folder in your local AppData folder) are kept, so a new installation finds them again. Delete that folder to remove the history.
fr.KeptData=Vos connexions (dans le Gestionnaire d'identification de Windows) et l'historique de vos imports (le dossier XeroQBTimeBridge de votre dossier AppData local) sont conservés : une nouvelle installation les retrouvera. Supprimez ce dossier pour effacer l'historique.

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
; The whole PyInstaller folder: the .exe and _internal\ (Python, Qt, translations, Demo Company).
Source: "{#Bundle}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"
Name: "{autoprograms}\{#AppName}\{cm:UninstallProgram,{#AppName}}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#StringChange(AppName, '&', '&&')}}"; Flags: nowait postinstall skipifsilent

[Code]
procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if (CurUninstallStep = usPostUninstall) and not UninstallSilent then
    MsgBox(CustomMessage('KeptData'), mbInformation, MB_OK);
end;
