; Inno Setup script for fieldkit's Windows installer: a per-user install (no administrator
; rights asked for), a Start-menu entry, an uninstaller, and .fieldkit files opening in fieldkit.
; packaging/build.sh runs it after the bundle is built, when Inno Setup 6's iscc is on PATH:
;   iscc /DAppVersion=0.1.0 /DBundleDir=C:\...\packaging\build\dist\fieldkit /OC:\...\packaging\build fieldkit.iss
; Everything goes under the user's own profile and HKEY_CURRENT_USER.

#ifndef AppVersion
  #error Pass the version: iscc /DAppVersion=X.Y.Z (packaging/build.sh does)
#endif
#ifndef BundleDir
  #define BundleDir "..\build\dist\fieldkit"
#endif

[Setup]
; The installer's identity: keep this AppId for every release, so a new one upgrades the old.
AppId={{6F1C2A0E-4B7D-4E25-9A53-2D8F1C7B9E41}
AppName=fieldkit
AppVersion={#AppVersion}
AppVerName=fieldkit {#AppVersion}
AppPublisher=The fieldkit authors
VersionInfoVersion={#AppVersion}
PrivilegesRequired=lowest
DefaultDirName={autopf}\fieldkit
DefaultGroupName=fieldkit
DisableProgramGroupPage=yes
DisableDirPage=auto
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
ChangesAssociations=yes
SetupIconFile=..\..\resources\icons\app\fieldkit.ico
UninstallDisplayIcon={app}\fieldkit.exe
UninstallDisplayName=fieldkit
OutputBaseFilename=fieldkit-{#AppVersion}-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
; The whole one-folder bundle: fieldkit.exe (the app), fieldkit-cli.exe (the command line), _internal\.
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\fieldkit"; Filename: "{app}\fieldkit.exe"; Comment: "Offline research by interview"
Name: "{autodesktop}\fieldkit"; Filename: "{app}\fieldkit.exe"; Tasks: desktopicon

[Registry]
; .fieldkit files: a double click runs `fieldkit.exe STUDY`, which opens the study in the app.
Root: HKCU; Subkey: "Software\Classes\.fieldkit"; ValueType: string; ValueName: ""; ValueData: "fieldkit.study"; Flags: uninsdeletevalue
Root: HKCU; Subkey: "Software\Classes\.fieldkit\OpenWithProgids"; ValueType: string; ValueName: "fieldkit.study"; ValueData: ""; Flags: uninsdeletevalue
Root: HKCU; Subkey: "Software\Classes\fieldkit.study"; ValueType: string; ValueName: ""; ValueData: "fieldkit study"; Flags: uninsdeletekey
Root: HKCU; Subkey: "Software\Classes\fieldkit.study\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\fieldkit.exe,0"
Root: HKCU; Subkey: "Software\Classes\fieldkit.study\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\fieldkit.exe"" ""%1"""
Root: HKCU; Subkey: "Software\Classes\Applications\fieldkit.exe\SupportedTypes"; ValueType: string; ValueName: ".fieldkit"; ValueData: ""; Flags: uninsdeletekey

[Run]
Filename: "{app}\fieldkit.exe"; Description: "{cm:LaunchProgram,fieldkit}"; Flags: nowait postinstall skipifsilent
